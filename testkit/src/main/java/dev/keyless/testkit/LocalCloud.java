package dev.keyless.testkit;

import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.LocalEntra;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The local cloud: a {@link LocalIssuer}, the {@link GitHubTokenEndpoint} minting with it and {@link LocalSts},
 * each on its own random loopback port, started and closed together, on one clock.
 *
 * <p>{@link #startDefault()} also wires the demo: the issuer registered as an AWS OIDC provider with client id
 * {@code sts.amazonaws.com}, and a role {@value #DEMO_ROLE} trusting every ref of repository
 * {@value #DEMO_REPOSITORY} ({@code repo:keyless-dev/demo:*}) for that audience; the GitHub endpoint's job is
 * a push to {@code main} of that repository. More emulators (Google STS, Entra...) plug in with
 * {@link Builder#service(Class, Function)} and are found with {@link #service(Class)}.
 *
 * <p>By default: the system UTC clock, account {@code 123456789012}, RS256, {@code iss} = the issuer's URL.
 */
public final class LocalCloud implements AutoCloseable {
    /** The role {@link #startDefault()} creates. */
    public static final String DEMO_ROLE = "keyless-demo";
    /** The repository the demo role trusts and the GitHub endpoint's job builds. */
    public static final String DEMO_REPOSITORY = "keyless-dev/demo";
    /** The audience AWS expects of web identity tokens. */
    public static final String AWS_AUDIENCE = "sts.amazonaws.com";
    /** The Google project id and number of the demo's workload identity pool. */
    public static final String DEMO_GOOGLE_PROJECT_ID = "keyless-local";
    public static final String DEMO_GOOGLE_PROJECT_NUMBER = "271828182845";
    /** The demo's workload identity pool and its GitHub provider. */
    public static final String DEMO_GOOGLE_POOL = "keyless-pool";
    public static final String DEMO_GOOGLE_PROVIDER = "github";
    /** The service account the demo repository may impersonate. */
    public static final String DEMO_SERVICE_ACCOUNT = "keyless-deploy@keyless-local.iam.gserviceaccount.com";
    /** The demo's Entra tenant and application (client) ids. */
    public static final String DEMO_TENANT = "8a3f2c1e-5b7d-4e9a-9c6b-0d1e2f3a4b5c";
    public static final String DEMO_CLIENT = "4b2e9d1c-7f3a-4c8e-b5d6-1a2b3c4d5e6f";

    private final Clock clock;
    private final LocalIssuer issuer;
    private final GitHubTokenEndpoint github;
    private final LocalSts sts;
    private final Map<Class<?>, Object> services = new LinkedHashMap<>();
    private final String providerArn;
    private final String demoRoleArn;

    private LocalCloud(Builder b) {
        this.clock = b.clock;
        List<AutoCloseable> started = new ArrayList<>();
        try {
            LocalIssuer.Builder ib = LocalIssuer.builder().clock(clock).algorithm(b.algorithm);
            if (b.issuerUrl != null) {
                ib.issuerUrl(b.issuerUrl);
            }
            this.issuer = ib.start();
            started.add(issuer);
            this.github = GitHubTokenEndpoint.start(issuer);
            started.add(github);
            this.sts = LocalSts.builder().clock(clock).accountId(b.accountId).start();
            started.add(sts);
            if (b.defaultSetup) {
                this.providerArn = sts.registerOidcProvider(issuer, List.of(AWS_AUDIENCE));
                this.demoRoleArn = sts.createRole(DEMO_ROLE, LocalSts.webIdentityTrustPolicy(providerArn,
                        issuer.issuerUrl(), AWS_AUDIENCE, "repo:" + DEMO_REPOSITORY + ":*"));
            } else {
                this.providerArn = null;
                this.demoRoleArn = null;
            }
            for (Map.Entry<Class<?>, Function<LocalCloud, ?>> e : b.services.entrySet()) {
                Object service = Objects.requireNonNull(e.getValue().apply(this), "service factory returned null");
                services.put(e.getKey(), service);
                if (service instanceof AutoCloseable) {
                    started.add((AutoCloseable) service);
                }
            }
        } catch (RuntimeException e) {
            closeAll(started, e);
            throw e;
        }
    }

    /** Starts issuer, GitHub endpoint and STS with nothing registered. */
    public static LocalCloud start() {
        return builder().start();
    }

    /** Starts the cloud with the demo provider and role (see the class documentation). */
    public static LocalCloud startDefault() {
        return builder().defaultSetup(true).start();
    }

    /** A builder for another clock, account, algorithm, issuer URL, or more services. */
    public static Builder builder() {
        return new Builder();
    }

    /** The OIDC issuer. */
    public LocalIssuer issuer() {
        return issuer;
    }

    /** The GitHub Actions ID-token endpoint, minting with {@link #issuer()}. */
    public GitHubTokenEndpoint github() {
        return github;
    }

    /** AWS STS. */
    public LocalSts sts() {
        return sts;
    }

    /** The clock every emulator reads. */
    public Clock clock() {
        return clock;
    }

    /** The provider ARN of {@link #issuer()} in STS, when the default setup registered it. */
    public Optional<String> providerArn() {
        return Optional.ofNullable(providerArn);
    }

    /** The demo role's ARN, {@code arn:aws:iam::123456789012:role/keyless-demo}, with the default setup. */
    public String demoRoleArn() {
        if (demoRoleArn == null) {
            throw new IllegalStateException("The demo role exists only in LocalCloud.startDefault() or with "
                    + "builder().defaultSetup(true)");
        }
        return demoRoleArn;
    }

    /** Google STS, IAM Credentials and Storage, when started with {@link Builder#withGoogle()}. */
    public LocalGoogle google() {
        return service(LocalGoogle.class).orElseThrow(() -> new IllegalStateException(
                "Google is not part of this local cloud: build it with LocalCloud.builder().withGoogle()"));
    }

    /** Entra ID, when started with {@link Builder#withEntra()}. */
    public LocalEntra entra() {
        return service(LocalEntra.class).orElseThrow(() -> new IllegalStateException(
                "Entra ID is not part of this local cloud: build it with LocalCloud.builder().withEntra()"));
    }

    /**
     * The demo's workload identity provider resource name
     * ({@code projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER}).
     */
    public String demoGoogleProvider() {
        return "projects/" + DEMO_GOOGLE_PROJECT_NUMBER + "/locations/global/workloadIdentityPools/" + DEMO_GOOGLE_POOL
                + "/providers/" + DEMO_GOOGLE_PROVIDER;
    }

    /** The environment of a GitHub Actions job of this cloud: see {@link GitHubTokenEndpoint#environment()}. */
    public Map<String, String> githubEnvironment() {
        return github.environment();
    }

    /**
     * A component by type: the issuer, GitHub endpoint, STS, the clock, or a service added with
     * {@link Builder#service(Class, Function)}.
     */
    public <T> Optional<T> service(Class<T> type) {
        Object found = null;
        if (type == LocalIssuer.class) {
            found = issuer;
        } else if (type == GitHubTokenEndpoint.class) {
            found = github;
        } else if (type == LocalSts.class) {
            found = sts;
        } else if (type == LocalCloud.class) {
            found = this;
        } else if (services.containsKey(type)) {
            found = services.get(type);
        } else if (type.isInstance(clock)) {
            found = clock;
        }
        return Optional.ofNullable(found).map(type::cast);
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        all.add(issuer);
        all.add(github);
        all.add(sts);
        for (Object s : services.values()) {
            if (s instanceof AutoCloseable) {
                all.add((AutoCloseable) s);
            }
        }
        RuntimeException failure = closeAll(all, null);
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException closeAll(List<AutoCloseable> started, RuntimeException primary) {
        List<AutoCloseable> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        RuntimeException failure = primary;
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("Could not stop " + c, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return primary == null ? failure : null;
    }

    @Override
    public String toString() {
        return "LocalCloud{issuer=" + issuer.url() + ", github=" + github.requestUrl() + ", sts=" + sts.endpoint()
                + "}";
    }

    /**
     * Registers the demo's Google side on {@code google}: project {@value #DEMO_GOOGLE_PROJECT_ID}
     * ({@value #DEMO_GOOGLE_PROJECT_NUMBER}), pool {@value #DEMO_GOOGLE_POOL} with provider
     * {@value #DEMO_GOOGLE_PROVIDER} trusting {@code issuer} (google.subject = sub, attribute.repository = repository,
     * condition: the demo repository), and service account {@value #DEMO_SERVICE_ACCOUNT} that the demo repository
     * may impersonate. Returns the provider.
     */
    public static WorkloadIdentityPoolProvider registerDemoGoogle(LocalGoogle google, LocalIssuer issuer) {
        google.project(DEMO_GOOGLE_PROJECT_ID, DEMO_GOOGLE_PROJECT_NUMBER);
        WorkloadIdentityPoolProvider provider = google
                .workloadIdentityPoolProvider(DEMO_GOOGLE_PROJECT_NUMBER, DEMO_GOOGLE_POOL, DEMO_GOOGLE_PROVIDER)
                .issuer(issuer)
                .attributeMapping("google.subject", "assertion.sub")
                .attributeMapping("attribute.repository", "assertion.repository")
                .attributeCondition("assertion.repository == '" + DEMO_REPOSITORY + "'")
                .create();
        google.serviceAccount(DEMO_SERVICE_ACCOUNT)
                .grant(provider.principalSet("repository", DEMO_REPOSITORY), LocalGoogle.WORKLOAD_IDENTITY_USER);
        return provider;
    }

    /**
     * Registers the demo's Entra side on {@code entra}: trust in {@code issuer}, and application
     * {@value #DEMO_CLIENT} in tenant {@value #DEMO_TENANT} with a federated credential for {@code subject}.
     */
    public static EntraApplication registerDemoEntra(LocalEntra entra, LocalIssuer issuer, String subject) {
        entra.trustIssuer(issuer);
        EntraApplication app = entra.registerApplication(DEMO_TENANT, DEMO_CLIENT, "keyless-demo");
        app.addFederatedCredential("github-job", issuer.issuerUrl(), subject);
        return app;
    }

    /** Configures a {@link LocalCloud}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private String accountId = LocalSts.DEFAULT_ACCOUNT;
        private SigningAlgorithm algorithm = SigningAlgorithm.RS256;
        private String issuerUrl;
        private boolean defaultSetup;
        private final Map<Class<?>, Function<LocalCloud, ?>> services = new LinkedHashMap<>();

        private Builder() {
        }

        /** The clock of every emulator. By default, the system UTC clock; tests pass a {@link MutableClock}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The AWS account id. By default, 123456789012. */
        public Builder accountId(String accountId) {
            LocalSts.builder().accountId(accountId); // validates
            this.accountId = accountId;
            return this;
        }

        /** The issuer's signing algorithm. By default, RS256. */
        public Builder algorithm(SigningAlgorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** The issuer's {@code iss}. By default, its loopback URL. */
        public Builder issuerUrl(String issuerUrl) {
            LocalIssuer.builder().issuerUrl(issuerUrl); // validates
            this.issuerUrl = issuerUrl;
            return this;
        }

        /** Whether to register the demo provider and role. By default, false ({@link #startDefault()}: true). */
        public Builder defaultSetup(boolean defaultSetup) {
            this.defaultSetup = defaultSetup;
            return this;
        }

        /**
         * Adds Google (STS, IAM Credentials, Storage) on the cloud's clock. With the default setup it holds the demo:
         * pool {@value LocalCloud#DEMO_GOOGLE_POOL} with provider {@value LocalCloud#DEMO_GOOGLE_PROVIDER} for this
         * cloud's issuer (google.subject = sub, attribute.repository = repository, condition: the demo repository),
         * service account {@value LocalCloud#DEMO_SERVICE_ACCOUNT} that the demo repository may impersonate, and a
         * bucket {@code keyless-demo} that the service account may write.
         */
        public Builder withGoogle() {
            return service(LocalGoogle.class, cloud -> {
                LocalGoogle google = LocalGoogle.builder().clock(cloud.clock()).start();
                if (defaultSetup) {
                    registerDemoGoogle(google, cloud.issuer());
                    google.bucket("keyless-demo").grant("serviceAccount:" + DEMO_SERVICE_ACCOUNT, LocalGoogle.STORAGE_OBJECT_ADMIN);
                }
                return google;
            });
        }

        /**
         * Adds Entra ID (HTTPS, self-signed) on the cloud's clock, trusting this cloud's issuer. With the default
         * setup it holds the demo application {@value LocalCloud#DEMO_CLIENT} in tenant {@value LocalCloud#DEMO_TENANT},
         * with a federated credential for pushes to {@code main} of the demo repository.
         */
        public Builder withEntra() {
            return service(LocalEntra.class, cloud -> {
                LocalEntra entra = LocalEntra.builder().clock(cloud.clock()).start();
                entra.trustIssuer(cloud.issuer());
                if (defaultSetup) {
                    registerDemoEntra(entra, cloud.issuer(), "repo:" + DEMO_REPOSITORY + ":ref:refs/heads/main");
                }
                return entra;
            });
        }

        /**
         * Adds an emulator built once the core ones run (it may use them), found later with
         * {@link LocalCloud#service(Class)} and closed with the cloud when it is {@link AutoCloseable}.
         */
        public <T> Builder service(Class<T> type, Function<LocalCloud, ? extends T> factory) {
            services.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /** Starts everything; if one part fails to start, the parts already started are stopped. */
        public LocalCloud start() {
            return new LocalCloud(this);
        }
    }
}
