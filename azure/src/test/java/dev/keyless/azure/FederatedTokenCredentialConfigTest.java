package dev.keyless.azure;

import static dev.keyless.azure.AzureFixture.STORAGE;
import static dev.keyless.azure.AzureFixture.newId;
import static dev.keyless.azure.AzureFixture.scopes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.identity.ChainedTokenCredentialBuilder;
import com.azure.identity.CredentialUnavailableException;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.LocalEntra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** Configuration from AZURE_* variables, clouds and audiences, and "not configured" inside a chain. */
class FederatedTokenCredentialConfigTest {
    static final MutableClock CLOCK = MutableClock.create();
    static LocalIssuer kubernetes;
    static LocalEntra entra;

    @BeforeAll
    static void start() {
        kubernetes = LocalIssuer.builder().clock(CLOCK).start();
        entra = LocalEntra.builder().clock(CLOCK).start();
    }

    @AfterAll
    static void stop() {
        entra.close();
        kubernetes.close();
    }

    @Test
    void dropsIntoAnAksStyleEnvironment(@TempDir Path dir) throws Exception {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("aks", kubernetes.issuerUrl(), "system:serviceaccount:apps:api");
        Path tokenFile = dir.resolve("azure-identity-token");
        String projected = kubernetes.kubernetes().serviceAccount("apps", "api").audience("api://AzureADTokenExchange").mintValue();
        Files.writeString(tokenFile, LeakGuard.secret(projected));
        Environment env = Environment.of(Map.of(
                "AZURE_TENANT_ID", app.tenantId(),
                "AZURE_CLIENT_ID", app.clientId(),
                "AZURE_AUTHORITY_HOST", entra.authorityHost() + "/", // AKS sets it with a trailing slash
                "AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString()));

        try (FederatedTokenCredential credential = FederatedTokenCredential.builder().environment(env).clock(CLOCK)
                .httpClient(AzureFixture.httpClient(entra)).build()) {
            AccessToken token = credential.getTokenSync(scopes(STORAGE));

            assertThat(entra.verifyAccessToken(token.getToken())).containsEntry("appid", app.clientId());
            assertThat(credential.tokenSource()).get().isInstanceOf(FileTokenSource.class);
            assertThat(credential.cloud()).get().satisfies(c -> {
                assertThat(c.authorityHost()).isEqualTo(entra.authorityHost());
                assertThat(c.isKnown()).isFalse();
            });
        }
    }

    @Test
    void notConfiguredIsUnavailableSoAChainMovesOn() {
        FederatedTokenCredential keyless = FederatedTokenCredential.builder().environment(Environment.of(Map.of()))
                .unavailableWhenNotConfigured(true).build();
        AccessToken fallbackToken = new AccessToken("fallback-token", OffsetDateTime.now().plusHours(1));
        TokenCredential fallback = request -> Mono.just(fallbackToken);

        TokenCredential chain = new ChainedTokenCredentialBuilder().addLast(keyless).addLast(fallback).build();

        assertThat(keyless.isConfigured()).isFalse();
        assertThat(chain.getTokenSync(scopes(STORAGE)).getToken()).isEqualTo("fallback-token");
        CredentialUnavailableException e = catchThrowableOfType(() -> keyless.getTokenSync(scopes(STORAGE)),
                CredentialUnavailableException.class);
        assertThat(e.getMessage()).contains("AZURE_TENANT_ID").contains("AZURE_CLIENT_ID");
        assertThat(e.getCause()).isInstanceOf(ConfigurationException.class);
        assertThat(((ConfigurationException) e.getCause()).diagnosis().code()).isEqualTo("azure.not-configured");
    }

    @Test
    void ids_withoutAnyTokenSource_isUnavailableToo() {
        FederatedTokenCredential keyless = FederatedTokenCredential.builder()
                .environment(Environment.of(Map.of("AZURE_TENANT_ID", newId(), "AZURE_CLIENT_ID", newId())))
                .unavailableWhenNotConfigured(true).build();

        assertThat(keyless.unavailableReason()).get().satisfies(d -> assertThat(d.problem()).contains("no identity token source"));
        assertThatThrownBy(() -> keyless.getTokenSync(scopes(STORAGE))).isInstanceOf(CredentialUnavailableException.class);
    }

    @Test
    void aBuilderFailsFastWhenNotConfigured() {
        assertThatThrownBy(() -> FederatedTokenCredential.builder().environment(Environment.of(Map.of())).build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).diagnosis().code()).isEqualTo("azure.not-configured"));
    }

    @Test
    void hereButBrokenStopsInsteadOfBeingUnavailable() {
        // GitHub Actions without `permissions: id-token: write`: the request URL and token variables are missing.
        Environment env = Environment.of(Map.of("GITHUB_ACTIONS", "true", "AZURE_TENANT_ID", newId(), "AZURE_CLIENT_ID", newId()));

        assertThatThrownBy(() -> FederatedTokenCredential.builder().environment(env).unavailableWhenNotConfigured(true).build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).diagnosis().code()).isNotEqualTo("azure.not-configured"));
    }

    @Test
    void theCloudPicksTheAudience() {
        Environment china = Environment.of(Map.of("AZURE_TENANT_ID", newId(), "AZURE_CLIENT_ID", newId(),
                "AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn/", "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"));
        try (FederatedTokenCredential c = FederatedTokenCredential.builder().environment(china).build();
                FederatedTokenCredential gov = FederatedTokenCredential.builder().environment(china)
                        .cloud(AzureCloud.US_GOVERNMENT).build();
                FederatedTokenCredential custom = FederatedTokenCredential.builder().environment(china)
                        .cloud(AzureCloud.custom("https://login.example.net", "api://Custom")).build();
                FederatedTokenCredential explicit = FederatedTokenCredential.builder().environment(china)
                        .audience("api://Mine").build()) {
            assertThat(c.cloud()).contains(AzureCloud.CHINA);
            assertThat(c.audience()).contains("api://AzureADTokenExchangeChina");
            assertThat(gov.audience()).contains("api://AzureADTokenExchangeUSGov");
            assertThat(custom.audience()).contains("api://Custom");
            assertThat(explicit.audience()).contains("api://Mine");
        }
        assertThat(AzureCloud.fromAuthorityHost("https://login.microsoftonline.com/")).isEqualTo(AzureCloud.PUBLIC);
        assertThat(AzureCloud.PUBLIC.tokenExchangeAudience()).isEqualTo("api://AzureADTokenExchange");
    }

    @Test
    void malformedSettingsNameTheOption() {
        Environment env = Environment.of(Map.of("AZURE_TENANT_ID", "not a tenant!", "AZURE_CLIENT_ID", newId(),
                "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"));

        assertThatThrownBy(() -> FederatedTokenCredential.builder().environment(env).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("AZURE_TENANT_ID");
        assertThatThrownBy(() -> AzureCloud.custom("http://login.example.net"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("authorityHost");
        assertThatThrownBy(() -> FederatedTokenCredential.builder().authorityHost("https://login.example.net/tenant"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("host alone");
        assertThatThrownBy(() -> FederatedTokenCredential.builder().audience(" "))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("audience");
    }

    @Test
    void aClosedCredentialRefusesWork() {
        Environment env = Environment.of(Map.of("AZURE_TENANT_ID", newId(), "AZURE_CLIENT_ID", newId(),
                "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"));
        FederatedTokenCredential credential = FederatedTokenCredential.builder().environment(env).build();
        credential.close();
        credential.close();

        assertThatThrownBy(() -> credential.getTokenSync(scopes(STORAGE))).isInstanceOf(IllegalStateException.class);
    }
}
