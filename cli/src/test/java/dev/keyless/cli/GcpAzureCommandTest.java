package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.Json;
import dev.keyless.core.source.StaticTokenSource;
import dev.keyless.gcp.WorkloadIdentityCredentials;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyless gcp credential-config}, {@code gcp executable} and {@code azure federated-credential}. */
class GcpAzureCommandTest {
    static MutableClock clock;
    static LocalCloud cloud;
    static LocalGoogle google;
    static WorkloadIdentityPoolProvider pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        clock = MutableClock.create();
        // GitHub's iss, served on loopback: a federated credential needs an https issuer, as every real one is.
        cloud = LocalCloud.builder().clock(clock).defaultSetup(true).issuerUrl("https://token.actions.githubusercontent.com")
                .service(LocalGoogle.class, c -> LocalGoogle.builder().clock(clock).start()).start();
        google = cloud.service(LocalGoogle.class).orElseThrow();
        pool = LocalSetup.google(google, cloud.issuer());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void executablePrintsGoogleResponseWithAFreshTokenForTheLibrarysAudienceThatStsAccepts() {
        Map<String, String> env = new HashMap<>(cloud.githubEnvironment());
        env.put("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", pool.stsAudience());
        env.put("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", "urn:ietf:params:oauth:token-type:jwt");

        Cli.Result r = Cli.run(env, clock, "gcp", "executable");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> json = Json.object(r.out()).orElseThrow();
        assertThat(json.keySet()).containsExactly("version", "success", "token_type", "id_token", "expiration_time");
        assertThat(((Number) json.get("version")).intValue()).isEqualTo(1);
        assertThat(json).containsEntry("success", true).containsEntry("token_type", "urn:ietf:params:oauth:token-type:jwt");
        IdentityToken token = IdentityToken.parse((String) json.get("id_token"));
        assertThat(token.audience()).containsExactly(pool.defaultTokenAudience());
        assertThat(((Number) json.get("expiration_time")).longValue()).isEqualTo(token.expiresAt().orElseThrow().getEpochSecond());

        // What google-auth does with it: exchange it at STS.
        WorkloadIdentityCredentials credentials = WorkloadIdentityCredentials.builder().provider(pool.resourceName())
                .tokenSource(StaticTokenSource.of(token)).tokenUrl(google.stsUrl())
                .httpTransportFactory(LocalSetup.googleTransport(google)).clock(clock).build();
        assertThat(credentials.accessToken().getTokenValue()).isNotBlank();
    }

    @Test
    void executableFailureIsGooglesFailureResponseWithTheDiagnosisCode() {
        Map<String, String> env = new HashMap<>(cloud.githubEnvironment());
        env.remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

        Cli.Result r = Cli.run(env, clock, "gcp", "executable", "--provider", pool.resourceName(), "--token-type", "id_token");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        Map<String, Object> json = Json.object(r.out()).orElseThrow();
        assertThat(json).containsEntry("success", false).containsEntry("code", "github.missing-id-token-permission");
        assertThat((String) json.get("message")).contains("id-token: write");
    }

    @Test
    void credentialConfigWithTheGitHubSourceIsWrittenPrivatelyAndNeverPrintsTheRequestToken() throws IOException {
        Map<String, String> env = new HashMap<>(cloud.githubEnvironment());
        env.put("RUNNER_TEMP", dir.toString());

        Cli.Result r = Cli.run(env, clock, "gcp", "credential-config", "--provider", pool.resourceName(), "--github",
                "--service-account", LocalSetup.GOOGLE_SERVICE_ACCOUNT);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.all()).doesNotContain(cloud.github().requestToken());
        String export = r.out().lines().filter(l -> l.startsWith("export GOOGLE_APPLICATION_CREDENTIALS=")).findFirst().orElseThrow();
        Path file = Path.of(export.substring(export.indexOf('=') + 1));
        assertThat(file.getParent()).isEqualTo(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Map<String, Object> json = Json.object(Files.readString(file)).orElseThrow();
        assertThat(json).containsEntry("type", "external_account").containsEntry("audience", pool.stsAudience());
        assertThat((String) json.get("service_account_impersonation_url")).contains(LocalSetup.GOOGLE_SERVICE_ACCOUNT);
        assertThat(json.get("credential_source").toString()).contains("audience=https%3A%2F%2Fiam.googleapis.com");
    }

    @Test
    void credentialConfigNeedsExactlyOneSourceAndAnAbsoluteExecutable() {
        Cli.Result none = Cli.run("gcp", "credential-config", "--provider", pool.resourceName());
        assertThat(none.exitCode()).isEqualTo(Main.EXIT_USAGE);

        Cli.Result relative = Cli.run(Map.of(), clock, "gcp", "credential-config", "--provider", pool.resourceName(),
                "--executable", "keyless gcp executable", "--output", dir.resolve("x.json").toString());
        assertThat(relative.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(relative.err()).contains("absolute path");

        Cli.Result projectId = Cli.run(Map.of(), clock, "gcp", "credential-config", "--token-file", "/tmp/t",
                "--provider", "projects/my-project/locations/global/workloadIdentityPools/p/providers/x");
        assertThat(projectId.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(projectId.err()).contains("number");
    }

    @Test
    void credentialConfigCanRunThisKeylessAsTheExecutableSource() throws IOException {
        Path out = dir.resolve("exec.json");
        Cli.Result r = Cli.run(Map.of("KEYLESS_LAUNCHER", "/opt/keyless/bin/keyless"), clock, "gcp", "credential-config",
                "--provider", pool.resourceName(), "--executable-self", "--output", out.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1");
        Map<String, Object> json = Json.object(Files.readString(out)).orElseThrow();
        assertThat(json.get("credential_source").toString())
                .contains("command=/opt/keyless/bin/keyless gcp executable --provider " + pool.resourceName());
    }

    @Test
    void federatedCredentialForAGitHubEnvironment() {
        Cli.Result r = Cli.run("azure", "federated-credential", "--github", "acme/app", "--environment", "production");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> json = Json.object(r.out()).orElseThrow();
        assertThat(json).containsEntry("issuer", "https://token.actions.githubusercontent.com")
                .containsEntry("subject", "repo:acme/app:environment:production")
                .containsEntry("audiences", List.of("api://AzureADTokenExchange"));

        Cli.Result az = Cli.run("azure", "federated-credential", "--github", "acme/app", "--branch", "main",
                "--az-app", "11111111-2222-3333-4444-555555555555");
        assertThat(az.out()).startsWith("az ad app federated-credential create --id 11111111-2222-3333-4444-555555555555 --parameters '")
                .contains("repo:acme/app:ref:refs/heads/main");
    }

    @Test
    void federatedCredentialFromTheJobMatchesItsToken() {
        Cli.Result r = Cli.run(cloud.githubEnvironment(), clock, "azure", "federated-credential", "--from-job");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> json = Json.object(r.out()).orElseThrow();
        assertThat(json).containsEntry("issuer", cloud.issuer().issuerUrl())
                .containsEntry("subject", "repo:keyless-dev/demo:ref:refs/heads/main");
        assertThat(r.all()).doesNotContainPattern(Cli.JWT);
    }
}
