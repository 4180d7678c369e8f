package dev.keyless.testkit.azure;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.ClientAssertions;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.LocalTls;
import dev.keyless.testkit.azure.internal.EntraError;
import dev.keyless.testkit.azure.internal.FederationCheck;
import dev.keyless.testkit.azure.internal.IssuerKeys;
import dev.keyless.testkit.azure.internal.Rejection;
import dev.keyless.testkit.internal.http.Http;
import dev.keyless.testkit.internal.http.LoopbackServer;
import dev.keyless.testkit.internal.http.Request;
import dev.keyless.testkit.internal.jwt.KeyRing;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local Microsoft Entra ID (login.microsoftonline.com) over HTTPS on loopback: the v2.0 token endpoint for the
 * client credentials grant with a client assertion (workload identity federation), the metadata MSAL and verifiers
 * read, and federated identity credential matching that fails as Entra fails, with the same AADSTS codes and the
 * real error JSON.
 *
 * <p>Endpoints, under {@link #authorityHost()} ({@code https://127.0.0.1:PORT}):
 * <ul>
 *   <li>{@code POST /{tenant}/oauth2/v2.0/token}: {@code grant_type=client_credentials}, {@code client_id},
 *       {@code scope} ({@code RESOURCE/.default}), {@code client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer},
 *       {@code client_assertion}. The assertion is matched against the application's federated identity credentials
 *       (issuer exact; subject exact and case-sensitive, or a flexible {@code claimsMatchingExpression}; audience), its
 *       signature checked with the issuer's JWKS (fetched through the issuer's discovery document, on loopback only),
 *       and its {@code exp}/{@code nbf} checked against the clock. Errors: 90002, 70003, 900144, 7000218, 700016, 50027,
 *       70025, 700211, 50166, 90061, 7000272, 700027, 700024, 700213, 7002138, 70021, 700212, 1002012, 28000.</li>
 *   <li>{@code GET /{tenant}/v2.0/.well-known/openid-configuration} and {@code /{tenant}/.well-known/openid-configuration}.</li>
 *   <li>{@code GET /{tenant}/discovery/v2.0/keys} (and {@code /discovery/keys}): the keys issued access tokens are signed with.</li>
 *   <li>{@code GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...}: instance discovery. MSAL only
 *       calls it for well-known hosts, so Azure clients pointed here must disable instance discovery
 *       ({@code disableInstanceDiscovery()} in azure-identity); it is served for completeness.</li>
 * </ul>
 *
 * <p>Issued access tokens are RS256 JWTs with the v1 issuer {@code https://sts.windows.net/{tenant}/}, {@code aud} the
 * requested resource (the scope without {@code /.default}), {@code tid}, {@code oid}, {@code sub}, {@code appid},
 * {@code idtyp=app}, {@code iat}/{@code nbf}/{@code exp}, as Azure Storage expects them.
 *
 * <p>Clients must trust the emulator's self-signed certificate: see {@link LocalTls}. By default: the system UTC
 * clock, access tokens valid 1 hour, no clock skew allowed on assertions. Thread-safe.
 */
public final class LocalEntra implements AutoCloseable {
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access", "email");
    private static final Map<String, String> NO_CACHE = Map.of("Cache-Control", "no-store, no-cache");

    private final Clock clock;
    private final Duration accessTokenLifetime;
    private final Duration clockSkew;
    private final KeyRing keys = new KeyRing("RS256");
    private final IssuerKeys issuerKeys = new IssuerKeys();
    private final LoopbackServer server;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Map<String, EntraApplication> applications = new ConcurrentHashMap<>();
    private final Map<String, URI> trustedIssuers = new ConcurrentHashMap<>();
    private final List<RecordedTokenRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger keysRequests = new AtomicInteger();
    private final AtomicInteger instanceDiscoveryRequests = new AtomicInteger();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;
    private volatile Duration delay = Duration.ZERO;
    private final AtomicReference<Hold> hold = new AtomicReference<>();

    private LocalEntra(Builder b) {
        this.clock = b.clock;
        this.accessTokenLifetime = b.accessTokenLifetime;
        this.clockSkew = b.clockSkew;
        this.server = LoopbackServer.startHttps("entra", this::handle);
    }

    /** Starts an emulator with the defaults. */
    public static LocalEntra start() {
        return builder().start();
    }

    /** A builder for another clock, token lifetime or clock skew. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ registration

    /** Registers a tenant (idempotent): requests to other tenants fail with AADSTS90002. */
    public LocalEntra registerTenant(String tenantId) {
        tenants.add(requireText(tenantId, "tenantId"));
        return this;
    }

    /** Registers an application in a tenant (registering the tenant too), named after its client id. */
    public EntraApplication registerApplication(String tenantId, String clientId) {
        return registerApplication(tenantId, clientId, "keyless-test-app-" + clientId);
    }

    /**
     * Registers an application in a tenant (registering the tenant too).
     *
     * @throws IllegalArgumentException when the client id is already registered in that tenant
     */
    public EntraApplication registerApplication(String tenantId, String clientId, String displayName) {
        registerTenant(tenantId);
        requireText(clientId, "clientId");
        String objectId = UUID.nameUUIDFromBytes(("sp:" + tenantId + "/" + clientId).getBytes(StandardCharsets.UTF_8)).toString();
        EntraApplication app = new EntraApplication(tenantId, clientId, objectId, Objects.requireNonNull(displayName, "displayName"));
        if (applications.putIfAbsent(key(tenantId, clientId), app) != null) {
            throw new IllegalArgumentException("Application " + clientId + " is already registered in tenant " + tenantId);
        }
        return app;
    }

    /** A registered application. */
    public Optional<EntraApplication> application(String tenantId, String clientId) {
        return Optional.ofNullable(applications.get(key(tenantId, clientId)));
    }

    /**
     * Tells the emulator where the discovery document of an issuer is served, for an issuer whose {@code iss} is not
     * its own loopback URL (e.g. a {@link LocalIssuer} minting {@code https://token.actions.githubusercontent.com}
     * tokens). Issuers whose {@code iss} is a loopback URL need no registration.
     */
    public LocalEntra trustIssuer(LocalIssuer issuer) {
        return trustIssuer(issuer.issuerUrl(), issuer.discoveryUrl());
    }

    /** As {@link #trustIssuer(LocalIssuer)}, for any issuer: {@code discoveryUrl} must be on loopback. */
    public LocalEntra trustIssuer(String issuer, URI discoveryUrl) {
        trustedIssuers.put(requireText(issuer, "issuer"), Objects.requireNonNull(discoveryUrl, "discoveryUrl"));
        return this;
    }

    // ------------------------------------------------------------------ addresses

    /** {@code https://127.0.0.1:PORT}: the authority host for azure-identity ({@code authorityHost(...)}). */
    public URI authorityHost() {
        return server.baseUri();
    }

    /** {@code <authorityHost>/<tenant>/oauth2/v2.0/token}. */
    public URI tokenEndpoint(String tenantId) {
        return URI.create(server.baseUri() + "/" + tenantId + "/oauth2/v2.0/token");
    }

    /** {@code <authorityHost>/<tenant>/v2.0/.well-known/openid-configuration}. */
    public URI discoveryUrl(String tenantId) {
        return URI.create(server.baseUri() + "/" + tenantId + "/v2.0/.well-known/openid-configuration");
    }

    /** {@code <authorityHost>/<tenant>/discovery/v2.0/keys}: the keys issued access tokens are signed with. */
    public URI jwksUrl(String tenantId) {
        return URI.create(server.baseUri() + "/" + tenantId + "/discovery/v2.0/keys");
    }

    /** The {@code iss} of access tokens issued for a tenant: {@code https://sts.windows.net/<tenant>/}. */
    public static String accessTokenIssuer(String tenantId) {
        return "https://sts.windows.net/" + tenantId + "/";
    }

    /** The trust material clients need: see {@link LocalTls}. */
    public LocalTls tls() {
        return LocalTls.get();
    }

    /** The clock that dates issued tokens and checks assertion lifetimes. */
    public Clock clock() {
        return clock;
    }

    /** The public keys issued access tokens are signed with, as served. */
    public String jwksJson() {
        return keys.publicJwks().toString(true);
    }

    // ------------------------------------------------------------------ faults and counters

    /** The next token request is answered {@code status} (e.g. 503) with Entra's transient-error body. */
    public void failNext(int status) {
        failNext(1, status);
    }

    /** The next {@code count} token requests are answered {@code status} with Entra's transient-error body. */
    public void failNext(int count, int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx: " + status);
        }
        failureStatus = status;
        failuresLeft.set(count);
    }

    /** Every token response is held back this long (a slow Entra). {@link Duration#ZERO} turns it off. */
    public void delay(Duration delay) {
        this.delay = Objects.requireNonNull(delay, "delay");
    }

    /**
     * Holds every token request until {@link Hold#release()} (or close): makes concurrent callers overlap
     * deterministically. Only one hold at a time.
     */
    public Hold holdTokenRequests() {
        Hold h = new Hold();
        if (!hold.compareAndSet(null, h)) {
            throw new IllegalStateException("Token requests are already held");
        }
        return h;
    }

    /** Token endpoint requests received, including failed ones. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** Access tokens issued. */
    public int tokensIssued() {
        return tokensIssued.get();
    }

    /** OpenID configuration documents served. */
    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /** JWKS documents served. */
    public int keysRequests() {
        return keysRequests.get();
    }

    /** Instance discovery requests served. */
    public int instanceDiscoveryRequests() {
        return instanceDiscoveryRequests.get();
    }

    /** Every token request, in arrival order of their answers. */
    public List<RecordedTokenRequest> requests() {
        return List.copyOf(requests);
    }

    /** The last token request answered, if any. */
    public Optional<RecordedTokenRequest> lastRequest() {
        List<RecordedTokenRequest> all = requests();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Resets counters and recorded requests (not registrations or fault switches). */
    public void resetCounters() {
        requests.clear();
        tokenRequests.set(0);
        tokensIssued.set(0);
        discoveryRequests.set(0);
        keysRequests.set(0);
        instanceDiscoveryRequests.set(0);
    }

    /**
     * Verifies an access token as a resource would: signed by this emulator, issuer {@code https://sts.windows.net/<tenant>/}
     * of a registered tenant, within its lifetime by the emulator's clock.
     *
     * @return its claims, as in the JSON payload
     * @throws IllegalArgumentException saying what is wrong (never quoting the token)
     */
    public Map<String, Object> verifyAccessToken(String accessToken) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(Objects.requireNonNull(accessToken, "accessToken").strip());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a signed JWT");
        }
        JWK key = keys.publicJwks().getKeyByKeyId(jwt.getHeader().getKeyID());
        try {
            if (!(key instanceof RSAKey) || !jwt.verify(new RSASSAVerifier((RSAKey) key))) {
                throw new IllegalArgumentException("signature does not verify with this emulator's keys");
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("signature cannot be verified: " + e.getMessage());
        }
        String tid = (String) claims.getClaim("tid");
        if (tid == null || !tenants.contains(tid) || !accessTokenIssuer(tid).equals(claims.getIssuer())) {
            throw new IllegalArgumentException("issuer " + claims.getIssuer() + " is not the v1 issuer of a registered tenant");
        }
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null || !now.isBefore(claims.getExpirationTime().toInstant())) {
            throw new IllegalArgumentException("expired at " + (claims.getExpirationTime() == null ? "(no exp)"
                    : claims.getExpirationTime().toInstant()) + ", now " + now);
        }
        if (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant())) {
            throw new IllegalArgumentException("not valid before " + claims.getNotBeforeTime().toInstant());
        }
        // The claims as the JSON has them (aud a string, times in epoch seconds), not as nimbus normalises them.
        return jwt.getPayload().toJSONObject();
    }

    @Override
    public void close() {
        Hold h = hold.getAndSet(null);
        if (h != null) {
            h.release();
        }
        server.close();
    }

    @Override
    public String toString() {
        return "LocalEntra{authorityHost=" + authorityHost() + ", tenants=" + tenants.size() + ", applications="
                + applications.size() + "}";
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(Request exchange) throws IOException, InterruptedException {
        String path = exchange.rawPath();
        List<String> seg = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                seg.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        String method = exchange.method();
        if (seg.size() == 4 && seg.get(1).equals("oauth2") && seg.get(2).equals("v2.0") && seg.get(3).equals("token")) {
            if (!method.equals("POST")) {
                send(exchange, 405, "text/plain; charset=utf-8", "Method Not Allowed");
                return;
            }
            token(exchange, seg.get(0));
        } else if (!method.equals("GET")) {
            send(exchange, 405, "text/plain; charset=utf-8", "Method Not Allowed");
        } else if (seg.equals(List.of("common", "discovery", "instance"))) {
            instanceDiscovery(exchange);
        } else if (seg.size() == 4 && seg.get(1).equals("v2.0") && seg.get(2).equals(".well-known")
                && seg.get(3).equals("openid-configuration")) {
            discovery(exchange, seg.get(0), true);
        } else if (seg.size() == 3 && seg.get(1).equals(".well-known") && seg.get(2).equals("openid-configuration")) {
            discovery(exchange, seg.get(0), false);
        } else if ((seg.size() == 4 && seg.get(1).equals("discovery") && seg.get(2).equals("v2.0") && seg.get(3).equals("keys"))
                || (seg.size() == 3 && seg.get(1).equals("discovery") && seg.get(2).equals("keys"))) {
            if (!knownTenant(seg.get(0))) {
                error(exchange, EntraError.tenantNotFound(seg.get(0)));
                return;
            }
            keysRequests.incrementAndGet();
            send(exchange, 200, "application/json; charset=utf-8", jwksJson());
        } else {
            send(exchange, 404, "text/plain; charset=utf-8", "Not Found");
        }
    }

    private boolean knownTenant(String tenant) {
        return tenants.contains(tenant) || tenant.equals("common") || tenant.equals("organizations");
    }

    private void discovery(Request exchange, String tenant, boolean v2) throws IOException {
        if (!knownTenant(tenant)) {
            error(exchange, EntraError.tenantNotFound(tenant));
            return;
        }
        discoveryRequests.incrementAndGet();
        String base = server.baseUri() + "/" + tenant;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("token_endpoint", v2 ? base + "/oauth2/v2.0/token" : base + "/oauth2/token");
        doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_post", "private_key_jwt", "client_secret_basic"));
        doc.put("jwks_uri", v2 ? base + "/discovery/v2.0/keys" : base + "/discovery/keys");
        doc.put("response_modes_supported", List.of("query", "fragment", "form_post"));
        doc.put("subject_types_supported", List.of("pairwise"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("response_types_supported", List.of("code", "id_token", "code id_token", "id_token token"));
        doc.put("scopes_supported", List.of("openid", "profile", "email", "offline_access"));
        doc.put("issuer", v2 ? server.baseUri() + "/" + tenant + "/v2.0" : accessTokenIssuer(tenant));
        doc.put("request_uri_parameter_supported", false);
        doc.put("authorization_endpoint", v2 ? base + "/oauth2/v2.0/authorize" : base + "/oauth2/authorize");
        doc.put("device_authorization_endpoint", base + "/oauth2/v2.0/devicecode");
        doc.put("tenant_region_scope", null);
        doc.put("cloud_instance_name", "microsoftonline.com");
        doc.put("cloud_graph_host_name", "graph.windows.net");
        doc.put("msgraph_host", "graph.microsoft.com");
        send(exchange, 200, "application/json; charset=utf-8", Json.write(doc));
    }

    private void instanceDiscovery(Request exchange) throws IOException {
        instanceDiscoveryRequests.incrementAndGet();
        Map<String, List<String>> query = Http.parseForm(exchange.rawQuery());
        String authorize = Http.first(query, "authorization_endpoint");
        String tenant = "common";
        if (authorize != null) {
            String[] parts = URI.create(authorize).getPath().split("/");
            if (parts.length > 1 && !parts[1].isEmpty()) {
                tenant = parts[1];
            }
        }
        String host = server.baseUri().getAuthority();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("preferred_network", host);
        metadata.put("preferred_cache", host);
        metadata.put("aliases", List.of(host));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tenant_discovery_endpoint", server.baseUri() + "/" + tenant + "/v2.0/.well-known/openid-configuration");
        doc.put("api-version", "1.1");
        doc.put("metadata", List.of(metadata));
        send(exchange, 200, "application/json; charset=utf-8", Json.write(doc));
    }

    private void token(Request exchange, String tenant) throws IOException, InterruptedException {
        tokenRequests.incrementAndGet();
        Hold h = hold.get();
        if (h != null) {
            h.await();
        }
        Duration d = delay;
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
        Map<String, List<String>> form = Http.parseForm(exchange.bodyText());
        String clientId = Http.first(form, "client_id");
        String grantType = Http.first(form, "grant_type");
        String scope = Http.first(form, "scope");
        String assertionValue = Http.first(form, "client_assertion");
        IdentityToken assertion = parseQuietly(assertionValue);
        int remaining = failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0);
        try {
            if (remaining > 0) {
                throw new Rejection(EntraError.transientFailure(failureStatus));
            }
            String body = exchange(tenant, form, clientId, grantType, scope, assertionValue);
            requests.add(new RecordedTokenRequest(tenant, clientId, grantType, scope, assertion, 200, null));
            tokensIssued.incrementAndGet();
            send(exchange, 200, "application/json; charset=utf-8", body);
        } catch (Rejection r) {
            requests.add(new RecordedTokenRequest(tenant, clientId, grantType, scope, assertion, r.error().status(), r.error().code()));
            error(exchange, r.error());
        }
    }

    private String exchange(String tenant, Map<String, List<String>> form, String clientId, String grantType, String scope,
            String assertion) throws InterruptedException {
        if (!tenants.contains(tenant)) {
            throw new Rejection(EntraError.tenantNotFound(tenant));
        }
        if (grantType == null) {
            throw new Rejection(EntraError.missingParameter("grant_type"));
        }
        if (!grantType.equals("client_credentials")) {
            throw new Rejection(EntraError.unsupportedGrantType(grantType));
        }
        if (clientId == null || clientId.isBlank()) {
            throw new Rejection(EntraError.missingParameter("client_id"));
        }
        if (assertion == null || assertion.isBlank()) {
            throw new Rejection(EntraError.missingClientCredential());
        }
        String assertionType = Http.first(form, "client_assertion_type");
        if (assertionType == null) {
            throw new Rejection(EntraError.missingParameter("client_assertion_type"));
        }
        if (!assertionType.equals(ClientAssertions.JWT_BEARER)) {
            throw new Rejection(EntraError.badAssertionType(assertionType));
        }
        EntraApplication app = applications.get(key(tenant, clientId));
        if (app == null) {
            throw new Rejection(EntraError.applicationNotFound(clientId, tenant));
        }
        String resource = resource(scope);
        FederationCheck.check(assertion, app, clock, clockSkew, issuerKeys, iss -> Optional.ofNullable(trustedIssuers.get(iss)));
        return issue(app, resource);
    }

    /** The one resource of a client credentials scope: {@code RESOURCE/.default}, OIDC scopes MSAL adds ignored. */
    private static String resource(String scope) {
        if (scope == null || scope.isBlank()) {
            throw new Rejection(EntraError.missingParameter("scope"));
        }
        List<String> resources = new ArrayList<>();
        for (String s : scope.strip().split("\\s+")) {
            if (!OIDC_SCOPES.contains(s)) {
                resources.add(s);
            }
        }
        if (resources.isEmpty()) {
            throw new Rejection(EntraError.scopeWithoutDefault(scope));
        }
        if (resources.size() > 1) {
            throw new Rejection(EntraError.scopeWithSeveralResources(scope));
        }
        String only = resources.get(0);
        if (!only.endsWith("/.default")) {
            throw new Rejection(EntraError.scopeWithoutDefault(only));
        }
        return only.substring(0, only.length() - "/.default".length());
    }

    private String issue(EntraApplication app, String resource) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant exp = now.plus(accessTokenLifetime);
        String iss = accessTokenIssuer(app.tenantId());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", resource);
        claims.put("iss", iss);
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", exp.getEpochSecond());
        claims.put("aio", randomId(24));
        claims.put("app_displayname", app.displayName());
        claims.put("appid", app.clientId());
        claims.put("appidacr", "2");
        claims.put("idp", iss);
        claims.put("idtyp", "app");
        claims.put("oid", app.objectId());
        claims.put("rh", randomId(16));
        claims.put("sub", app.objectId());
        claims.put("tid", app.tenantId());
        claims.put("uti", randomId(16));
        claims.put("ver", "1.0");
        String token = keys.sign(claims, false, null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("expires_in", accessTokenLifetime.toSeconds());
        body.put("ext_expires_in", accessTokenLifetime.toSeconds());
        body.put("access_token", token);
        return Json.write(body);
    }

    private void error(Request exchange, EntraError error) throws IOException {
        String correlation = exchange.header("client-request-id").orElse(null);
        send(exchange, error.status(), "application/json; charset=utf-8", error.toJson(clock, correlation));
    }

    private static void send(Request exchange, int status, String contentType, String text) throws IOException {
        // As Entra: token and metadata answers are never to be cached.
        exchange.respond(status, contentType, text, NO_CACHE);
    }

    private static IdentityToken parseQuietly(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return IdentityToken.parse(value, "client_assertion");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String randomId(int bytes) {
        byte[] b = new byte[bytes];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String key(String tenantId, String clientId) {
        return tenantId + "\n" + clientId;
    }

    private static String requireText(String value, String name) {
        if (Objects.requireNonNull(value, name).isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
        return value;
    }

    /** Holds token requests until released: see {@link LocalEntra#holdTokenRequests()}. */
    public final class Hold implements AutoCloseable {
        private final CountDownLatch latch = new CountDownLatch(1);
        private final AtomicInteger waiting = new AtomicInteger();

        private Hold() {
        }

        void await() throws InterruptedException {
            waiting.incrementAndGet();
            try {
                // Bounded, so that a test that forgets to release fails instead of hanging the build.
                latch.await(30, TimeUnit.SECONDS);
            } finally {
                waiting.decrementAndGet();
            }
        }

        /** How many token requests are held right now. */
        public int waiting() {
            return waiting.get();
        }

        /** Lets held and later requests through, and ends the hold. */
        public void release() {
            hold.compareAndSet(this, null);
            latch.countDown();
        }

        @Override
        public void close() {
            release();
        }
    }

    /** Configures a {@link LocalEntra}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration accessTokenLifetime = Duration.ofHours(1);
        private Duration clockSkew = Duration.ZERO;

        private Builder() {
        }

        /** The clock for issued tokens and assertion lifetime checks. By default, {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The lifetime of issued access tokens ({@code expires_in}). By default, 1 hour. */
        public Builder accessTokenLifetime(Duration lifetime) {
            if (lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("accessTokenLifetime must be positive: " + lifetime);
            }
            this.accessTokenLifetime = lifetime;
            return this;
        }

        /** Tolerance on assertion {@code exp} and {@code nbf}. By default, none. */
        public Builder clockSkew(Duration skew) {
            if (skew.isNegative()) {
                throw new IllegalArgumentException("clockSkew must not be negative: " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /** Starts serving on a random loopback port. */
        public LocalEntra start() {
            return new LocalEntra(this);
        }
    }
}
