package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyless local-cloud}: runs until stopped, and what it prints is enough to use it. */
class LocalCloudCommandTest {
    private static final Pattern EXPORT = Pattern.compile("^export (\\w+)='([^']*)'$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    /** A running {@code keyless local-cloud}: its output so far, and a way to stop it. */
    static final class Running implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CountDownLatch ready = new CountDownLatch(1);
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;

        Running(String... args) throws InterruptedException {
            Writer signalling = new Writer() {
                @Override
                public void write(char[] buf, int off, int len) {
                    out.write(buf, off, len);
                    if (out.toString().contains("Ready.")) {
                        ready.countDown();
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            thread = new Thread(() -> {
                exit.set(Main.run(Environment.of(Map.of()), Clock.systemUTC(), new PrintWriter(signalling, true),
                        new PrintWriter(err, true), args));
                ready.countDown();
            }, "local-cloud-under-test");
            thread.start();
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("local-cloud became ready").isTrue();
            assertThat(exit.get()).as("exited early:\n" + out + err).isEqualTo(-1);
        }

        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            Matcher m = EXPORT.matcher(out.toString());
            while (m.find()) {
                env.put(m.group(1), m.group(2));
            }
            return env;
        }

        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(thread.isAlive()).isFalse();
            return exit.get();
        }

        @Override
        public void close() {
            if (thread.isAlive()) {
                try {
                    stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void theDefaultSetupPrintsAJobEnvironmentThatDoctorAndCredentialProcessCanUse() throws Exception {
        try (Running cloud = new Running("local-cloud", "--no-google", "--no-azure")) {
            Map<String, String> env = cloud.environment();
            assertThat(env).containsKeys("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    "AWS_ROLE_ARN", "KEYLESS_AWS_STS_ENDPOINT", "AWS_REGION");
            assertThat(env).containsEntry("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/keyless-demo");
            assertThat(cloud.out.toString()).contains("AWS STS            http://127.0.0.1:")
                    .contains("sub repo:keyless-dev/demo:ref:refs/heads/main")
                    .doesNotContain("Google").doesNotContain("Entra");

            Cli.Result doctor = Cli.run(env, Clock.systemUTC(), "doctor", "aws");
            assertThat(doctor.exitCode()).as(doctor.all()).isZero();
            assertThat(doctor.out()).contains("assumed-role/keyless-demo/");

            Cli.Result process = Cli.run(env, Clock.systemUTC(), "aws", "credential-process");
            assertThat(process.exitCode()).as(process.err()).isZero();
            assertThat(Json.object(process.out()).orElseThrow()).containsKey("Expiration");

            assertThat(cloud.stop()).isZero();
            assertThat(cloud.out.toString()).endsWith("Local cloud stopped.\n");
        }
    }

    @Test
    void googleAndEntraAreDescribedWithTheirIdsAndCertificates() throws Exception {
        try (Running cloud = new Running("local-cloud")) {
            Map<String, String> env = cloud.environment();
            assertThat(env).containsEntry("AZURE_TENANT_ID", LocalSetup.ENTRA_TENANT)
                    .containsEntry("AZURE_CLIENT_ID", LocalSetup.ENTRA_CLIENT)
                    .containsEntry("KEYLESS_GCP_PROVIDER", "projects/" + LocalSetup.GOOGLE_PROJECT_NUMBER
                            + "/locations/global/workloadIdentityPools/keyless-pool/providers/github")
                    .containsEntry("KEYLESS_GCP_SERVICE_ACCOUNT", LocalSetup.GOOGLE_SERVICE_ACCOUNT);
            assertThat(env.get("AZURE_AUTHORITY_HOST")).startsWith("https://127.0.0.1:");
            assertThat(cloud.out.toString()).contains("condition        assertion.repository == 'keyless-dev/demo'")
                    .contains("subject repo:keyless-dev/demo:ref:refs/heads/main, audience api://AzureADTokenExchange");
            assertThat(Files.readString(Path.of(env.get("KEYLESS_GCP_CA_FILE")))).startsWith("-----BEGIN CERTIFICATE-----");

            Cli.Result gcp = Cli.run(env, Clock.systemUTC(), "doctor", "gcp",
                    "--attribute-condition", "assertion.repository == 'keyless-dev/demo'",
                    "--attribute-mapping", "attribute.repository=assertion.repository");
            assertThat(gcp.exitCode()).as(gcp.all()).isZero();
            assertThat(gcp.out()).contains("OK    Google STS").contains("OK    impersonation")
                    .contains("generateAccessToken succeeded for " + LocalSetup.GOOGLE_SERVICE_ACCOUNT);

            Cli.Result azure = Cli.run(env, Clock.systemUTC(), "doctor", "azure");
            assertThat(azure.exitCode()).as(azure.all()).isZero();
            assertThat(azure.out()).contains("OK    Entra exchange");
            assertThat(gcp.all() + azure.all()).doesNotContainPattern(Cli.JWT);

            Path caFile = Path.of(env.get("KEYLESS_GCP_CA_FILE"));
            assertThat(cloud.stop()).isZero();
            assertThat(caFile).doesNotExist();
        }
    }

    @Test
    void aDurationStopsItOnItsOwnAndAnEnvFileIsWritten() throws Exception {
        Path envFile = dir.resolve("job.env");
        try (Running cloud = new Running("local-cloud", "--no-google", "--no-azure", "--duration", "300ms",
                "--env-file", envFile.toString())) {
            cloud.thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(cloud.exit.get()).isZero();
            assertThat(cloud.out.toString()).contains("Stopping in 300 ms.").endsWith("Local cloud stopped.\n");
        }
        assertThat(Files.readString(envFile)).contains("GITHUB_ACTIONS=true\n").contains("AWS_ROLE_ARN=arn:aws:iam::");
    }

    @Test
    void aConfigDeclaresTheJobRolesWithPlaceholdersAndAnIssuerWithATokenFile() throws Exception {
        Path token = dir.resolve("k8s.jwt");
        Path config = Files.writeString(dir.resolve("cloud.json"), """
                {
                  "issuerUrl": "https://token.actions.githubusercontent.com",
                  "job": {"repository": "acme/app", "environment": "production"},
                  "aws": {
                    "clientIds": ["sts.amazonaws.com", "https://github.com/acme"],
                    "roles": [
                      {"name": "deploy", "subject": "repo:acme/app:environment:production", "maxSessionDurationSeconds": 7200},
                      {"name": "typo", "trustPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Federated": "${providerArn}"}, "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {"${issuerHost}:sub": "repo:acme/app:environment:prodution"}}}]}},
                      {"name": "pods", "trustPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Federated": "${providerArn:cluster}"}, "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {"${issuerHost:cluster}:sub": "system:serviceaccount:prod:app"}}}]}}
                    ]
                  },
                  "issuers": [{"name": "cluster", "kind": "kubernetes", "awsClientIds": ["sts.amazonaws.com"],
                               "token": {"file": "k8s.jwt", "audience": "sts.amazonaws.com",
                                         "subject": "system:serviceaccount:prod:app"}}]
                }
                """);
        try (Running cloud = new Running("local-cloud", "--no-google", "--no-azure", "--config", config.toString())) {
            Map<String, String> env = cloud.environment();
            String sts = env.get("KEYLESS_AWS_STS_ENDPOINT");
            assertThat(cloud.out.toString()).contains("(iss https://token.actions.githubusercontent.com)")
                    .contains("oidc-provider/token.actions.githubusercontent.com  (client ids: sts.amazonaws.com, https://github.com/acme)")
                    .contains("role/deploy  (trusts repo:acme/app:environment:production), max session 7200 s");

            Cli.Result deploy = Cli.run(env, Clock.systemUTC(), "doctor", "aws", "--role-arn",
                    "arn:aws:iam::123456789012:role/deploy", "--duration-seconds", "7200");
            assertThat(deploy.exitCode()).as(deploy.out()).isZero();

            Cli.Result typo = Cli.run(env, Clock.systemUTC(), "doctor", "aws", "--role-arn",
                    "arn:aws:iam::123456789012:role/typo");
            assertThat(typo.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
            assertThat(typo.out()).contains("STS refused with AccessDenied");

            assertThat(IdentityToken.parse(Files.readString(token)).subject()).isEqualTo("system:serviceaccount:prod:app");
            Map<String, String> pod = new HashMap<>(Map.of("KEYLESS_TOKEN_FILE", token.toString(), "AWS_REGION", "us-east-1"));
            Cli.Result pods = Cli.run(pod, Clock.systemUTC(), "doctor", "aws", "--sts-endpoint", sts, "--role-arn",
                    "arn:aws:iam::123456789012:role/pods");
            assertThat(pods.exitCode()).as(pods.out()).isZero();
        }
    }

    @Test
    void anInvalidConfigIsADiagnosisNamingThePath() throws IOException {
        Path config = Files.writeString(dir.resolve("bad.json"), "{\"aws\": {\"roles\": [{\"name\": \"x\", \"subjet\": \"repo:a/b:*\"}]}}");

        Cli.Result r = Cli.run("local-cloud", "--no-google", "--no-azure", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.err()).contains("invalid at $.aws.roles[0].subjet: unknown key 'subjet'")
                .contains("Known keys here: name, subject,");
    }

    @Test
    void aBadDurationIsADiagnosis() {
        Cli.Result r = Cli.run("local-cloud", "--duration", "soon");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.err()).contains("Invalid option '--duration'").contains("PT30S");
    }
}
