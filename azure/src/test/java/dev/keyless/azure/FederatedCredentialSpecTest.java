package dev.keyless.azure;

import static dev.keyless.azure.AzureFixture.STORAGE;
import static dev.keyless.azure.AzureFixture.newId;
import static dev.keyless.azure.AzureFixture.scopes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.azure.AzureFixture.GitHubSource;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.GitHubTokenBuilder;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.FederatedIdentityCredential;
import dev.keyless.testkit.azure.LocalEntra;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated credential JSON, exactly, and proof that each generated credential is accepted by the emulated Entra. */
class FederatedCredentialSpecTest {
    static final MutableClock CLOCK = MutableClock.create();
    static LocalIssuer github;
    static LocalEntra entra;

    @BeforeAll
    static void start() {
        github = LocalIssuer.builder().clock(CLOCK).issuerUrl(FederatedCredentialSpec.GITHUB_ISSUER).start();
        entra = LocalEntra.builder().clock(CLOCK).start();
        entra.trustIssuer(github);
    }

    @AfterAll
    static void stop() {
        entra.close();
        github.close();
    }

    @Test
    void branchJsonIsWhatAzAdAppFederatedCredentialCreateTakes() {
        FederatedCredentialSpec spec = FederatedCredentialSpec.github("acme/app").branch("main").build();

        assertThat(spec.toJson()).isEqualTo("{\"name\":\"github-acme-app-branch-main\","
                + "\"issuer\":\"https://token.actions.githubusercontent.com\","
                + "\"subject\":\"repo:acme/app:ref:refs/heads/main\","
                + "\"description\":\"GitHub Actions acme/app (branch-main)\","
                + "\"audiences\":[\"api://AzureADTokenExchange\"]}");
        assertThat(spec.toJson()).startsWith("{\"name\":\"github-acme-app-branch-main\",\"issuer\":");
        assertThat(spec.azAppCommand("11111111-2222-3333-4444-555555555555"))
                .startsWith("az ad app federated-credential create --id 11111111-2222-3333-4444-555555555555 --parameters '{")
                .endsWith("}'");
    }

    @Test
    void subjectsForEachTrigger() {
        assertThat(FederatedCredentialSpec.github("acme/app").tag("v1.2").build().subject())
                .contains("repo:acme/app:ref:refs/tags/v1.2");
        assertThat(FederatedCredentialSpec.github("acme/app").environment("prod").build().subject())
                .contains("repo:acme/app:environment:prod");
        assertThat(FederatedCredentialSpec.github("acme/app").pullRequest().build().subject())
                .contains("repo:acme/app:pull_request");
        assertThat(FederatedCredentialSpec.github("acme/app").immutableIds("1234", "5678").branch("main").build().subject())
                .contains("repo:acme@1234/app@5678:ref:refs/heads/main");
        FederatedCredentialSpec any = FederatedCredentialSpec.github("acme/app").anyBranch().build();
        assertThat(any.subject()).isEmpty();
        assertThat(any.claimsMatchingExpression()).contains("claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'");
        assertThat(Json.object(any.toJson()).orElseThrow().get("claimsMatchingExpression"))
                .isEqualTo(Map.of("value", "claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'", "languageVersion", 1L));
    }

    @Test
    void armJsonForAUserAssignedIdentity() {
        Map<String, Object> exact = Json.object(FederatedCredentialSpec.github("acme/app").branch("main").build()
                .toArmJson("deployer")).orElseThrow();
        Map<String, Object> flexible = Json.object(FederatedCredentialSpec.github("acme/app").anyTag().build()
                .toArmJson("deployer")).orElseThrow();

        assertThat(exact).containsEntry("type", "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials")
                .containsEntry("apiVersion", "2023-01-31")
                .containsEntry("name", "deployer/github-acme-app-branch-main")
                .containsEntry("properties", Map.of("issuer", "https://token.actions.githubusercontent.com",
                        "subject", "repo:acme/app:ref:refs/heads/main", "audiences", List.of("api://AzureADTokenExchange")));
        assertThat(flexible).containsEntry("apiVersion", "2025-01-31-preview");
        assertThat(FederatedCredentialSpec.github("acme/app").branch("main").build().azIdentityCommand("deployer", "rg"))
                .isEqualTo("az identity federated-credential create --name github-acme-app-branch-main --identity-name deployer "
                        + "--resource-group rg --issuer 'https://token.actions.githubusercontent.com' "
                        + "--subject 'repo:acme/app:ref:refs/heads/main' --audiences 'api://AzureADTokenExchange'");
    }

