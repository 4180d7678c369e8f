package dev.keyless.core.internal;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.TokenException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * OpenID Connect discovery for one issuer: fetches {@code <issuer>/.well-known/openid-configuration} lazily,
 * once, and keeps the result.
 *
 * <p>The metadata is cached (it describes the provider, it is not a credential); a failed fetch is not, so
 * the next call tries again. Concurrent first callers wait for a single fetch. The document must name the
 * configured issuer (OpenID Connect Discovery §4.3) and a token endpoint that passes
 * {@link Endpoints#requireSafe(String, String)}.
 */
public final class OidcDiscovery {
    /** The path appended to the issuer (OpenID Connect Discovery §4). */
    public static final String WELL_KNOWN = "/.well-known/openid-configuration";

    /**
     * What Keyless uses from the discovery document.
     *
     * @param tokenEndpointAuthMethods {@code token_endpoint_auth_methods_supported}; empty when the document does
     *                                 not list them (then the OAuth default, {@code client_secret_basic}, applies)
     * @param grantTypes               {@code grant_types_supported}; empty when not listed
     */
    public record Metadata(String issuer, URI tokenEndpoint, List<String> tokenEndpointAuthMethods,
            List<String> grantTypes) {
    }

    private final URI issuer;
    private final URI discoveryUrl;
    private final HttpExchange http;
    private final Object lock = new Object();
    private volatile Metadata metadata;

    /** Discovery for an issuer URL that already passed {@link Endpoints#requireSafe(String, String)}. */
    public OidcDiscovery(URI issuer, HttpExchange http) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.http = Objects.requireNonNull(http, "http");
        String base = issuer.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.discoveryUrl = URI.create(base + WELL_KNOWN);
    }

    public URI issuer() {
        return issuer;
    }

    public URI discoveryUrl() {
        return discoveryUrl;
    }

    /** The metadata, fetching it on the first call (and after a failed one). */
    public Metadata metadata() {
        Metadata m = metadata;
        if (m != null) {
            return m;
        }
        synchronized (lock) {
            if (metadata == null) {
                metadata = fetch();
            }
            return metadata;
        }
    }

    /** The metadata if a fetch has succeeded, without fetching. */
    public Optional<Metadata> cached() {
        return Optional.ofNullable(metadata);
    }

    private Metadata fetch() {
        HttpExchange.Response r = http.send(HttpRequest.newBuilder(discoveryUrl).GET().header("Accept", "application/json"),
                "the OIDC discovery endpoint " + HttpTokenSupport.describe(discoveryUrl), HttpExchange::isTransientStatus);
        if (HttpExchange.isTransientStatus(r)) {
            throw HttpTokenSupport.unavailable("the OIDC discovery endpoint", "oidc.discovery-unavailable", r, discoveryUrl,
                    "Nothing to change if the identity provider is having an outage: the next call fetches the "
                            + "discovery document again.");
        }
        if (!r.ok()) {
            boolean notFound = r.status() == 404;
            throw new TokenException(Diagnosis.builder("The OIDC discovery document of " + issuer
                            + " could not be read: HTTP " + r.status() + ".")
                    .code(notFound ? "oidc.discovery-not-found" : "oidc.discovery-failed")
                    .likelyCause(notFound
                            ? "The issuer URL is not the identity provider's issuer (a typo, a missing tenant or "
                                    + "realm path, or a trailing path such as /oauth2/v2.0/token)."
                            : "The identity provider or a proxy refused the request.")
                    .evidence("discovery URL", HttpTokenSupport.describe(discoveryUrl))
                    .evidence("HTTP status", r.status())
                    .evidence("response", r.bodyShape())
                    .fix("Set the issuer to the exact 'iss' of the provider's tokens (for example "
                            + "https://login.microsoftonline.com/<tenant>/v2.0, https://<org>.okta.com/oauth2/default, "
                            + "https://<host>/realms/<realm>) so that " + WELL_KNOWN + " resolves, or set tokenEndpoint "
                            + "explicitly to skip discovery.")
                    .build(), false);
        }
        Map<String, Object> doc = Json.object(r.body()).orElseThrow(() -> HttpTokenSupport.malformed(
                "the OIDC discovery endpoint", "oidc.discovery-malformed", r, discoveryUrl, "a JSON discovery document",
                "The URL serves a web page or a proxy answered instead of the identity provider.",
                "Check the issuer URL, or set tokenEndpoint explicitly to skip discovery."));
        String documentIssuer = Json.string(doc, "issuer").orElse(null);
        if (documentIssuer == null || !trimSlash(documentIssuer).equals(trimSlash(issuer.toString()))) {
            throw new TokenException(Diagnosis.builder("The OIDC discovery document at " + HttpTokenSupport.describe(discoveryUrl)
                            + " is for another issuer than the configured one.")
                    .code("oidc.issuer-mismatch")
                    .likelyCause("The configured issuer is an alias of the provider's issuer (another host name, a "
                            + "missing version path), or a multi-tenant endpoint such as /common.")
                    .evidence("configured issuer", issuer)
                    .evidence("document issuer", documentIssuer == null ? "(missing)" : cap(documentIssuer))
                    .fix("Set the issuer to the document's 'issuer' value exactly (OpenID Connect Discovery §4.3), "
                            + "or set tokenEndpoint explicitly to skip discovery.")
                    .build(), false);
        }
        String tokenEndpoint = Json.string(doc, "token_endpoint").orElseThrow(() -> HttpTokenSupport.malformed(
                "the OIDC discovery endpoint", "oidc.discovery-malformed", r, discoveryUrl, "token_endpoint",
                "The provider does not offer an OAuth token endpoint for this issuer.",
                "Set tokenEndpoint explicitly if the provider has one elsewhere."));
        URI endpoint = Endpoints.requireSafe(tokenEndpoint, "token_endpoint of the discovery document");
        return new Metadata(documentIssuer, endpoint, strings(doc.get("token_endpoint_auth_methods_supported")),
                strings(doc.get("grant_types_supported")));
    }

    private static List<String> strings(Object value) {
        if (!(value instanceof List)) {
            return List.of();
        }
        return ((List<?>) value).stream().filter(String.class::isInstance).map(String.class::cast)
                .map(OidcDiscovery::cap).toList();
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String cap(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    @Override
    public String toString() {
        return "OidcDiscovery{issuer=" + issuer + ", fetched=" + (metadata != null) + "}";
    }
}
