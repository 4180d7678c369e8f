package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.azure.LocalEntra;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyless doctor gcp} and {@code doctor azure} against the local Google and Entra emulators. */
class DoctorGcpAzureCommandTest {
    static MutableClock clock;
    static LocalCloud cloud;
    static LocalGoogle google;
    static LocalEntra entra;
    static WorkloadIdentityPoolProvider pool;
    static Path certificates;
    static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        clock = MutableClock.create();
        // GitHub's real iss (served on loopback): Entra's diagnoses expect an https issuer, as every real one is.
        cloud = LocalCloud.builder().clock(clock).defaultSetup(true).issuerUrl(GITHUB_ISSUER)
                .service(LocalGoogle.class, c -> LocalGoogle.builder().clock(clock).start())
                .service(LocalEntra.class, c -> LocalEntra.builder().clock(clock).start())
                .start();
        google = cloud.service(LocalGoogle.class).orElseThrow();
        entra = cloud.service(LocalEntra.class).orElseThrow();
        pool = LocalSetup.google(google, cloud.issuer());
        LocalSetup.entra(entra, cloud.issuer(), "repo:keyless-dev/demo:ref:refs/heads/main");
        certificates = Files.createTempDirectory("keyless-doctor-test");
        Files.writeString(certificates.resolve("google.pem"), google.certificatePem());
        Files.writeString(certificates.resolve("entra.pem"), entra.tls().certificatePem());
    }

    @AfterAll
    static void stop() throws IOException {
        cloud.close();
        Files.deleteIfExists(certificates.resolve("google.pem"));
        Files.deleteIfExists(certificates.resolve("entra.pem"));
        Files.deleteIfExists(certificates);
    }

    @AfterEach
    void resetJob() {
        cloud.github().job(UnaryOperator.identity());
    }

    private Map<String, String> job() {
        Map<String, String> env = new HashMap<>(cloud.githubEnvironment());
        env.put("KEYLESS_GCP_STS_URL", google.stsUrl());
        env.put("KEYLESS_GCP_IAM_CREDENTIALS_URL", google.iamCredentialsUrl());
        env.put("KEYLESS_GCP_CA_FILE", certificates.resolve("google.pem").toString());
        env.put("AZURE_TENANT_ID", LocalSetup.ENTRA_TENANT);
        env.put("AZURE_CLIENT_ID", LocalSetup.ENTRA_CLIENT);
        env.put("AZURE_AUTHORITY_HOST", entra.authorityHost().toString());
        env.put("KEYLESS_AZURE_CA_FILE", certificates.resolve("entra.pem").toString());
        return env;
    }

    private Cli.Result run(Map<String, String> env, String... args) {
        Cli.Result r = Cli.run(env, clock, args);
        Cli.assertNoSecrets(r, cloud);
        return r;
    }

    private static String line(Cli.Result r, String title) {
        return r.out().lines().filter(l -> l.matches("  \\w+\\s+" + title + "\\s.*")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + title + " in:\n" + r.out()));
    }

    private String[] gcp(String... more) {
        List<String> all = new ArrayList<>(List.of("doctor", "gcp", "--provider", pool.resourceName(),
                "--service-account", LocalSetup.GOOGLE_SERVICE_ACCOUNT,
                "--attribute-condition", pool.attributeCondition(),
                "--attribute-mapping", "attribute.repository=assertion.repository"));
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    @Test
    void gcpWorkingSetupPassesEveryStep() {
        Cli.Result r = run(job(), gcp());

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(line(r, "provider name")).startsWith("  OK");
        assertThat(line(r, "allowed audience")).startsWith("  OK");
        assertThat(line(r, "attribute condition")).startsWith("  OK");
        assertThat(line(r, "Google STS")).startsWith("  OK");
        assertThat(line(r, "impersonation")).startsWith("  OK");
    }

    @Test
    void gcpProjectIdWhereTheNumberBelongsIsNamed() {
        Cli.Result r = run(job(), "doctor", "gcp", "--provider",
                "projects/keyless-local/locations/global/workloadIdentityPools/keyless-pool/providers/github");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "provider name")).startsWith("  FAIL").contains("[gcp.provider-project-id]");
    }

    @Test
    void gcpConditionThatRejectsTheTokenIsNamedClauseByClause() {
        cloud.github().job(j -> j.repository("keyless-dev/other"));

        Cli.Result r = run(job(), gcp());

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "attribute condition")).startsWith("  FAIL").contains("[gcp.sts.attribute-condition]");
        assertThat(r.out()).contains("rejects: assertion.repository == 'keyless-dev/demo' => false")
                .contains("token repository: keyless-dev/other");
        assertThat(line(r, "Google STS")).startsWith("  FAIL").contains("[gcp.sts.attribute-condition]");
        assertThat(line(r, "impersonation")).startsWith("  SKIP");
    }

    @Test
    void gcpAudienceTheProviderDoesNotAllowIsNamed() {
        Cli.Result r = run(job(), gcp("--audience", "sts.amazonaws.com"));

        assertThat(line(r, "allowed audience")).startsWith("  FAIL").contains("[gcp.sts.audience-mismatch]");
        assertThat(line(r, "Google STS")).startsWith("  FAIL");
    }

    @Test
    void gcpServiceAccountWithoutBindingIsNamed() {
        Cli.Result r = run(job(), "doctor", "gcp", "--provider", pool.resourceName(),
                "--service-account", "someone-else@keyless-local.iam.gserviceaccount.com");

        assertThat(line(r, "Google STS")).startsWith("  OK");
        assertThat(line(r, "impersonation")).startsWith("  FAIL").contains("[gcp.iam.");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
    }

    private Path fic(String issuer, String subject) throws IOException {
        return Files.writeString(dir.resolve("fic.json"), "{\"name\": \"github-job\", \"issuer\": \"" + issuer
                + "\", \"subject\": \"" + subject + "\", \"audiences\": [\"api://AzureADTokenExchange\"]}");
    }

    @Test
    void azureWorkingSetupPassesEveryStep() throws IOException {
        Cli.Result r = run(job(), "doctor", "azure", "--federated-credential",
                fic(cloud.issuer().issuerUrl(), "repo:keyless-dev/demo:ref:refs/heads/main").toString());

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(line(r, "federated credential")).startsWith("  OK");
        assertThat(line(r, "Entra exchange")).startsWith("  OK");
    }

    @Test
    void azureSubjectMismatchIsNamedLocallyAndByEntra() throws IOException {
        cloud.github().job(j -> j.environment("production"));

        Cli.Result r = run(job(), "doctor", "azure", "--federated-credential",
                fic(cloud.issuer().issuerUrl(), "repo:keyless-dev/demo:ref:refs/heads/main").toString());

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "federated credential")).startsWith("  FAIL").contains("[azure.subject-mismatch]");
        assertThat(r.out()).contains("...:environment:NAME");
        assertThat(line(r, "Entra exchange")).startsWith("  FAIL").contains("[azure.");
    }

    @Test
    void azureSubjectCaseAndIssuerSlashAreNamed() throws IOException {
        Cli.Result caseOnly = run(job(), "doctor", "azure", "--federated-credential",
                fic(cloud.issuer().issuerUrl(), "repo:Keyless-Dev/demo:ref:refs/heads/main").toString());
        assertThat(line(caseOnly, "federated credential")).contains("[azure.subject-case-mismatch]");

        Cli.Result slash = run(job(), "doctor", "azure", "--federated-credential",
                fic(cloud.issuer().issuerUrl() + "/", "repo:keyless-dev/demo:ref:refs/heads/main").toString());
        assertThat(line(slash, "federated credential")).contains("[azure.issuer-mismatch]");
        assertThat(slash.out()).contains("trailing slash");
    }

    @Test
    void azureAudienceMismatchIsNamed() throws IOException {
        Cli.Result r = run(job(), "doctor", "azure", "--audience", "sts.amazonaws.com", "--federated-credential",
                fic(cloud.issuer().issuerUrl(), "repo:keyless-dev/demo:ref:refs/heads/main").toString());

        assertThat(line(r, "federated credential")).startsWith("  FAIL").contains("[azure.audience-mismatch]");
        assertThat(line(r, "Entra exchange")).startsWith("  FAIL");
    }
}