    @Test
    void fromATokenMatchesThatToken() {
        IdentityToken token = github.github().repository("Acme/App").environment("Prod").audience("api://AzureADTokenExchange").mint();

        FederatedCredentialSpec spec = FederatedCredentialSpec.fromToken(token);

        assertThat(spec.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(spec.subject()).contains("repo:Acme/App:environment:Prod");
        assertThat(spec.audiences()).containsExactly("api://AzureADTokenExchange");
        assertThat(spec.name()).isEqualTo("repo-Acme-App-environment-Prod");
        assertThat(spec.matches(token)).isTrue();
        IdentityToken lowercase = github.github().repository("acme/app").environment("prod").audience("api://AzureADTokenExchange").mint();
        assertThat(spec.matches(lowercase)).as("case-sensitive, as Entra").isFalse();
        IdentityToken otherAudience = github.github().repository("Acme/App").environment("Prod").mint();
        assertThat(FederatedCredentialSpec.fromToken(otherAudience).audiences()).containsExactly("api://AzureADTokenExchange");
    }

    @Test
    void validatedAsGraphValidates() {
        assertThatThrownBy(() -> FederatedCredentialSpec.builder("x").issuer("https://i").subject("s").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'name'");
        assertThatThrownBy(() -> FederatedCredentialSpec.builder("ok-name").issuer("http://i").subject("s").build())
                .hasMessageContaining("'issuer'");
        assertThatThrownBy(() -> FederatedCredentialSpec.builder("ok-name").issuer("https://i").build())
                .hasMessageContaining("neither a subject nor an expression");
        assertThatThrownBy(() -> FederatedCredentialSpec.builder("ok-name").issuer("https://i").subject("s")
                .claimsMatchingExpression("claims['sub'] eq 's'").build()).hasMessageContaining("both");
        assertThatThrownBy(() -> FederatedCredentialSpec.builder("ok-name").issuer("https://i")
                .claimsMatchingExpression("sub = 's'").build()).hasMessageContaining("claimsMatchingExpression");
        assertThatThrownBy(() -> FederatedCredentialSpec.github("acme").branch("main")).hasMessageContaining("ORG/REPO");
        assertThatThrownBy(() -> FederatedCredentialSpec.github("acme/app").build()).hasMessageContaining("trigger");
        assertThatThrownBy(() -> FederatedCredentialSpec.github("acme/app").branch("main").tag("v1")).hasMessageContaining("already");
        assertThatThrownBy(() -> FederatedCredentialSpec.github("acme/app").immutableIds("acme", "1"))
                .hasMessageContaining("numeric");
        assertThatThrownBy(() -> FederatedCredentialSpec.github("acme/app").anyBranch().build().azIdentityCommand("i", "rg"))
                .hasMessageContaining("toArmJson");
    }

    /** Registers what the spec generated on a fresh app of the emulator and exchanges a token shaped by {@code shape}. */
    private static boolean accepted(FederatedCredentialSpec spec, UnaryOperator<GitHubTokenBuilder> shape) {
        EntraApplication app = entra.registerApplication(newId(), newId());
        Map<String, Object> json = Json.object(spec.toJson()).orElseThrow();
        FederatedIdentityCredential.Builder fic = FederatedIdentityCredential.builder((String) json.get("name"))
                .issuer((String) json.get("issuer")).audiences(castList(json.get("audiences")));
        if (json.containsKey("subject")) {
            fic.subject((String) json.get("subject"));
        } else {
            fic.claimsMatchingExpression((String) ((Map<?, ?>) json.get("claimsMatchingExpression")).get("value"));
        }
        app.addFederatedCredential(fic.build());
        try (FederatedTokenCredential credential = FederatedTokenCredential.builder().environment(Environment.of(Map.of()))
                .tenantId(app.tenantId()).clientId(app.clientId()).authorityHost(entra.authorityHost().toString())
                .tokenSource(new GitHubSource(github, shape)).clock(CLOCK).httpClient(AzureFixture.httpClient(entra)).build()) {
            credential.getTokenSync(scopes(STORAGE));
            return true;
        } catch (EntraExchangeException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    @Test
    void generatedCredentialsAreAcceptedByEntraForTheirTriggerOnly() {
        FederatedCredentialSpec main = FederatedCredentialSpec.github("acme/app").branch("main").build();
        FederatedCredentialSpec prod = FederatedCredentialSpec.github("acme/app").environment("prod").build();
        FederatedCredentialSpec immutable = FederatedCredentialSpec.github("acme/app").immutableIds("4242", "777").tag("v1").build();
        FederatedCredentialSpec anyBranch = FederatedCredentialSpec.github("acme/app").anyBranch().build();

        assertThat(accepted(main, b -> b.repository("acme/app").branch("main"))).isTrue();
        assertThat(accepted(main, b -> b.repository("acme/app").branch("dev"))).isFalse();
        assertThat(accepted(prod, b -> b.repository("acme/app").branch("main").environment("prod"))).isTrue();
        assertThat(accepted(immutable, b -> b.repository("acme/app").repositoryOwnerId("4242").repositoryId("777")
                .immutableSubject().tag("v1"))).isTrue();
        assertThat(accepted(anyBranch, b -> b.repository("acme/app").branch("release/2"))).isTrue();
        assertThat(accepted(anyBranch, b -> b.repository("acme/app").pullRequest())).isFalse();
    }
}
