package dev.keyless.cli;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.testkit.GitHubTokenBuilder;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.LocalSts;
import dev.keyless.testkit.TokenBuilder;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.FederatedIdentityCredential;
import dev.keyless.testkit.azure.LocalEntra;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyless local-cloud}: starts the testkit's emulators (OIDC issuer, GitHub Actions token endpoint, AWS STS,
 * Google STS and IAM Credentials, Entra ID) on loopback with a ready default setup, prints the endpoints and the
 * environment variables of a simulated GitHub Actions job, and runs until interrupted (or for {@code --duration}).
 *
 * <p>The issuer's {@code iss} is GitHub's ({@code https://token.actions.githubusercontent.com}, served on loopback), so
 * trust policies, pools and federated credentials written for GitHub Actions work unchanged. The default setup: the
 * issuer registered as an AWS OIDC provider (client id {@code sts.amazonaws.com}) and a
 * role {@code keyless-demo} trusting {@code repo:keyless-dev/demo:*}; a Google workload identity pool provider for the
 * issuer whose condition admits that repository, and a service account it may impersonate; an Entra application
 * whose federated credential trusts the job's subject. {@code --config FILE} adds more (see
 * {@link LocalCloudConfig}).
 */
@Command(name = "local-cloud", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the local cloud (OIDC issuer, GitHub Actions token endpoint, AWS STS, Google STS/IAM, "
                + "Entra ID) on loopback until interrupted, and print ready-to-paste environment variables for a "
                + "simulated GitHub Actions job.",
                "",
                "Config file (JSON), every part optional; trust policies may use ${accountId}, ${providerArn}, "
                        + "${issuerHost}, ${issuerUrl} (and ${providerArn:NAME}... for an extra issuer):",
                "  {\"accountId\": \"123456789012\", \"issuerUrl\": \"https://token.actions.githubusercontent.com\" (the default; "
                        + "\"loopback\" for the issuer's own URL),",
                "   \"job\": {\"repository\": \"acme/app\", \"branch\": \"main\" | \"tag\": \"v1\" | \"environment\": \"prod\","
                        + " \"pullRequest\": true, \"immutableSubject\": true},",
                "   \"aws\": {\"clientIds\": [\"sts.amazonaws.com\"], \"roles\": [{\"name\": \"deploy\", \"subject\": "
                        + "\"repo:acme/app:ref:refs/heads/main\", \"maxSessionDurationSeconds\": 3600},",
                "            {\"name\": \"custom\", \"trustPolicy\": {...} | \"trustPolicyFile\": \"trust.json\"}]},",
                "   \"issuers\": [{\"name\": \"gitlab\", \"kind\": \"gitlab\", \"awsClientIds\": [\"sts.amazonaws.com\"],",
                "                \"token\": {\"file\": \"gitlab.jwt\", \"audience\": \"sts.amazonaws.com\", \"subject\": \"...\", "
                        + "\"claims\": {}}}],",
                "   \"google\": {\"pools\": [{\"projectNumber\": \"123456\", \"poolId\": \"ci\", \"providerId\": \"gh\", "
                        + "\"attributeCondition\": \"...\", \"serviceAccount\": \"deploy@p.iam.gserviceaccount.com\"}]},",
                "   \"azure\": {\"apps\": [{\"tenantId\": \"...\", \"clientId\": \"...\", \"subject\": \"repo:acme/app:environment:prod\"}]}}"})
final class LocalCloudCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "More providers, roles, pools and apps (JSON, see above).")
    Path config;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long (30s, 5m, 1h, or ISO-8601 PT30S); default: until interrupted.")
    String duration;

    @Option(names = "--env-file", paramLabel = "FILE", description = "Also write the job's environment variables to this file (KEY=value lines, for `set -a; . FILE`).")
    Path envFile;

    @Option(names = "--no-google", description = "Do not start the Google emulator (faster start).")
    boolean noGoogle;

    @Option(names = "--no-azure", description = "Do not start the Entra ID emulator.")
    boolean noAzure;

    @Override
    public Integer call() throws Exception {
        Duration limit = duration == null ? null : parseDuration(duration);
        LocalCloudConfig cfg = config == null ? LocalCloudConfig.defaults() : LocalCloudConfig.load(config);
        PrintWriter out = out();
        List<AutoCloseable> extras = new ArrayList<>();
        ScheduledExecutorService rotation = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyless-local-cloud-tokens");
            t.setDaemon(true);
            return t;
        });
        boolean interrupted = false;
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "keyless-local-cloud-shutdown");
        LocalCloud.Builder b = LocalCloud.builder().clock(clock).defaultSetup(true).accountId(cfg.accountId);
        if (cfg.issuerUrl != null) {
            b.issuerUrl(cfg.issuerUrl);
        }
        if (!noGoogle) {
            b.service(LocalGoogle.class, c -> LocalGoogle.builder().clock(clock).start());
        }
        if (!noAzure) {
            b.service(LocalEntra.class, c -> LocalEntra.builder().clock(clock).start());
        }
        try (LocalCloud cloud = b.start()) {
            Setup setup = new Setup(cloud, cfg, extras, rotation);
            setup.apply();
            Map<String, String> env = setup.environment();
            setup.print(out, env);
            if (envFile != null) {
                writeEnvFile(env);
                out.println("Environment written to " + envFile + " (`set -a; . " + envFile + "; set +a`).");
            }
            out.println(limit == null ? "Ready. Press Ctrl-C to stop." : "Ready. Stopping in " + TokenChecks.human(limit) + ".");
            out.flush();
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                if (limit == null) {
                    stop.await();
                } else {
                    stop.await(limit.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                // Stopped: clean up without the flag (closing servers may wait), and set it again at the end.
                interrupted = true;
            }
        } finally {
            rotation.shutdownNow();
            for (AutoCloseable c : extras) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Stopping anyway: one emulator that fails to close must not keep the others running.
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDownOrNeverAdded) {
                // The JVM is stopping (Ctrl-C): the hook is running and waits for `stopped`.
            }
            out.println("Local cloud stopped.");
            out.flush();
            stopped.countDown();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void writeEnvFile(Map<String, String> env) throws IOException {
        StringBuilder sb = new StringBuilder("# keyless local-cloud: a simulated GitHub Actions job (loopback only).\n");
        env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(envFile, sb.toString(), StandardCharsets.UTF_8);
    }

    static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.matches("\\d+(ms|s|m|h)")) {
                long n = Long.parseLong(t.replaceAll("\\D", ""));
                return t.endsWith("ms") ? Duration.ofMillis(n) : t.endsWith("s") ? Duration.ofSeconds(n)
                        : t.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            // Reported below.
        }
        throw ConfigurationException.badOption("--duration", "'" + text + "' is not a duration",
                "Use 30s, 5m, 1h, 500ms or ISO-8601 such as PT30S.");
    }

    /** Applies the configuration to a started cloud and describes the result. */
    private static final class Setup {
        private final LocalCloud cloud;
        private final LocalCloudConfig cfg;
        private final List<AutoCloseable> extras;
        private final ScheduledExecutorService rotation;
        private final Map<String, LocalIssuer> issuers = new LinkedHashMap<>();
        private final List<String> lines = new ArrayList<>();
        private WorkloadIdentityPoolProvider defaultPool;
        private Path certificates;

        Setup(LocalCloud cloud, LocalCloudConfig cfg, List<AutoCloseable> extras, ScheduledExecutorService rotation) {
            this.cloud = cloud;
            this.cfg = cfg;
            this.extras = extras;
            this.rotation = rotation;
        }

        void apply() {
            LocalSts sts = cloud.sts();
            if (cfg.job != null) {
                cloud.github().job(job(cfg.job));
            }
            List<String> clientIds = new ArrayList<>(List.of(LocalCloud.AWS_AUDIENCE));
            cfg.awsClientIds.stream().filter(id -> !clientIds.contains(id)).forEach(clientIds::add);
            if (clientIds.size() > 1) {
                sts.registerOidcProvider(cloud.issuer(), clientIds);
            }
            lines.add("AWS STS            " + sts.endpoint() + "  (account " + sts.accountId() + ", region: any)");
            lines.add("  OIDC provider    " + cloud.providerArn().orElseThrow() + "  (client ids: " + String.join(", ", clientIds) + ")");
            lines.add("  role             " + cloud.demoRoleArn() + "  (trusts repo:" + LocalCloud.DEMO_REPOSITORY + ":*)");
            for (LocalCloudConfig.Issuer i : cfg.issuers) {
                startIssuer(i);
            }
            for (LocalCloudConfig.Role r : cfg.roles) {
                String policy = r.trustPolicy() != null ? substitute(r.trustPolicy())
                        : LocalSts.webIdentityTrustPolicy(cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(),
                        r.audience(), r.subject());
                String arn;
                try {
                    arn = sts.createRole(r.name(), policy, Duration.ofSeconds(r.maxSessionDurationSeconds()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException(Diagnosis.builder("The local cloud cannot create role '" + r.name()
                                    + "': " + e.getMessage())
                            .code("local-cloud.invalid-config")
                            .evidence("role", r.name())
                            .fix("Correct the role's trust policy in the configuration file; `keyless aws lint-trust-policy` "
                                    + "checks one.")
                            .build());
                }
                lines.add("  role             " + arn + (r.subject() != null ? "  (trusts " + r.subject() + ")" : "  (trust policy from the configuration)")
                        + (r.maxSessionDurationSeconds() != 3600 ? ", max session " + r.maxSessionDurationSeconds() + " s" : ""));
            }
            cloud.service(LocalGoogle.class).ifPresent(this::google);
            cloud.service(LocalEntra.class).ifPresent(this::entra);
        }

        private UnaryOperator<GitHubTokenBuilder> job(LocalCloudConfig.Job j) {
            return g -> {
                if (j.repository() != null) {
                    g.repository(j.repository());
                }
                if (j.branch() != null) {
                    g.branch(j.branch());
                }
                if (j.tag() != null) {
                    g.tag(j.tag());
                }
                if (j.environment() != null) {
                    g.environment(j.environment());
                }
                if (j.pullRequest()) {
                    g.pullRequest();
                }
                if (j.eventName() != null) {
                    g.eventName(j.eventName());
                }
                if (j.immutableSubject()) {
                    g.immutableSubject();
                }
                return g;
            };
        }

        private void startIssuer(LocalCloudConfig.Issuer i) {
            LocalIssuer.Builder ib = LocalIssuer.builder().clock(cloud.clock());
            if (i.issuerUrl() != null) {
                ib.issuerUrl(i.issuerUrl());
            }
            LocalIssuer issuer = ib.start();
            extras.add(issuer);
            issuers.put(i.name(), issuer);
            lines.add("issuer " + i.name() + (" ".repeat(Math.max(1, 11 - i.name().length()))) + issuer.url()
                    + "  (iss " + issuer.issuerUrl() + ")");
            if (!i.awsClientIds().isEmpty()) {
                String arn = cloud.sts().registerOidcProvider(issuer, i.awsClientIds());
                lines.add("  OIDC provider    " + arn + "  (client ids: " + String.join(", ", i.awsClientIds()) + ")");
            }
            i.token().ifPresent(t -> {
                Runnable write = () -> writeToken(issuer, i.kind(), t);
                write.run();
                long half = Math.max(30, t.lifetimeSeconds() / 2);
                rotation.scheduleAtFixedRate(write, half, half, TimeUnit.SECONDS);
                lines.add("  token file       " + t.file() + "  (rewritten every " + half + " s; KEYLESS_TOKEN_FILE=" + t.file() + ")");
            });
        }

        private static void writeToken(LocalIssuer issuer, String kind, LocalCloudConfig.TokenFile t) {
            TokenBuilder<?> builder = switch (kind) {
                case "github" -> issuer.github();
                case "gitlab" -> issuer.gitlab();
                case "kubernetes" -> issuer.kubernetes();
                default -> issuer.token();
            };
            builder.lifetime(Duration.ofSeconds(t.lifetimeSeconds()));
            if (t.subject() != null) {
                builder.subject(t.subject());
            }
            if (!t.audience().isEmpty()) {
                builder.audience(t.audience());
            }
            t.claims().forEach(builder::claim);
            try {
                Path tmp = t.file().resolveSibling(t.file().getFileName() + ".tmp");
                Files.writeString(tmp, builder.mintValue(), StandardCharsets.US_ASCII);
                Files.move(tmp, t.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot write the token file " + t.file(), e);
            }
        }

        private String substitute(String policy) {
            String issuerUrl = cloud.issuer().issuerUrl();
            String s = policy.replace("${accountId}", cloud.sts().accountId())
                    .replace("${providerArn}", cloud.sts().providerArn(issuerUrl))
                    .replace("${issuerHost}", LocalSts.conditionKeyPrefix(issuerUrl))
                    .replace("${issuerUrl}", issuerUrl);
            for (Map.Entry<String, LocalIssuer> e : issuers.entrySet()) {
                String url = e.getValue().issuerUrl();
                s = s.replace("${providerArn:" + e.getKey() + "}", cloud.sts().providerArn(url))
                        .replace("${issuerHost:" + e.getKey() + "}", LocalSts.conditionKeyPrefix(url))
                        .replace("${issuerUrl:" + e.getKey() + "}", url);
            }
            return s;
        }

        private void google(LocalGoogle g) {
            defaultPool = LocalSetup.google(g, cloud.issuer());
            lines.add("Google             " + g.baseUrl() + "  (STS " + g.stsUrl() + ")");
            lines.add("  provider         " + defaultPool.resourceName());
            lines.add("  condition        " + defaultPool.attributeCondition());
            lines.add("  service account  " + LocalSetup.GOOGLE_SERVICE_ACCOUNT + "  (workloadIdentityUser: repository " + LocalCloud.DEMO_REPOSITORY + ")");
            for (LocalCloudConfig.GooglePool p : cfg.googlePools) {
                g.project(p.projectId(), p.projectNumber());
                WorkloadIdentityPoolProvider.Builder pb = g.workloadIdentityPoolProvider(p.projectNumber(), p.poolId(), p.providerId())
                        .issuer(cloud.issuer());
                if (p.attributeMapping().isEmpty()) {
                    pb.attributeMapping("google.subject", "assertion.sub");
                } else {
                    p.attributeMapping().forEach(pb::attributeMapping);
                }
                if (p.attributeCondition() != null) {
                    pb.attributeCondition(p.attributeCondition());
                }
                if (!p.allowedAudiences().isEmpty()) {
                    pb.allowedAudiences(p.allowedAudiences().toArray(String[]::new));
                }
                WorkloadIdentityPoolProvider created;
                try {
                    created = pb.create();
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException(Diagnosis.builder("The local cloud cannot create the Google provider "
                                    + p.poolId() + "/" + p.providerId() + ": " + e.getMessage())
                            .code("local-cloud.invalid-config")
                            .fix("Correct the pool in the configuration file (attribute mapping keys, CEL expressions).")
                            .build());
                }
                lines.add("  provider         " + created.resourceName()
                        + (p.attributeCondition() != null ? "  (condition " + p.attributeCondition() + ")" : ""));
                if (p.serviceAccount() != null) {
                    g.serviceAccount(p.serviceAccount()).grant(created.allIdentities(), LocalGoogle.WORKLOAD_IDENTITY_USER);
                    lines.add("  service account  " + p.serviceAccount() + "  (workloadIdentityUser: every identity of the pool)");
                }
            }
        }

        private void entra(LocalEntra e) {
            String subject = jobSubject();
            LocalSetup.entra(e, cloud.issuer(), subject);
            lines.add("Entra ID           " + e.authorityHost());
            lines.add("  tenant / client  " + LocalSetup.ENTRA_TENANT + " / " + LocalSetup.ENTRA_CLIENT);
            lines.add("  federated cred.  issuer " + cloud.issuer().issuerUrl() + ", subject " + subject + ", audience "
                    + FederatedIdentityCredential.DEFAULT_AUDIENCE);
            for (LocalCloudConfig.EntraApp a : cfg.entraApps) {
                EntraApplication more = e.application(a.tenantId(), a.clientId())
                        .orElseGet(() -> e.registerApplication(a.tenantId(), a.clientId()));
                more.addFederatedCredential(FederatedIdentityCredential.builder(a.name()).issuer(cloud.issuer().issuerUrl())
                        .subject(a.subject()).audience(a.audience()).build());
                lines.add("  app              " + a.tenantId() + " / " + a.clientId() + "  (subject " + a.subject() + ")");
            }
        }

        /** The sub of the simulated job's tokens (the same for every audience). */
        private String jobSubject() {
            GitHubTokenBuilder g = cloud.issuer().github();
            if (cfg.job != null) {
                job(cfg.job).apply(g);
            }
            return (String) g.claims().get("sub");
        }

        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>(cloud.githubEnvironment());
            env.put("AWS_ROLE_ARN", cloud.demoRoleArn());
            env.put("AWS_REGION", "us-east-1");
            env.put("KEYLESS_AWS_STS_ENDPOINT", cloud.sts().endpoint().toString());
            cloud.service(LocalGoogle.class).ifPresent(g -> {
                env.put("KEYLESS_GCP_CA_FILE", pem("google.pem", g.certificatePem()).toString());
                env.put("KEYLESS_GCP_PROVIDER", defaultPool.resourceName());
                env.put("KEYLESS_GCP_SERVICE_ACCOUNT", LocalSetup.GOOGLE_SERVICE_ACCOUNT);
                env.put("KEYLESS_GCP_STS_URL", g.stsUrl());
                env.put("KEYLESS_GCP_IAM_CREDENTIALS_URL", g.iamCredentialsUrl());
            });
            cloud.service(LocalEntra.class).ifPresent(e -> {
                env.put("KEYLESS_AZURE_CA_FILE", pem("entra.pem", e.tls().certificatePem()).toString());
                env.put("AZURE_TENANT_ID", LocalSetup.ENTRA_TENANT);
                env.put("AZURE_CLIENT_ID", LocalSetup.ENTRA_CLIENT);
                env.put("AZURE_AUTHORITY_HOST", e.authorityHost().toString());
            });
            return env;
        }

        void print(PrintWriter out, Map<String, String> env) {
            out.println("Keyless local cloud (loopback only: no account, no network)");
            out.println("OIDC issuer        " + cloud.issuer().url() + "  (iss " + cloud.issuer().issuerUrl() + ")");
            out.println("GitHub job         " + env.get("GITHUB_REPOSITORY") + ", " + env.get("GITHUB_EVENT_NAME") + " on "
                    + env.get("GITHUB_REF") + ", sub " + jobSubject());
            lines.forEach(out::println);
            if (env.containsKey("KEYLESS_GCP_CA_FILE") || env.containsKey("KEYLESS_AZURE_CA_FILE")) {
                out.println("Certificates       " + String.join(", ", java.util.stream.Stream.of(env.get("KEYLESS_GCP_CA_FILE"),
                        env.get("KEYLESS_AZURE_CA_FILE")).filter(java.util.Objects::nonNull).toList())
                        + "  (self-signed, loopback only; the doctor trusts them through the variables below)");
            }
            out.println();
            out.println("Environment of a simulated GitHub Actions job with `permissions: id-token: write` (paste into a shell;");
            out.println("ACTIONS_ID_TOKEN_REQUEST_TOKEN is a throwaway bearer for this loopback emulator only):");
            // Shell-quoted so that values with spaces or '&' paste safely.
            env.forEach((k, v) -> out.println("export " + k + "='" + v.replace("'", "'\\''") + "'"));
            out.println();
            out.println("Then, e.g.:  keyless doctor aws  |  keyless doctor gcp  |  keyless doctor azure  |  keyless aws credential-process");
        }

        /** Writes a public certificate for clients outside this JVM (the doctor, curl, gcloud). */
        private Path pem(String name, String pem) {
            try {
                if (certificates == null) {
                    certificates = Files.createTempDirectory("keyless-local-cloud");
                    extras.add(() -> {
                        try (var files = Files.list(certificates)) {
                            for (Path f : files.toList()) {
                                Files.deleteIfExists(f);
                            }
                        }
                        Files.deleteIfExists(certificates);
                    });
                }
                return Files.writeString(certificates.resolve(name), pem, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot write the emulator's certificate", e);
            }
        }
    }
}
