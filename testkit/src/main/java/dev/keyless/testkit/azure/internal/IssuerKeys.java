package dev.keyless.testkit.azure.internal;

import com.nimbusds.jose.jwk.JWKSet;
import dev.keyless.core.internal.Endpoints;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches an external issuer's signing keys as Entra does: the discovery document at
 * {@code <issuer>/.well-known/openid-configuration} (or where the test said it is served), then its {@code jwks_uri}.
 *
 * <p>Only loopback addresses are ever contacted: an issuer elsewhere (a real GitHub issuer that was not mapped to a
 * local one) fails as an unreachable issuer does in Entra, with AADSTS50166. Nothing is cached, so key rotation in a
 * local issuer is seen at once.
 */
public final class IssuerKeys {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .sslContext(LocalTls.get().sslContextWithDefaults())
            .build();

    /**
     * Fetches the JWKS of {@code issuer}.
     *
     * @param discoveryUrl where the discovery document is served, or empty for {@code <issuer>/.well-known/openid-configuration}
     * @throws Rejection with AADSTS50166 (discovery failed) or AADSTS90061 (JWKS failed)
     */
    public JWKSet fetch(String issuer, Optional<URI> discoveryUrl) throws InterruptedException {
        URI discovery;
        try {
            discovery = discoveryUrl.orElseGet(() -> URI.create(stripSlash(issuer) + "/.well-known/openid-configuration"));
        } catch (IllegalArgumentException e) {
            throw new Rejection(EntraError.issuerDiscoveryFailed());
        }
        if (!isLoopback(discovery)) {
            throw new Rejection(EntraError.issuerDiscoveryFailed());
        }
        String doc = get(discovery).orElseThrow(() -> new Rejection(EntraError.issuerDiscoveryFailed()));
        Map<String, Object> json = Json.object(doc).orElseThrow(() -> new Rejection(EntraError.issuerDiscoveryFailed()));
        String jwksUri = Json.string(json, "jwks_uri").orElseThrow(() -> new Rejection(EntraError.issuerDiscoveryFailed()));
        URI jwks;
        try {
            jwks = URI.create(jwksUri);
        } catch (IllegalArgumentException e) {
            throw new Rejection(EntraError.issuerKeysFailed());
        }
        if (!isLoopback(jwks)) {
            throw new Rejection(EntraError.issuerKeysFailed());
        }
        String keys = get(jwks).orElseThrow(() -> new Rejection(EntraError.issuerKeysFailed()));
        try {
            return JWKSet.parse(keys);
        } catch (ParseException e) {
            throw new Rejection(EntraError.issuerKeysFailed());
        }
    }

    private Optional<String> get(URI uri) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isLoopback(URI uri) {
        return uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                && Endpoints.isLoopback(uri.getHost());
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
