package dev.keyless.testkit.google;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalTls;
import dev.keyless.testkit.google.internal.CelEngine;
import dev.keyless.testkit.internal.http.LoopbackServer;
import dev.keyless.testkit.internal.http.Request;
import dev.keyless.testkit.internal.jwt.KeyRing;
import java.io.IOException;
import java.net.URI;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Google Cloud on loopback: the Security Token Service ({@code POST /v1/token}), IAM Credentials
 * ({@code generateAccessToken}, {@code generateIdToken}), a Cloud Storage subset (list, upload, download) and
 * {@code tokeninfo}, speaking Google's wire formats and answering Google's error codes and messages.
 *
 * <p>It serves HTTPS with the testkit's self-signed certificate (one per JVM, see {@link LocalTls}), because
 * google-auth-library accepts only {@code https} token and impersonation URLs: clients trust it through
 * {@link #sslContext()} or {@link #trustStore()} (for google-auth,
 * {@code new NetHttpTransport.Builder().trustCertificates(google.trustStore())}).
 * Register what a test needs: {@link #workloadIdentityPoolProvider} for a provider, {@link #serviceAccount} with
 * {@link ServiceAccount#grant} for impersonation, {@link #bucket} for storage.
 *
 * <p>Behaviour switches: {@link #failNext(Service, int, int)}, {@link #delay(Service, Duration)}; counters:
 * {@link #calls(Service)}; the STS requests received: {@link #stsRequests()} (never the token values).
 * By default: the system UTC clock, federated tokens valid 1 hour, service account tokens at most 1 hour
 * ({@link Builder#allowExtendedTokenLifetime(boolean)} allows up to 12, as the organization policy
 * {@code constraints/iam.allowServiceAccountCredentialLifetimeExtension} does).
 */
public final class LocalGoogle implements AutoCloseable {
    /** {@code roles/iam.workloadIdentityUser}: lets a federated principal impersonate a service account. */
    public static final String WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";
    /** {@code roles/iam.serviceAccountTokenCreator}: lets a member mint tokens for a service account. */
    public static final String TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator";
    /** {@code roles/storage.objectViewer}: list and read objects. */
    public static final String STORAGE_OBJECT_VIEWER = "roles/storage.objectViewer";
    /** {@code roles/storage.objectAdmin}: list, read and write objects. */
    public static final String STORAGE_OBJECT_ADMIN = "roles/storage.objectAdmin";

    /** The emulated services, for fault switches and counters. */
    public enum Service {
        /** Security Token Service: {@code POST /v1/token}. */
        STS,
        /** IAM Credentials: generateAccessToken and generateIdToken. */
        IAM_CREDENTIALS,
        /** Cloud Storage JSON API subset. */
        STORAGE,
        /** {@code GET /oauth2/v3/tokeninfo}. */
        TOKEN_INFO
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration federatedTokenLifetime;
    private final boolean extendedLifetime;
    private final LoopbackServer server;
    private final Map<String, WorkloadIdentityPoolProvider> providers = new ConcurrentHashMap<>();
    private final Map<String, String> projectNumbersById = new ConcurrentHashMap<>();
    private final Map<String, ServiceAccount> serviceAccounts = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();
    private final Map<String, AwsCaller> awsCallers = new ConcurrentHashMap<>();
    private volatile KeyRing idTokenKeys;
    private final Map<Service, Fault> faults = new EnumMap<>(Service.class);
    private final List<RecordedStsRequest> stsRequests = new CopyOnWriteArrayList<>();
    private final StsEndpoint sts = new StsEndpoint(this);
    private final IamCredentialsEndpoint iam = new IamCredentialsEndpoint(this);
    private final StorageEndpoint storage = new StorageEndpoint(this);

    private LocalGoogle(Builder b) {
        this.clock = b.clock;
        this.federatedTokenLifetime = b.federatedTokenLifetime;
        this.extendedLifetime = b.extendedLifetime;
        for (Service s : Service.values()) {
            faults.put(s, new Fault());
        }
        // CEL's first use costs seconds (protobuf descriptors): pay it while the server starts.
        CelEngine.warmUpInBackground();
        this.server = LoopbackServer.startHttps("google", this::handle);
    }

    /** Starts with the defaults. */
    public static LocalGoogle start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- where it is ----

    /** {@code https://127.0.0.1:PORT}. */
    public URI baseUrl() {
        return server.baseUri();
    }

    /** The STS token endpoint, {@code https://127.0.0.1:PORT/v1/token} (google-auth's {@code token_url}). */
    public String stsUrl() {
        return baseUrl() + "/v1/token";
    }

    /**
     * The root of the IAM Credentials API, {@code https://127.0.0.1:PORT}: methods are under
     * {@code /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken}.
     */
    public String iamCredentialsUrl() {
        return baseUrl().toString();
    }

    /** {@code <iamCredentialsUrl>/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken} (google-auth's {@code service_account_impersonation_url}). */
    public String impersonationUrl(String serviceAccountEmail) {
        return iamCredentialsUrl() + "/v1/projects/-/serviceAccounts/" + serviceAccountEmail + ":generateAccessToken";
    }

    /** The Cloud Storage JSON API root, {@code https://127.0.0.1:PORT/storage/v1} (uploads under {@code /upload/storage/v1}). */
    public String storageUrl() {
        return baseUrl() + "/storage/v1";
    }

    /** {@code https://127.0.0.1:PORT/oauth2/v3/tokeninfo}: {@code ?access_token=} tells who a token belongs to. */
    public String tokenInfoUrl() {
        return baseUrl() + "/oauth2/v3/tokeninfo";
    }

    /** {@code https://127.0.0.1:PORT/oauth2/v3/certs}: the JWKS that signs ID tokens from generateIdToken. */
    public String idTokenCertsUrl() {
        return baseUrl() + "/oauth2/v3/certs";
    }

    // ---- TLS ----

    /** An SSL context that trusts the testkit's emulators (only them): {@link LocalTls#sslContext()}. */
    public SSLContext sslContext() {
        return LocalTls.get().sslContext();
    }

    /** A PKCS12 trust store holding this emulator's certificate: {@link LocalTls#trustStore()}. */
    public KeyStore trustStore() {
        return LocalTls.get().trustStore();
    }

    /** The certificate this emulator presents: {@link LocalTls#certificate()}. */
    public X509Certificate certificate() {
        return LocalTls.get().certificate();
    }

    /** The certificate in PEM form, for tools outside the JVM: {@link LocalTls#certificatePem()}. */
    public String certificatePem() {
        return LocalTls.get().certificatePem();
    }

    // ---- registration ----

    /** Declares that project {@code projectId} has number {@code projectNumber} (for realistic errors and names). */
    public LocalGoogle project(String projectId, String projectNumber) {
        if (!projectNumber.matches("[1-9][0-9]{5,18}")) {
            throw new IllegalArgumentException("A project number is all digits: " + projectNumber);
        }
        projectNumbersById.put(projectId, projectNumber);
        return this;
    }

    /** Starts registering an OIDC provider of a workload identity pool (the pool is created as needed). */
    public WorkloadIdentityPoolProvider.Builder workloadIdentityPoolProvider(String projectNumber, String poolId,
            String providerId) {
        if (projectNumber == null || !projectNumber.matches("[1-9][0-9]{5,18}")) {
            throw new IllegalArgumentException("Workload identity pools live in a project given by NUMBER, not "
                    + projectNumber);
        }
        return new WorkloadIdentityPoolProvider.Builder(this, projectNumber, poolId, providerId, false);
    }

    /** Starts registering an OIDC provider of a workforce pool (location global). */
    public WorkloadIdentityPoolProvider.Builder workforcePoolProvider(String poolId, String providerId) {
        return new WorkloadIdentityPoolProvider.Builder(this, null, poolId, providerId, true);
    }

    void register(WorkloadIdentityPoolProvider provider) {
        providers.put(provider.resourceName(), provider);
    }

    Optional<WorkloadIdentityPoolProvider> provider(String resourceName) {
        return Optional.ofNullable(providers.get(resourceName));
    }

    /**
     * Registers AWS credentials that AWS providers accept: a signed GetCallerIdentity made with this key is answered,
     * as AWS would, with {@code arn} (e.g. {@code arn:aws:sts::123456789012:assumed-role/app/session}).
     */
    public LocalGoogle awsCaller(String accessKeyId, String secretAccessKey, String arn) {
        if (!arn.matches("arn:aws[a-z-]*:(sts|iam)::[0-9]{12}:.+")) {
            throw new IllegalArgumentException("Not an AWS principal ARN: " + arn);
        }
        awsCallers.put(accessKeyId, new AwsCaller(secretAccessKey, arn));
        return this;
    }

    Optional<AwsCaller> awsCaller(String accessKeyId) {
        return Optional.ofNullable(awsCallers.get(accessKeyId));
    }

    record AwsCaller(String secretAccessKey, String arn) {
        @Override
        public String toString() {
            return "AwsCaller{" + arn + "}";
        }
    }

    /** The service account with this email, created on first use. */
    public ServiceAccount serviceAccount(String email) {
        return serviceAccounts.computeIfAbsent(email, ServiceAccount::new);
    }

    Optional<ServiceAccount> existingServiceAccount(String email) {
        return Optional.ofNullable(serviceAccounts.get(email));
    }

    /** The bucket with this name, created on first use. */
    public Bucket bucket(String name) {
        return buckets.computeIfAbsent(name, Bucket::new);
    }

    Optional<Bucket> existingBucket(String name) {
        return Optional.ofNullable(buckets.get(name));
    }

    // ---- switches and counters ----

    /** The next {@code count} requests to {@code service} fail with {@code status} (500, 503...) in the service's error shape. */
    public void failNext(Service service, int count, int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error status: " + status);
        }
        Fault f = faults.get(service);
        f.status = status;
        f.remaining.set(count);
    }

    /** Every request to {@code service} waits {@code delay} before it is answered ({@link Duration#ZERO} to stop). */
    public void delay(Service service, Duration delay) {
        faults.get(service).delay = Objects.requireNonNull(delay, "delay");
    }

    /** How many requests {@code service} received (failed ones included). */
    public int calls(Service service) {
        return faults.get(service).calls.get();
    }

    /** The STS requests received so far, oldest first, without token values. */
    public List<RecordedStsRequest> stsRequests() {
        return List.copyOf(stsRequests);
    }

    /** The clock that decides expiry of subject tokens and issued tokens. */
    public Clock clock() {
        return clock;
    }

    /** Whether an access token issued here is currently accepted (not expired, known). */
    public boolean accepts(String accessToken) {
        return validToken(accessToken).isPresent();
    }

    /** The JWKS (public keys) that signs the ID tokens generateIdToken returns. */
    public String idTokenJwksJson() {
        return idTokenKeys().publicJwks().toString(true);
    }

    // ---- package-private state for the endpoints ----

    Duration federatedTokenLifetime() {
        return federatedTokenLifetime;
    }

    boolean extendedLifetimeAllowed() {
        return extendedLifetime;
    }

    Optional<String> projectNumberOf(String projectId) {
        return Optional.ofNullable(projectNumbersById.get(projectId));
    }

    void record(RecordedStsRequest request) {
        stsRequests.add(request);
    }

    String issue(IssuedToken token, String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String value = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        tokens.put(value, token);
        return value;
    }

    Optional<IssuedToken> validToken(String value) {
        if (value == null) {
            return Optional.empty();
        }
        IssuedToken t = tokens.get(value);
        if (t == null || !clock.instant().isBefore(t.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(t);
    }

    String signIdToken(Map<String, Object> claims) {
        return idTokenKeys().sign(claims, false, null);
    }

    /** Made on first use: an RSA key takes seconds to generate, and most tests never ask for an ID token. */
    private KeyRing idTokenKeys() {
        KeyRing k = idTokenKeys;
        if (k == null) {
            synchronized (this) {
                k = idTokenKeys;
                if (k == null) {
                    k = new KeyRing("RS256");
                    idTokenKeys = k;
                }
            }
        }
        return k;
    }

    Instant now() {
        return clock.instant();
    }

    // ---- routing ----

    private void handle(Request ex) throws IOException, InterruptedException {
        String path = ex.rawPath();
        Service service;
        if (path.equals("/v1/token")) {
            service = Service.STS;
        } else if (path.startsWith("/v1/projects/")) {
            service = Service.IAM_CREDENTIALS;
        } else if (path.startsWith("/storage/v1/") || path.startsWith("/upload/storage/v1/")) {
            service = Service.STORAGE;
        } else if (path.equals("/oauth2/v3/tokeninfo")) {
            service = Service.TOKEN_INFO;
        } else if (path.equals("/oauth2/v3/certs") && ex.method().equals("GET")) {
            ex.respond(200, "application/json; charset=UTF-8", idTokenJwksJson());
            return;
        } else {
            ex.respond(404, "text/html; charset=UTF-8", "<!DOCTYPE html><title>Error 404 (Not Found)</title>"
                    + "<p>The requested URL <code>" + path.replace("<", "&lt;") + "</code> was not found on this server.");
            return;
        }
        Fault fault = faults.get(service);
        fault.calls.incrementAndGet();
        Duration delay = fault.delay;
        if (!delay.isZero()) {
            Thread.sleep(delay.toMillis());
        }
        if (fault.remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            answerFault(ex, service, fault.status);
            return;
        }
        switch (service) {
            case STS -> sts.handle(ex);
            case IAM_CREDENTIALS -> iam.handle(ex);
            case STORAGE -> storage.handle(ex);
            case TOKEN_INFO -> storage.tokenInfo(ex);
            default -> throw new IllegalStateException(service.name());
        }
    }

    private static void answerFault(Request ex, Service service, int status) throws IOException {
        boolean unavailable = status == 503;
        String message = unavailable ? "The service is currently unavailable." : "Internal error encountered.";
        if (service == Service.STS) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", unavailable ? "temporarily_unavailable" : "server_error");
            body.put("error_description", message);
            ex.respond(status, "application/json; charset=utf-8", Json.write(body));
        } else {
            String statusName = unavailable ? "UNAVAILABLE" : status == 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL";
            ex.respond(status, "application/json; charset=UTF-8", GoogleErrors.rpc(status, message, statusName));
        }
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "LocalGoogle{" + baseUrl() + ", providers=" + providers.keySet() + "}";
    }

    private static final class Fault {
        final AtomicInteger remaining = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        volatile int status = 503;
        volatile Duration delay = Duration.ZERO;
    }

    /** Configures a {@link LocalGoogle}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration federatedTokenLifetime = Duration.ofHours(1);
        private boolean extendedLifetime;

        private Builder() {
        }

        /** The clock for token expiry (subject tokens and issued tokens). By default, {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long STS access tokens live ({@code expires_in}). By default, 1 hour. */
        public Builder federatedTokenLifetime(Duration lifetime) {
            if (lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
            }
            this.federatedTokenLifetime = lifetime;
            return this;
        }

        /** Whether generateAccessToken accepts lifetimes up to 12 hours instead of 1. By default, false. */
        public Builder allowExtendedTokenLifetime(boolean allow) {
            this.extendedLifetime = allow;
            return this;
        }

        /** Starts serving (HTTPS, with the testkit's certificate). */
        public LocalGoogle start() {
            return new LocalGoogle(this);
        }
    }
}
