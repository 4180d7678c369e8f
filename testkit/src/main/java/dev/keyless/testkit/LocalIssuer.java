package dev.keyless.testkit;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.internal.http.LoopbackServer;
import dev.keyless.testkit.internal.http.Request;
import dev.keyless.testkit.internal.jwt.KeyRing;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID Connect issuer on loopback that mints identity tokens shaped like GitHub Actions, GitLab,
 * Kubernetes and Google tokens, and publishes the discovery document and JWKS that verifiers fetch.
 *
 * <p>It serves {@code GET <url>/.well-known/openid-configuration} and {@code GET <url>/.well-known/jwks}.
 * Keys rotate on demand: {@link #rotateKeys()} makes a new key current while the old ones stay published
 * until {@link #retireOldKeys()}. Token times come from the injected clock.
 *
 * <p>By default: RS256, the system UTC clock, served at {@code http://127.0.0.1:<random port>}, and the
 * {@code iss} of minted tokens is that URL. {@link Builder#issuerUrl(String)} sets another {@code iss} (for
 * example {@code https://token.actions.githubusercontent.com}); the documents are still served on loopback,
 * and {@link LocalSts#registerOidcProvider(LocalIssuer, List)} knows where to fetch them.
 */
public final class LocalIssuer implements AutoCloseable {
    static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    static final String JWKS_PATH = "/.well-known/jwks";

    private final Clock clock;
    private final KeyRing keys;
    private final SigningAlgorithm algorithm;
    private final String path;
    private final LoopbackServer server;
    private final URI url;
    private final String issuerUrl;
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger jwksRequests = new AtomicInteger();

    private LocalIssuer(Builder b) {
        this.clock = b.clock;
        this.algorithm = b.algorithm;
        this.keys = new KeyRing(b.algorithm.name());
        this.path = b.path;
        this.server = LoopbackServer.start("issuer", this::handle);
        this.url = URI.create(server.baseUri() + path);
        this.issuerUrl = b.issuerUrl != null ? b.issuerUrl : url.toString();
    }

    /** Starts an issuer with the defaults: RS256, system clock, {@code iss} = its own loopback URL. */
    public static LocalIssuer start() {
        return builder().start();
    }

    /** A builder for an issuer with another clock, algorithm, {@code iss} or path. */
    public static Builder builder() {
        return new Builder();
    }

    private void handle(Request request) throws IOException {
        if (unavailable.get()) {
            request.respond(503, "text/plain; charset=utf-8", "Service Unavailable");
            return;
        }
        String p = request.rawPath();
        if (!request.method().equals("GET")) {
            request.respond(405, "text/plain; charset=utf-8", "Method Not Allowed");
        } else if (p.equals(path + DISCOVERY_PATH)) {
            discoveryRequests.incrementAndGet();
            request.respond(200, "application/json", discoveryDocument());
        } else if (p.equals(path + JWKS_PATH)) {
            jwksRequests.incrementAndGet();
            request.respond(200, "application/json", jwksJson());
        } else {
            request.respond(404, "text/plain; charset=utf-8", "Not Found");
        }
    }

    private String discoveryDocument() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuerUrl);
        doc.put("jwks_uri", jwksUrl().toString());
        doc.put("subject_types_supported", List.of("public", "pairwise"));
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("claims_supported", List.of("sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha",
                "repository", "repository_id", "repository_owner", "repository_owner_id", "run_id", "run_number",
                "run_attempt", "actor", "actor_id", "workflow", "workflow_ref", "event_name", "ref_type",
                "environment", "job_workflow_ref", "runner_environment", "namespace_path", "project_path",
                "email", "azp"));
        doc.put("id_token_signing_alg_values_supported", List.of(algorithm.name()));
        doc.put("scopes_supported", List.of("openid"));
        return Json.write(doc);
    }

    /** Where the issuer is served: {@code http://127.0.0.1:PORT} plus the configured path, no trailing slash. */
    public URI url() {
        return url;
    }

    /** The {@code iss} of minted tokens and of the discovery document. */
    public String issuerUrl() {
        return issuerUrl;
    }

    /** {@code <url>/.well-known/openid-configuration}. */
    public URI discoveryUrl() {
        return URI.create(url + DISCOVERY_PATH);
    }

    /** {@code <url>/.well-known/jwks}, the discovery document's {@code jwks_uri}. */
    public URI jwksUrl() {
        return URI.create(url + JWKS_PATH);
    }

    /** The signing algorithm. */
    public SigningAlgorithm algorithm() {
        return algorithm;
    }

    /** The clock that sets {@code iat}, {@code nbf} and {@code exp}. */
    public Clock clock() {
        return clock;
    }

    /** The key id ({@code kid}) new tokens are signed with. */
    public String currentKeyId() {
        return keys.currentKeyId();
    }

    /** The key ids in the JWKS, current first. */
    public List<String> publishedKeyIds() {
        return keys.publishedKeyIds();
    }

    /** Makes a new key current (new {@code kid}); the old keys stay in the JWKS. Returns the new key id. */
    public String rotateKeys() {
        return keys.rotate();
    }

    /** Removes every key but the current one from the JWKS: tokens signed with them no longer verify. */
    public void retireOldKeys() {
        keys.retireOld();
    }

    /** The JWKS document (public keys only), as served. */
    public String jwksJson() {
        return keys.publicJwks().toString(true);
    }

    /** When true, every request is answered 503, as an issuer that is down. */
    public void unavailable(boolean value) {
        unavailable.set(value);
    }

    /** How many times the discovery document was fetched. */
    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /** How many times the JWKS was fetched. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** A GitHub Actions-shaped token: {@code issuer.github().repository("acme/app").branch("main").mint()}. */
    public GitHubTokenBuilder github() {
        return new GitHubTokenBuilder(this);
    }

    /** A GitLab CI-shaped token ({@code id_tokens}). */
    public GitLabTokenBuilder gitlab() {
        return new GitLabTokenBuilder(this);
    }

    /** A Kubernetes projected service account token. */
    public KubernetesTokenBuilder kubernetes() {
        return new KubernetesTokenBuilder(this);
    }

    /** A Google-signed ID token ({@code iss} {@code https://accounts.google.com}) of a service account. */
    public GoogleTokenBuilder google() {
        return new GoogleTokenBuilder(this);
    }

    /** A token with only the registered claims; add what you need with {@link TokenBuilder#claim}. */
    public GenericTokenBuilder token() {
        return new GenericTokenBuilder(this);
    }

    String sign(Map<String, Object> claims, boolean foreignKey, String kidOverride) {
        return keys.sign(claims, foreignKey, kidOverride);
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "LocalIssuer{iss=" + issuerUrl + ", url=" + url + ", alg=" + algorithm + "}";
    }

    /** Configures a {@link LocalIssuer}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private SigningAlgorithm algorithm = SigningAlgorithm.RS256;
        private String issuerUrl;
        private String path = "";

        private Builder() {
        }

        /** The clock for token times. By default, {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The signing algorithm. By default, RS256. */
        public Builder algorithm(SigningAlgorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /**
         * The {@code iss} claim and discovery {@code issuer}. By default, the served URL. Without a trailing slash,
         * as verifiers compare it exactly.
         */
        public Builder issuerUrl(String issuerUrl) {
            Objects.requireNonNull(issuerUrl, "issuerUrl");
            URI parsed;
            try {
                parsed = URI.create(issuerUrl);
            } catch (IllegalArgumentException e) {
                throw ConfigurationException.badOption("issuerUrl", "'" + issuerUrl + "' is not a URL",
                        "Pass an absolute https URL such as https://token.actions.githubusercontent.com.");
            }
            if (parsed.getScheme() == null || parsed.getHost() == null || issuerUrl.endsWith("/")) {
                throw ConfigurationException.badOption("issuerUrl",
                        "'" + issuerUrl + "' is not an absolute URL without a trailing slash",
                        "Pass an absolute URL such as https://token.actions.githubusercontent.com.");
            }
            this.issuerUrl = issuerUrl;
            return this;
        }

        /**
         * A path under which the issuer is served, e.g. {@code /id/EXAMPLED539D4633E53DE1B71EXAMPLE} to look like an
         * EKS issuer. By default, none.
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/"))) {
                throw ConfigurationException.badOption("path", "'" + path + "' must start with '/' and not end with it",
                        "Pass a path such as /id/ABC, or \"\" for none.");
            }
            this.path = path;
            return this;
        }

        /** Generates the first key and starts serving. */
        public LocalIssuer start() {
            return new LocalIssuer(this);
        }
    }
}
