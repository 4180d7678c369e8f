package dev.keyless.testkit.internal.aws;

import com.nimbusds.jose.jwk.JWKSet;
import dev.keyless.core.internal.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches and caches issuers' JWKS over HTTP, discovery document first, as STS does. Only loopback addresses
 * are fetched: the emulator must never reach out of the machine.
 */
public final class JwksCache {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, JWKSet> cache = new ConcurrentHashMap<>();

    /** Thrown when the issuer's keys cannot be had: IDPCommunicationError. */
    public static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** The cached JWKS of an issuer, if any. */
    public Optional<JWKSet> cached(String issuer) {
        return Optional.ofNullable(cache.get(issuer));
    }

    /** Fetches (again) {@code base}/.well-known/openid-configuration, then its jwks_uri, and caches the set. */
    public JWKSet fetch(String issuer, URI base) throws Unreachable, InterruptedException {
        URI discovery = URI.create(stripSlash(base.toString()) + "/.well-known/openid-configuration");
        String doc = get(discovery);
        Map<String, Object> json = Json.object(doc)
                .orElseThrow(() -> new Unreachable("The discovery document of " + issuer + " is not JSON"));
        String jwksUri = Json.string(json, "jwks_uri")
                .orElseThrow(() -> new Unreachable("The discovery document of " + issuer + " has no jwks_uri"));
        try {
            JWKSet set = JWKSet.parse(get(URI.create(jwksUri)));
            cache.put(issuer, set);
            return set;
        } catch (ParseException | IllegalArgumentException e) {
            throw new Unreachable("The JWKS of " + issuer + " does not parse");
        }
    }

    public void clear() {
        cache.clear();
    }

    private String get(URI uri) throws Unreachable, InterruptedException {
        if (!isLoopback(uri)) {
            throw new Unreachable("The testkit fetches keys only from loopback addresses, not " + uri.getHost()
                    + "; register the provider with a LocalIssuer");
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new Unreachable(uri + " answered HTTP " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new Unreachable(uri + " could not be reached: " + e.getClass().getSimpleName());
        }
    }

    static boolean isLoopback(URI uri) {
        if (uri.getHost() == null || !"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return false;
        }
        String host = uri.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Only literal addresses: a name would need a DNS look-up.
        if (!host.matches("[0-9.]+") && !host.startsWith("[")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
