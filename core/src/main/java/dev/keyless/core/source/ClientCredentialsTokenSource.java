package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.internal.ClientAssertions;
import dev.keyless.core.internal.Endpoints;
import dev.keyless.core.internal.HttpExchange;
import dev.keyless.core.internal.HttpTokenSupport;
import dev.keyless.core.internal.Json;
import dev.keyless.core.internal.OidcDiscovery;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mints a fresh identity token on every call at a corporate identity provider, with the OAuth 2.0 client
 * credentials grant (RFC 6749 §4.4) or, as an option, by exchanging another source's token (RFC 8693).
 *
 * <p>The provider is found by OpenID Connect discovery from its issuer URL (the discovery document is
 * fetched once, on first use, and fetched again after a failure), or given as an explicit token endpoint.
 * The client authenticates with {@code client_secret_basic}, {@code client_secret_post} or
 * {@code private_key_jwt} (RFC 7523: a new signed assertion per attempt). The requested audience is sent as
 * the {@code audience} parameter, or as {@code resource} (RFC 8707), or not at all; the returned token is
 * the {@code id_token} when the response has one, else the {@code access_token}, which must then be a JWT.
 *
 * <p>By default: {@code client_secret_basic} when a secret is given, {@code private_key_jwt} when a key is
 * given; the audience travels as {@code audience} and the token must carry it; assertions live 60 seconds;
 * 3 attempts per call with a 10 second timeout each, retrying 5xx, 429 and time-outs with jittered backoff.
 * Nothing is cached but the discovery metadata: caching tokens is the refresh engine's job.
 *
 * <p>Immutable and thread-safe. The client secret, client assertions, subject tokens and returned tokens
 * never appear in messages, logs or {@link #toString()}.
 */
public final class ClientCredentialsTokenSource implements TokenSource {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCredentialsTokenSource.class);

    /** The {@code grant_type} of RFC 8693 token exchange. */
    public static final String TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    /** The RFC 8693 token type of a JWT, the default {@code subject_token_type}. */
    public static final String JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";

    private static final int MAX_DESCRIPTION = 300;

    /** How the client proves its identity at the token endpoint (OpenID Connect Core §9 names). */
    public enum ClientAuthMethod {
        /** Client id and secret in an HTTP Basic {@code Authorization} header, each form-encoded first (RFC 6749 §2.3.1). */
        CLIENT_SECRET_BASIC("client_secret_basic"),
        /** Client id and secret as form parameters in the request body. */
        CLIENT_SECRET_POST("client_secret_post"),
        /** A JWT signed with the client's private key (RFC 7523), new for every attempt. */
        PRIVATE_KEY_JWT("private_key_jwt"),
        /** Only {@code client_id} (a public client), for providers that allow token exchange without a credential. */
        NONE("none");

        private final String wireName;

        ClientAuthMethod(String wireName) {
            this.wireName = wireName;
        }

        /** The name used in discovery documents, such as {@code client_secret_basic}. */
        public String wireName() {
            return wireName;
        }
    }

    /** Which request parameter carries the audience of the {@link TokenRequest}. */
    public enum AudienceParameter {
        /** {@code audience=...} (Auth0, Okta, Keycloak token exchange, RFC 8693). */
        AUDIENCE("audience"),
        /** {@code resource=...} (RFC 8707 resource indicators; Entra ID v1, ADFS). */
        RESOURCE("resource"),
        /**
         * Nothing is sent: the provider decides the audience (for example from the scope), and a requested
         * audience is only checked against the token's {@code aud}.
         */
        NONE(null);

        private final String parameterName;

        AudienceParameter(String parameterName) {
            this.parameterName = parameterName;
        }

        /** The form parameter name, empty for {@link #NONE}. */
        public Optional<String> parameterName() {
            return Optional.ofNullable(parameterName);
        }
    }

    /** Which token of the response is returned. */
    public enum TokenChoice {
        /** The {@code id_token} when the response has one, else the {@code access_token}. */
        PREFER_ID_TOKEN,
        /** The {@code access_token} when it is a JWT, else the {@code id_token} when there is one. */
        PREFER_ACCESS_TOKEN,
        /** Only the {@code id_token}; a response without one is an error. */
        ID_TOKEN_ONLY,
        /** Only the {@code access_token}, which must be a JWT. */
        ACCESS_TOKEN_ONLY
    }

    private final URI issuer;
    private final URI explicitTokenEndpoint;
    private final OidcDiscovery discovery;
    private final String clientId;
    private final String clientSecret;
    private final ClientAuthMethod authMethod;
    private final ClientAssertions.Signer signer;
    private final Duration assertionLifetime;
    private final List<String> scopes;
    private final AudienceParameter audienceParameter;
    private final List<String> resources;
    private final TokenChoice tokenChoice;
    private final boolean verifyAudience;
    private final TokenSource subjectSource;
    private final TokenRequest subjectRequest;
    private final String subjectTokenType;
    private final String requestedTokenType;
    private final Clock clock;
    private final HttpExchange http;
    private final String name;

    private ClientCredentialsTokenSource(Builder b, ClientAuthMethod authMethod, ClientAssertions.Signer signer,
            HttpExchange http) {
        this.issuer = b.issuer;
        this.explicitTokenEndpoint = b.tokenEndpoint;
        this.http = http;
        this.discovery = b.issuer == null ? null : new OidcDiscovery(b.issuer, http);
        this.clientId = b.clientId;
        this.clientSecret = b.clientSecret;
        this.authMethod = authMethod;
        this.signer = signer;
        this.assertionLifetime = b.assertionLifetime;
        this.scopes = List.copyOf(b.scopes);
        this.audienceParameter = b.audienceParameter;
        this.resources = List.copyOf(b.resources);
        this.tokenChoice = b.tokenChoice;
        this.verifyAudience = b.verifyAudience;
        this.subjectSource = b.subjectSource;
        this.subjectRequest = b.subjectRequest;
        this.subjectTokenType = b.subjectSource == null ? null
                : b.subjectTokenType != null ? b.subjectTokenType : JWT_TOKEN_TYPE;
        this.requestedTokenType = b.requestedTokenType;
        this.clock = b.clock;
        this.name = (subjectSource == null ? "oauth-client-credentials:" : "oauth-token-exchange:")
                + HttpTokenSupport.describe(issuer != null ? issuer : explicitTokenEndpoint);
    }

    /** Starts a builder; an issuer (or token endpoint), a client id and a credential are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        URI endpoint = tokenEndpoint();
        Optional<String> audience = request.audience();
        IdentityToken subject = subjectSource == null ? null : subjectSource.token(subjectRequest);
        List<String[]> form = form(audience, subject);
        HttpExchange.Response response = http.send(() -> post(endpoint, form),
                "the token endpoint " + HttpTokenSupport.describe(endpoint), HttpExchange::isTransientStatus);
        if (!response.ok()) {
            throw failure(response, endpoint, audience, subject);
        }
        IdentityToken token = chooseToken(response, endpoint);
        checkAudience(token, request);
        LOG.debug("{} issued {}", name, token);
        return token;
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code false} only when the audience parameter is {@link AudienceParameter#NONE}. */
    @Override
    public boolean supportsRequestedAudience() {
        return audienceParameter != AudienceParameter.NONE;
    }

    /** The client id (an identifier, not a secret). */
    public String clientId() {
        return clientId;
    }

    /** How the client authenticates. */
    public ClientAuthMethod clientAuthMethod() {
        return authMethod;
    }

    private URI tokenEndpoint() {
        return explicitTokenEndpoint != null ? explicitTokenEndpoint : discovery.metadata().tokenEndpoint();
    }

    // ---- request ----

    private List<String[]> form(Optional<String> audience, IdentityToken subject) {
        List<String[]> form = new ArrayList<>();
        if (subject == null) {
            form.add(pair("grant_type", "client_credentials"));
        } else {
            form.add(pair("grant_type", TOKEN_EXCHANGE_GRANT));
            form.add(pair("subject_token", subject.value()));
            form.add(pair("subject_token_type", subjectTokenType));
            if (requestedTokenType != null) {
                form.add(pair("requested_token_type", requestedTokenType));
            }
        }
        if (!scopes.isEmpty()) {
            form.add(pair("scope", String.join(" ", scopes)));
        }
        audience.ifPresent(a -> audienceParameter.parameterName().ifPresent(p -> form.add(pair(p, a))));
        for (String resource : resources) {
            form.add(pair("resource", resource));
        }
        return form;
    }

    /** A fresh request per attempt, so that a client assertion (and its jti) is never sent twice. */
    private HttpRequest.Builder post(URI endpoint, List<String[]> base) {
        List<String[]> form = new ArrayList<>(base);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        switch (authMethod) {
            case CLIENT_SECRET_BASIC:
                String credentials = formEncode(clientId) + ":" + formEncode(clientSecret);
                request.header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
                break;
            case CLIENT_SECRET_POST:
                form.add(pair("client_id", clientId));
                form.add(pair("client_secret", clientSecret));
                break;
            case PRIVATE_KEY_JWT:
                form.add(pair("client_id", clientId));
                form.add(pair("client_assertion_type", ClientAssertions.JWT_BEARER));
                form.add(pair("client_assertion", signer.sign(clientId, endpoint, clock, assertionLifetime)));
                break;
            default:
                form.add(pair("client_id", clientId));
        }
        StringJoiner body = new StringJoiner("&");
        for (String[] p : form) {
            body.add(formEncode(p[0]) + "=" + formEncode(p[1]));
        }
        return request.POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }

    private static String[] pair(String name, String value) {
        return new String[] {name, value};
    }

    /** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 and Appendix B ask for ids and secrets too. */
    private static String formEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- response ----

    private IdentityToken chooseToken(HttpExchange.Response response, URI endpoint) {
        Map<String, Object> json = Json.object(response.body()).orElseThrow(() -> HttpTokenSupport.malformed(
                "the token endpoint", "idp.malformed-response", response, endpoint, "a JSON token response",
                "A proxy or a web page answered instead of the identity provider's token endpoint.",
                "Check the issuer or tokenEndpoint URL; `keyless doctor` shows what the endpoint returns."));
        String idToken = Json.string(json, "id_token").filter(s -> !s.isBlank()).orElse(null);
        String accessToken = Json.string(json, "access_token").filter(s -> !s.isBlank()).orElse(null);
        String chosen;
        String field;
        switch (tokenChoice) {
            case ID_TOKEN_ONLY:
                chosen = idToken;
                field = "id_token";
                break;
            case ACCESS_TOKEN_ONLY:
                chosen = accessToken;
                field = "access_token";
                break;
            case PREFER_ACCESS_TOKEN:
                boolean accessIsJwt = accessToken != null && parts(accessToken) == 3;
                chosen = accessIsJwt || idToken == null ? accessToken : idToken;
                field = accessIsJwt || idToken == null ? "access_token" : "id_token";
                break;
            default:
                chosen = idToken != null ? idToken : accessToken;
                field = idToken != null ? "id_token" : "access_token";
        }
        if (chosen == null) {
            throw HttpTokenSupport.malformed("the token endpoint", "idp.no-token", response, endpoint, field,
                    "The identity provider answered without the token this source is configured to return "
                            + "(tokenChoice " + tokenChoice + ").",
                    tokenChoice == TokenChoice.ID_TOKEN_ONLY
                            ? "Most providers issue no id_token for client credentials: use TokenChoice.PREFER_ID_TOKEN "
                                    + "to fall back to a JWT access token."
                            : "Check that the client is allowed the grant and that the endpoint is an OAuth token endpoint.");
        }
        int parts = parts(chosen);
        if (parts != 3) {
            throw notAJwt(response, json, field, chosen.length(), parts);
        }
        return HttpTokenSupport.parseToken(chosen, "the " + field + " of " + name, response);
    }

    private TokenException notAJwt(HttpExchange.Response response, Map<String, Object> json, String field, int length,
            int parts) {
        boolean encrypted = parts == 5;
        Diagnosis.Builder d = Diagnosis.builder("The identity provider returned " + (encrypted ? "an encrypted (JWE) "
                        : "an opaque ") + field + ", but a JWT is needed to federate with a cloud.")
                .code(encrypted ? "idp.encrypted-access-token" : "idp.opaque-access-token")
                .likelyCause(encrypted
                        ? "Token encryption is enabled for this client or API, so no one but the API can read the token."
                        : "The provider issues reference (opaque) access tokens unless a JWT-format API audience or "
                                + "resource is requested.")
                .evidence("token endpoint", HttpTokenSupport.describe(tokenEndpointOrNull()))
                .evidence("token field", field)
                .evidence("token length", length)
                .evidence("dot-separated parts", parts)
                .evidence("token_type", Json.string(json, "token_type").map(ClientCredentialsTokenSource::cap).orElse(null))
                .evidence("response members", HttpTokenSupport.jsonMemberNames(response));
        Json.string(json, "issued_token_type").ifPresent(t -> d.evidence("issued_token_type", cap(t)));
        d.fix(encrypted
                ? "Turn off access-token encryption for this client/API at the identity provider."
                : "Make the identity provider issue JWT access tokens: request an API audience it signs JWTs for "
                        + "(Auth0: the API identifier as audience; Okta: a custom authorization server such as "
                        + "/oauth2/default; Entra ID: scope '<your API's Application ID URI>/.default'; Ping/"
                        + "ForgeRock: enable the JWT access-token format), or use an id_token if the provider issues one.");
        return new TokenException(d.build(), false);
    }

    private static int parts(String token) {
        return (int) token.strip().chars().filter(c -> c == '.').count() + 1;
    }

    private URI tokenEndpointOrNull() {
        if (explicitTokenEndpoint != null) {
            return explicitTokenEndpoint;
        }
        return discovery.cached().map(OidcDiscovery.Metadata::tokenEndpoint).orElse(issuer);
    }

    private void checkAudience(IdentityToken token, TokenRequest request) {
        Optional<String> requested = request.audience();
        if (requested.isEmpty()) {
            return;
        }
        if (audienceParameter == AudienceParameter.NONE) {
            HttpTokenSupport.requireRequestedAudience(token, request, name, "idp.audience-fixed",
                    "The audience parameter is set to NONE, so the identity provider chooses the audience itself "
                            + "(for example from the scope).",
                    "Request the audience the provider issues, configure the provider (or the scope) so that its "
                            + "tokens carry '" + requested.get() + "', or send the audience with "
                            + "audienceParameter(AUDIENCE) or audienceParameter(RESOURCE) if the provider honours it.");
            return;
        }
        if (verifyAudience && !token.audience().contains(requested.get())) {
            String parameter = audienceParameter.parameterName().orElseThrow();
            throw new ConfigurationException(Diagnosis.builder("The identity provider ignored the requested audience '"
                            + requested.get() + "': the token it issued does not carry it.")
                    .code("idp.audience-ignored")
                    .likelyCause("The provider does not take the audience from the '" + parameter + "' parameter "
                            + "(Entra ID derives it from the scope; some providers read 'resource' instead of "
                            + "'audience'), or it maps the audience to another value.")
                    .evidence("sent as", parameter)
                    .evidence("requested audience", requested.get())
                    .evidence("token aud", token.audience().isEmpty() ? "(none)" : String.join(", ", token.audience()))
                    .evidence("token iss", token.issuer())
                    .evidence("scope", scopes.isEmpty() ? null : String.join(" ", scopes))
                    .fix("Send the audience the way the provider expects (audienceParameter(" + (parameter.equals("audience")
                            ? "RESOURCE" : "AUDIENCE") + ") or a scope such as '<audience>/.default'), request the "
                            + "audience the provider issues, or turn the check off with verifyAudience(false) if the "
                            + "cloud accepts the audience the provider returns.")
                    .build());
        }
    }

    // ---- errors ----

    private KeylessException failure(HttpExchange.Response r, URI endpoint, Optional<String> audience,
            IdentityToken subject) {
        OAuthError error = OAuthError.parse(r).orElse(null);
        String shownEndpoint = HttpTokenSupport.describe(endpoint);
        if (HttpExchange.isTransientStatus(r)) {
            TokenException e = HttpTokenSupport.unavailable("the token endpoint", "idp.unavailable", r, endpoint,
                    "Nothing to change if the identity provider is having an outage: the call is retried on the next "
                            + "refresh. Persistent 429s mean too many clients share one rate limit.");
            if (error == null) {
                return e;
            }
            return new TokenException(error.addTo(e.diagnosis().toBuilder()).build(), true);
        }
        if (r.status() >= 300 && r.status() < 400) {
            String location = r.headers().firstValue("Location").map(ClientCredentialsTokenSource::describeLocation)
                    .orElse("(none)");
            return new TokenException(Diagnosis.builder("The token endpoint " + shownEndpoint + " redirected (HTTP "
                            + r.status() + ") instead of answering; credentials are not sent after a redirect.")
                    .code("idp.redirect")
                    .likelyCause("The URL is not the final token endpoint: another host name, http instead of "
                            + "https, or a missing path segment.")
                    .evidence("token endpoint", shownEndpoint)
                    .evidence("HTTP status", r.status())
                    .evidence("redirect to", location)
                    .fix("Configure the final URL (the redirect target if you trust it) as issuer or tokenEndpoint.")
                    .build(), false);
        }
        if (error == null) {
            return new TokenException(Diagnosis.builder("The token endpoint " + shownEndpoint + " answered HTTP "
                            + r.status() + " with a body that is not an OAuth error.")
                    .code("idp.unexpected-response")
                    .likelyCause(r.status() == 404 || r.status() == 405
                            ? "The URL is not an OAuth token endpoint (wrong path, or a web page)."
                            : "A proxy, gateway or firewall answered instead of the identity provider.")
                    .evidence("token endpoint", shownEndpoint)
                    .evidence("HTTP status", r.status())
                    .evidence("response", r.bodyShape())
                    .evidence("JSON members", HttpTokenSupport.jsonMemberNames(r))
                    .fix("Check the issuer or tokenEndpoint URL and any proxy between this machine and the identity "
                            + "provider; the provider's token endpoint answers OAuth errors as JSON.")
                    .build(), false);
        }
        Diagnosis.Builder d;
        boolean retryable = false;
        String grant = subject == null ? "client_credentials" : TOKEN_EXCHANGE_GRANT;
        switch (error.code) {
            case "invalid_client":
                d = invalidClient();
                break;
            case "unauthorized_client":
                d = Diagnosis.builder("The identity provider does not allow client '" + clientId + "' to use the "
                                + grant + " grant (unauthorized_client).")
                        .code("idp.unauthorized-client")
                        .likelyCause("The grant type is not enabled for this client (application) at the provider.")
                        .evidence("grant_type", grant)
                        .fix("Enable the " + (subject == null ? "client credentials" : "token exchange")
                                + " grant for client '" + clientId + "' at the identity provider (in Okta and Auth0 "
                                + "the application's grant types; in Keycloak 'Service accounts roles' or "
                                + "'Standard token exchange').");
                break;
            case "invalid_scope":
                d = Diagnosis.builder("The identity provider rejected the requested scope (invalid_scope).")
                        .code("idp.invalid-scope")
                        .likelyCause("The scope does not exist, is not granted to this client, or is not allowed "
                                + "with this grant (OIDC scopes such as openid are often refused for client credentials).")
                        .evidence("scope", scopes.isEmpty() ? "(none sent)" : String.join(" ", scopes))
                        .fix("Request a scope that is defined and granted to client '" + clientId + "' (Entra ID: "
                                + "'<Application ID URI>/.default'), or none if the provider needs none.");
                break;
            case "invalid_target":
                d = Diagnosis.builder("The identity provider does not accept the requested audience or resource "
                                + "(invalid_target).")
                        .code("idp.invalid-target")
                        .likelyCause("No API/resource with that identifier is registered at the provider, or "
                                + "the client may not request tokens for it.")
                        .evidence("audience parameter", audienceParameter.parameterName().orElse("(not sent)"))
                        .evidence("requested audience", audience.orElse("(none)"))
                        .evidence("resource", resources.isEmpty() ? "(none)" : String.join(", ", resources))
                        .fix("Register the audience as an API/resource at the identity provider and grant client '"
                                + clientId + "' access to it, or request an audience that is registered.");
                break;
            case "invalid_grant":
                d = Diagnosis.builder(subject == null
                                ? "The identity provider rejected the grant (invalid_grant)."
                                : "The identity provider rejected the subject token (invalid_grant).")
                        .code("idp.invalid-grant")
                        .likelyCause(subject == null
                                ? "The client's grant is disabled or its credentials or consent were revoked."
                                : "The provider does not trust the subject token's issuer, or the token is expired "
                                        + "or has an audience the provider does not accept.");
                if (subject != null) {
                    d.evidence("subject source", subjectSource.name())
                            .evidence("subject iss", subject.issuer())
                            .evidence("subject sub", subject.subject())
                            .evidence("subject aud", String.join(", ", subject.audience()))
                            .evidence("subject_token_type", subjectTokenType)
                            .fix("Configure the identity provider to trust tokens from issuer '" + subject.issuer()
                                    + "' for token exchange (an identity provider / federation trust), and request the "
                                    + "subject token with the audience it expects (subjectTokenRequest).");
                } else {
                    d.fix("Check that client '" + clientId + "' is enabled and allowed the client credentials grant.");
                }
                break;
            case "unsupported_grant_type":
                d = Diagnosis.builder("The identity provider does not support the " + grant + " grant "
                                + "(unsupported_grant_type).")
                        .code("idp.unsupported-grant-type")
                        .likelyCause(subject == null
                                ? "The endpoint is not an OAuth 2.0 token endpoint with client credentials."
                                : "The provider (or this authorization server) has no RFC 8693 token exchange.")
                        .evidence("grant_type", grant)
                        .fix(subject == null
                                ? "Use the provider's token endpoint for client credentials."
                                : "Enable token exchange at the provider, or use client credentials without tokenExchange(...).");
                break;
            case "temporarily_unavailable":
            case "server_error":
                retryable = true;
                d = Diagnosis.builder("The identity provider reported a transient error (" + error.code + ").")
                        .code("idp.unavailable")
                        .likelyCause("The provider is overloaded or briefly unavailable.")
                        .fix("Nothing to change: the call is retried on the next refresh.");
                break;
            default:
                d = Diagnosis.builder("The identity provider refused the token request (" + error.code + ").")
                        .code("idp.error")
                        .likelyCause("The request does not match the client's configuration at the provider; its "
                                + "description below says which part.")
                        .fix("Compare the provider's error description with this source's configuration (grant, "
                                + "scope, audience, client authentication).");
        }
        d.evidence("token endpoint", shownEndpoint).evidence("HTTP status", r.status());
        return new TokenException(error.addTo(d).build(), retryable);
    }

    private Diagnosis.Builder invalidClient() {
        List<String> supported = discovery == null ? null
                : discovery.cached().map(OidcDiscovery.Metadata::tokenEndpointAuthMethods).orElse(null);
        String supportedText = supported == null
                ? "(unknown: " + (discovery == null ? "tokenEndpoint is set explicitly, no discovery)" : "no discovery yet)")
                : supported.isEmpty() ? "(not listed; the OAuth default is client_secret_basic)" : String.join(", ", supported);
        boolean listedButNotOurs = supported != null && !supported.isEmpty() && !supported.contains(authMethod.wireName());
        Diagnosis.Builder d = Diagnosis.builder("The identity provider rejected the authentication of client '"
                        + clientId + "' with " + authMethod.wireName() + " (invalid_client).")
                .code("idp.invalid-client")
                .likelyCause(listedButNotOurs
                        ? "The provider does not accept " + authMethod.wireName() + " at this token endpoint."
                        : authMethod == ClientAuthMethod.PRIVATE_KEY_JWT
                                ? "The provider does not know the signing key (the public key or certificate is not "
                                        + "registered, or the kid differs), the client expects another method, or "
                                        + "this machine's clock is off."
                                : "The client id or secret is wrong, expired or rotated, or the client expects "
                                        + "another authentication method.")
                .evidence("client_id", clientId)
                .evidence("auth method used", authMethod.wireName())
                .evidence("auth methods supported", supportedText);
        if (signer != null) {
            d.evidence("assertion alg", signer.algorithm()).evidence("assertion kid", signer.keyId());
        }
        String credentials = authMethod == ClientAuthMethod.PRIVATE_KEY_JWT
                ? "Register the public key (or certificate) of the signing key for client '" + clientId
                        + "' at the identity provider, and set keyId to its kid if the provider requires one."
                : "Check the client id and secret (a secret copied with a trailing newline, or an expired secret, "
                        + "is a common cause), and that the client is confidential.";
        if (!listedButNotOurs) {
            return d.fix(credentials);
        }
        // Suggest a method this source can use with the credential it already has, if the provider lists one.
        String usable = supported.stream()
                .filter(m -> signer != null ? m.equals("private_key_jwt")
                        : m.equals("client_secret_basic") || m.equals("client_secret_post"))
                .findFirst()
                .map(m -> "set clientAuthMethod(" + m.toUpperCase(Locale.ROOT) + ")")
                .orElse(signer != null ? "pass a client secret with CLIENT_SECRET_BASIC or CLIENT_SECRET_POST"
                        : "register a key and use privateKey(...) with PRIVATE_KEY_JWT");
        return d.fix("The provider lists " + String.join(", ", supported) + " but not " + authMethod.wireName()
                + ": " + usable + ". " + credentials);
    }

    private static String describeLocation(String location) {
        try {
            URI uri = URI.create(location.strip());
            return uri.getHost() == null ? "(a relative URL)" : HttpTokenSupport.describe(uri);
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }

    /** Server text: shown, but printable characters only and capped. */
    static String cap(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]+", " ").strip();
        return clean.length() <= MAX_DESCRIPTION ? clean : clean.substring(0, MAX_DESCRIPTION) + "... (cut)";
    }

    /** An OAuth error response (RFC 6749 §5.2), its server texts sanitised. */
    private static final class OAuthError {
        final String code;
        final String description;
        final String uri;

        private OAuthError(String code, String description, String uri) {
            this.code = code;
            this.description = description;
            this.uri = uri;
        }

        static Optional<OAuthError> parse(HttpExchange.Response r) {
            return Json.object(r.body()).flatMap(o -> Json.string(o, "error")
                    .filter(e -> !e.isBlank())
                    .map(e -> new OAuthError(code(e),
                            Json.string(o, "error_description").map(ClientCredentialsTokenSource::cap).orElse(null),
                            Json.string(o, "error_uri").map(ClientCredentialsTokenSource::cap).orElse(null))));
        }

        private static String code(String e) {
            String c = e.strip();
            return c.matches("[A-Za-z0-9_.:-]{1,64}") ? c : "(an unrecognised error code)";
        }

        Diagnosis.Builder addTo(Diagnosis.Builder d) {
            d.evidence("error", code);
            if (description != null) {
                d.evidence("error_description", description);
            }
            if (uri != null) {
                d.evidence("error_uri", uri);
            }
            return d;
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ClientCredentialsTokenSource{");
        sb.append(issuer != null ? "issuer=" + issuer : "tokenEndpoint=" + HttpTokenSupport.describe(explicitTokenEndpoint));
        sb.append(", clientId=").append(clientId);
        sb.append(", clientAuthMethod=").append(authMethod.wireName());
        if (signer != null) {
            sb.append(", alg=").append(signer.algorithm()).append(", kid=").append(signer.keyId());
        }
        sb.append(", grant=").append(subjectSource == null ? "client_credentials" : "token-exchange");
        if (subjectSource != null) {
            sb.append(", subject=").append(subjectSource.name());
        }
        sb.append(", scope=").append(scopes);
        sb.append(", audienceParameter=").append(audienceParameter);
        if (!resources.isEmpty()) {
            sb.append(", resource=").append(resources);
        }
        sb.append(", tokenChoice=").append(tokenChoice);
        return sb.append('}').toString();
    }

    /**
     * Builds a {@link ClientCredentialsTokenSource}; each setter checks its value at once and {@link #build()}
     * checks the combination, naming the bad option.
     *
     * <p>By default: no scope, the audience sent as {@code audience}, {@link TokenChoice#PREFER_ID_TOKEN},
     * audience verified, 60 second assertions, the system UTC clock, 5 s connect and 10 s attempt timeouts,
     * 3 attempts with 250 ms to 2 s of jittered backoff.
     */
    public static final class Builder extends HttpSourceBuilder<Builder> {
        private URI issuer;
        private URI tokenEndpoint;
        private String clientId;
        private String clientSecret;
        private ClientAuthMethod authMethod;
        private PrivateKey privateKey;
        private String privateKeyPem;
        private String privateKeyJwk;
        private String keyId;
        private String signingAlgorithm;
        private Duration assertionLifetime = Duration.ofSeconds(60);
        private List<String> scopes = List.of();
        private AudienceParameter audienceParameter = AudienceParameter.AUDIENCE;
        private List<String> resources = List.of();
        private TokenChoice tokenChoice = TokenChoice.PREFER_ID_TOKEN;
        private boolean verifyAudience = true;
        private TokenSource subjectSource;
        private TokenRequest subjectRequest = TokenRequest.sourceDefault();
        private String subjectTokenType;
        private String requestedTokenType;
        private Clock clock = Clock.systemUTC();

        private Builder() {
            super(Duration.ofSeconds(5), Duration.ofSeconds(10), 3, Duration.ofMillis(250), Duration.ofSeconds(2));
        }

        /**
         * The identity provider's issuer URL (its tokens' {@code iss}); the token endpoint is then found at
         * {@code <issuer>/.well-known/openid-configuration}. Must be https (http only on loopback).
         */
        public Builder issuer(String issuerUrl) {
            this.issuer = Endpoints.requireSafe(issuerUrl, "issuer");
            return this;
        }

        /** The token endpoint URL, to skip discovery. Must be https (http only on loopback). */
        public Builder tokenEndpoint(String url) {
            this.tokenEndpoint = Endpoints.requireSafe(url, "tokenEndpoint");
            return this;
        }

        /** The OAuth client id (required). */
        public Builder clientId(String clientId) {
            this.clientId = ConfigurationException.requireText("clientId", clientId, "Pass the client (application) id registered at the identity provider.");
            return this;
        }

        /** The client secret; by default it is sent with {@code client_secret_basic}. Never logged or shown. */
        public Builder clientSecret(String clientSecret) {
            if (clientSecret == null || clientSecret.isEmpty()) {
                throw ConfigurationException.badOption("clientSecret", "it is empty",
                        "Pass the client secret, read from a secret store or an environment variable.");
            }
            this.clientSecret = clientSecret;
            return this;
        }

        /** How the client authenticates; by default derived from the credential given (secret: basic, key: JWT). */
        public Builder clientAuthMethod(ClientAuthMethod method) {
            this.authMethod = nonNull("clientAuthMethod", method);
            return this;
        }

        /** The private key (RSA, or EC on P-256/384/521) that signs {@code private_key_jwt} assertions. */
        public Builder privateKey(PrivateKey key) {
            this.privateKey = nonNull("privateKey", key);
            return this;
        }

        /**
         * The private key as PEM text: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1
         * {@code EC PRIVATE KEY}, unencrypted.
         */
        public Builder privateKeyPem(String pem) {
            this.privateKeyPem = nonNull("privateKeyPem", pem);
            return this;
        }

        /** The private key as a JWK (JSON); its {@code kid} and {@code alg} are used unless set here. */
        public Builder privateKeyJwk(String jwkJson) {
            this.privateKeyJwk = nonNull("privateKeyJwk", jwkJson);
            return this;
        }

        /** The {@code kid} header of assertions, as registered at the provider; by default none (or the JWK's). */
        public Builder keyId(String keyId) {
            this.keyId = ConfigurationException.requireText("keyId", keyId, "Pass the key id registered at the identity provider, or leave it unset.");
            return this;
        }

        /** The assertion's JWS algorithm; by default RS256 for RSA keys, ES256/384/512 by EC curve. */
        public Builder signingAlgorithm(String algorithm) {
            this.signingAlgorithm = ConfigurationException.requireText("signingAlgorithm", algorithm, "Pass a JWS algorithm such as RS256, PS256 or ES256.");
            return this;
        }

        /** How long an assertion is valid ({@code exp - iat}); by default 60 seconds, at most 10 minutes. */
        public Builder assertionLifetime(Duration lifetime) {
            if (lifetime == null || lifetime.getSeconds() < 1 || lifetime.compareTo(Duration.ofMinutes(10)) > 0) {
                throw ConfigurationException.badOption("assertionLifetime", "it is " + lifetime,
                        "Pass between 1 second and 10 minutes; providers reject long-lived assertions.");
            }
            this.assertionLifetime = lifetime;
            return this;
        }

        /** The scopes to request (sent space-separated); a value with spaces is split. By default none. */
        public Builder scope(String... scopes) {
            nonNull("scope", scopes);
            List<String> list = new ArrayList<>();
            for (String s : scopes) {
                nonNull("scope", s);
                Arrays.stream(s.strip().split("\\s+")).filter(x -> !x.isEmpty()).forEach(list::add);
            }
            this.scopes = List.copyOf(list);
            return this;
        }

        /** Which parameter carries the requested audience; by default {@link AudienceParameter#AUDIENCE}. */
        public Builder audienceParameter(AudienceParameter parameter) {
            this.audienceParameter = nonNull("audienceParameter", parameter);
            return this;
        }

        /** Resource indicators (RFC 8707) sent with every request, whatever the audience; by default none. */
        public Builder resource(String... resourceUris) {
            nonNull("resource", resourceUris);
            List<String> list = new ArrayList<>();
            for (String r : resourceUris) {
                list.add(ConfigurationException.requireText("resource", r, "Pass an absolute URI that identifies the resource, e.g. https://api.example.com."));
            }
            this.resources = List.copyOf(list);
            return this;
        }

        /** Which token of the response to return; by default {@link TokenChoice#PREFER_ID_TOKEN}. */
        public Builder tokenChoice(TokenChoice choice) {
            this.tokenChoice = nonNull("tokenChoice", choice);
            return this;
        }

        /**
         * Whether a token without the audience that was sent is an error; by default {@code true}. Turn it off
         * only for providers that map the requested audience to another value the cloud accepts.
         */
        public Builder verifyAudience(boolean verify) {
            this.verifyAudience = verify;
            return this;
        }

        /**
         * Uses RFC 8693 token exchange instead of client credentials: each call first takes a token from
         * {@code subjectSource} (for example GitHub Actions) and sends it as {@code subject_token}.
         */
        public Builder tokenExchange(TokenSource subjectSource) {
            this.subjectSource = nonNull("tokenExchange", subjectSource);
            return this;
        }

        /** The request made of the subject source; by default {@link TokenRequest#sourceDefault()}. */
        public Builder subjectTokenRequest(TokenRequest request) {
            this.subjectRequest = nonNull("subjectTokenRequest", request);
            return this;
        }

        /** The {@code subject_token_type}; by default {@value ClientCredentialsTokenSource#JWT_TOKEN_TYPE}. */
        public Builder subjectTokenType(String tokenTypeUri) {
            this.subjectTokenType = ConfigurationException.requireText("subjectTokenType", tokenTypeUri,
                    "Pass an RFC 8693 token type URI such as urn:ietf:params:oauth:token-type:id_token.");
            return this;
        }

        /** The {@code requested_token_type}; by default none is sent and the provider picks. */
        public Builder requestedTokenType(String tokenTypeUri) {
            this.requestedTokenType = ConfigurationException.requireText("requestedTokenType", tokenTypeUri,
                    "Pass an RFC 8693 token type URI such as urn:ietf:params:oauth:token-type:id_token.");
            return this;
        }

        /** The clock for assertion {@code iat}/{@code exp}; by default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = nonNull("clock", clock);
            return this;
        }

        /** Builds the source, checking that the options fit together. */
        public ClientCredentialsTokenSource build() {
            if (issuer == null && tokenEndpoint == null) {
                throw ConfigurationException.badOption("issuer", "neither issuer nor tokenEndpoint is set",
                        "Set issuer to the identity provider's issuer URL (discovery), or tokenEndpoint to its token endpoint.");
            }
            if (issuer != null && tokenEndpoint != null) {
                throw ConfigurationException.badOption("tokenEndpoint", "both issuer and tokenEndpoint are set",
                        "Set only one: issuer to use discovery, or tokenEndpoint to skip it.");
            }
            if (clientId == null) {
                throw ConfigurationException.badOption("clientId", "it is not set",
                        "Pass the client (application) id registered at the identity provider.");
            }
            int keys = (privateKey != null ? 1 : 0) + (privateKeyPem != null ? 1 : 0) + (privateKeyJwk != null ? 1 : 0);
            if (keys > 1) {
                throw ConfigurationException.badOption("privateKey", "more than one of privateKey, privateKeyPem and "
                        + "privateKeyJwk is set", "Pass the signing key once.");
            }
            ClientAuthMethod method = authMethod;
            if (method == null) {
                if (keys == 1 && clientSecret != null) {
                    throw ConfigurationException.badOption("clientAuthMethod", "both a client secret and a private key "
                            + "are set", "Set clientAuthMethod to say which to use, or pass only one credential.");
                }
                if (keys == 0 && clientSecret == null) {
                    throw ConfigurationException.badOption("clientSecret", "no client credential is set",
                            "Pass clientSecret(...) or a private key (privateKey, privateKeyPem, privateKeyJwk), or "
                                    + "clientAuthMethod(NONE) for a public client.");
                }
                method = keys == 1 ? ClientAuthMethod.PRIVATE_KEY_JWT : ClientAuthMethod.CLIENT_SECRET_BASIC;
            }
            boolean secretMethod = method == ClientAuthMethod.CLIENT_SECRET_BASIC || method == ClientAuthMethod.CLIENT_SECRET_POST;
            if (secretMethod && clientSecret == null) {
                throw ConfigurationException.badOption("clientSecret", "clientAuthMethod is " + method.wireName()
                        + " but no secret is set", "Pass clientSecret(...), or choose another clientAuthMethod.");
            }
            if (!secretMethod && clientSecret != null) {
                throw ConfigurationException.badOption("clientSecret", "a secret is set but clientAuthMethod is "
                        + method.wireName(), "Remove the secret, or use CLIENT_SECRET_BASIC or CLIENT_SECRET_POST.");
            }
            if (method != ClientAuthMethod.PRIVATE_KEY_JWT && (keys > 0 || keyId != null || signingAlgorithm != null)) {
                throw ConfigurationException.badOption("privateKey", "a signing key option is set but clientAuthMethod is "
                        + method.wireName(), "Remove the key options, or use PRIVATE_KEY_JWT.");
            }
            if (method == ClientAuthMethod.PRIVATE_KEY_JWT && keys == 0) {
                throw ConfigurationException.badOption("privateKey", "clientAuthMethod is private_key_jwt but no key is set",
                        "Pass privateKey(...), privateKeyPem(...) or privateKeyJwk(...).");
            }
            if (method == ClientAuthMethod.NONE && subjectSource == null) {
                throw ConfigurationException.badOption("clientAuthMethod", "NONE needs tokenExchange: the client "
                        + "credentials grant is for confidential clients only", "Pass a client secret or key.");
            }
            if (subjectSource == null && (subjectTokenType != null || requestedTokenType != null)) {
                throw ConfigurationException.badOption(subjectTokenType != null ? "subjectTokenType" : "requestedTokenType",
                        "it is set without tokenExchange", "Set tokenExchange(subjectSource) too, or remove the option.");
            }
            ClientAssertions.Signer signer = null;
            if (method == ClientAuthMethod.PRIVATE_KEY_JWT) {
                signer = privateKey != null ? ClientAssertions.forKey(privateKey, keyId, signingAlgorithm, "privateKey")
                        : privateKeyPem != null ? ClientAssertions.forPem(privateKeyPem, keyId, signingAlgorithm, "privateKeyPem")
                        : ClientAssertions.forJwk(privateKeyJwk, keyId, signingAlgorithm, "privateKeyJwk");
            }
            return new ClientCredentialsTokenSource(this, method, signer, http.exchange());
        }

        private static <T> T nonNull(String option, T value) {
            if (value == null) {
                throw ConfigurationException.badOption(option, "it is null", "Pass a value, or leave the option unset.");
            }
            return value;
        }
    }
}
