package dev.keyless.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.ExternalAccountCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdentityPoolCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated external_account files, read back by google-auth-library's own parser and used against the testkit. */
class CredentialConfigurationTest {
    static final String SA = "config-sa@keyless-dev.iam.gserviceaccount.com";

    static GoogleFixture f;
    static WorkloadIdentityPoolProvider provider;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        f = GoogleFixture.start();
        provider = f.google.workloadIdentityPoolProvider(GoogleFixture.PROJECT_NUMBER, "ci-pool", "files")
                .issuer(f.issuer)
                .attributeMapping("google.subject", "assertion.sub")
                .attributeMapping("attribute.repository", "assertion.repository")
                .create();
        f.google.serviceAccount(SA).grant(provider.principalSet("repository", "acme/app"), LocalGoogle.WORKLOAD_IDENTITY_USER);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private CredentialConfiguration.Builder base() {
        return CredentialConfiguration.builder()
                .provider(provider.resourceName())
                .tokenUrl(f.google.stsUrl())
                .environment(Environment.of(Map.of()));
    }

    private GoogleCredentials load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return GoogleCredentials.fromStream(in, f.transport);
        }
    }

    @Test
    void fileSourceIsReadBackByGoogleAuthAndExchangedAtTheTestkit() throws IOException {
        Path token = dir.resolve("token.jwt");
        Files.writeString(token, f.issuer.github().repository("acme/app").audience(provider.defaultTokenAudience()).mintValue());
        Path file = base().fileSource(token).build().writeTo(dir.resolve("creds.json"));

        GoogleCredentials creds = load(file);

        assertThat(creds).isInstanceOf(IdentityPoolCredentials.class);
        assertThat(((ExternalAccountCredentials) creds).getAudience()).isEqualTo(provider.stsAudience());
        creds.refresh();
        assertThat(f.google.accepts(creds.getAccessToken().getTokenValue())).isTrue();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void impersonationSettingsSurviveTheRoundTrip() throws IOException {
        Path token = dir.resolve("token.jwt");
        Files.writeString(token, f.issuer.github().repository("acme/app").audience(provider.defaultTokenAudience()).mintValue());
        Path file = base().fileSource(token).serviceAccount(SA).lifetime(Duration.ofMinutes(20))
                .iamCredentialsUrl(f.google.iamCredentialsUrl()).build().writeTo(dir.resolve("sa.json"));

        ExternalAccountCredentials creds = (ExternalAccountCredentials) load(file);

        assertThat(creds.getServiceAccountEmail()).isEqualTo(SA);
        assertThat(creds.getServiceAccountImpersonationUrl()).isEqualTo(f.google.impersonationUrl(SA));
        creds.refresh();
        assertThat(f.body(f.google.tokenInfoUrl() + "?access_token=" + creds.getAccessToken().getTokenValue()))
                .contains("\"email\":\"" + SA + "\"");
        assertThat(creds).isNotInstanceOf(ImpersonatedCredentials.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void gitHubUrlSourceCarriesTheAudienceHeaderAndValueField() throws IOException {
        Environment gh = Environment.of(Map.of(
                "ACTIONS_ID_TOKEN_REQUEST_URL", "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token-secret"));
        CredentialConfiguration config = base().gitHubActionsSource(gh, provider.defaultTokenAudience()).build();
        Map<String, Object> source = (Map<String, Object>) Json.object(config.toJson()).orElseThrow().get("credential_source");

        assertThat((String) source.get("url")).isEqualTo("https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0"
                + "&audience=https%3A%2F%2Fiam.googleapis.com%2F" + provider.resourceName().replace("/", "%2F"));
        assertThat(source.get("headers")).isEqualTo(Map.of("Authorization", "Bearer request-token-secret"));
        assertThat(source.get("format")).isEqualTo(Map.of("type", "json", "subject_token_field_name", "value"));
        assertThat(config.toString()).doesNotContain("request-token-secret");
        assertThat(load(config.writeTo(dir.resolve("gh.json")))).isInstanceOf(IdentityPoolCredentials.class);
    }

    @Test
    void gitHubUrlSourceWithoutThePermissionSaysSo() {
        assertThatThrownBy(() -> base().gitHubActionsSource(Environment.of(Map.of()), "aud"))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.diagnosis().fix()).contains("id-token: write"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void executableSourceIsPluggableAuth() throws IOException {
        CredentialConfiguration config = base().executableSource("/usr/local/bin/keyless gcp executable --provider "
                + provider.resourceName(), Duration.ofSeconds(20), dir.resolve("cache.json")).build();
        Map<String, Object> exec = (Map<String, Object>) ((Map<String, Object>) Json.object(config.toJson()).orElseThrow()
                .get("credential_source")).get("executable");
        assertThat(exec).containsEntry("timeout_millis", 20000L).containsKey("output_file");
        assertThat(load(config.writeTo(dir.resolve("exec.json"))).getClass().getSimpleName()).isEqualTo("PluggableAuthCredentials");
        assertThatThrownBy(() -> base().executableSource("keyless gcp executable")).hasMessageContaining("absolute path");
    }

    @Test
    void refusesToWriteInsideTheWorkspace() throws IOException {
        Path workspace = Files.createDirectories(dir.resolve("work/repo"));
        Environment ci = Environment.of(Map.of("GITHUB_WORKSPACE", workspace.toString()));
        CredentialConfiguration config = base().fileSource(dir.resolve("t")).environment(ci).build();

        assertThatThrownBy(() -> config.writeTo(workspace.resolve("gha-creds.json")))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.diagnosis().code()).isEqualTo("gcp.config-in-workspace"));
        assertThat(workspace.resolve("gha-creds.json")).doesNotExist();

        Path gitTree = Files.createDirectories(dir.resolve("checkout/.git")).getParent();
        assertThatThrownBy(() -> base().fileSource(dir.resolve("t")).build().writeTo(gitTree.resolve("sub/creds.json")))
                .isInstanceOf(ConfigurationException.class);

        Path allowed = base().fileSource(dir.resolve("t")).environment(ci).allowInsideWorkspace(true).build()
                .writeTo(workspace.resolve("ignored-creds.json"));
        assertThat(allowed).exists();
    }

    @Test
    void defaultLocationIsRunnerTemp() throws IOException {
        Path runnerTemp = Files.createDirectories(dir.resolve("runner-temp"));
        Path file = base().fileSource(dir.resolve("t")).environment(Environment.of(Map.of("RUNNER_TEMP", runnerTemp.toString())))
                .build().write();
        assertThat(file.getParent()).isEqualTo(runnerTemp);
        assertThat(file.getFileName().toString()).startsWith("keyless-gcp-").endsWith(".json");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void executableResponseHasGooglesShape() {
        String ok = ExecutableResponse.success(f.issuer.github().mint(), SubjectTokenType.ID_TOKEN);
        assertThat(Json.object(ok).orElseThrow()).containsEntry("version", 1L).containsEntry("success", true)
                .containsEntry("token_type", "urn:ietf:params:oauth:token-type:id_token").containsKeys("id_token", "expiration_time");
        assertThat(ExecutableResponse.failure("401", "No token")).isEqualTo(
                "{\"version\":1,\"success\":false,\"code\":\"401\",\"message\":\"No token\"}");
    }
}
