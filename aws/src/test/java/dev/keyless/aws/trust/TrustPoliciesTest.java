package dev.keyless.aws.trust;

import static dev.keyless.aws.trust.TrustFixtures.gitHubClaims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.ConfigurationException;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Generated policies: exact JSON, round trips through evaluation, and option validation. */
class TrustPoliciesTest {

    private static TrustPolicies.GitHubActions github() {
        return TrustPolicies.gitHubActions().accountId("123456789012").repository("acme/app");
    }

    @Test
    void gitHubBranchPolicyIsExactAndLeastPrivilege() {
        TrustPolicy p = github().branch("main").build();

        assertThat(p.toJson()).isEqualTo("""
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "GitHubActions",
                      "Effect": "Allow",
                      "Principal": {
                        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
                      },
                      "Action": "sts:AssumeRoleWithWebIdentity",
                      "Condition": {
                        "StringEquals": {
                          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                          "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"
                        }
                      }
                    }
                  ]
                }""");
        assertThat(p.lint()).isEmpty();
    }

    @Test
    void anyRefUsesStringLikeOnlyForTheSub() {
        TrustPolicy p = github().anyRef().build();

        assertThat(p.toJson()).contains(String.join("\n",
                "      \"Condition\": {",
                "        \"StringEquals\": {",
                "          \"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"",
                "        },",
                "        \"StringLike\": {",
                "          \"token.actions.githubusercontent.com:sub\": \"repo:acme/app:*\"",
                "        }",
                "      }"));
        assertThat(p.lint()).isEmpty();
    }

    static Stream<Arguments> gitHubScopes() {
        return Stream.of(
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().branch("main"),
                        "repo:acme/app:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/dev"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().branch("refs/heads/release/*"),
                        "repo:acme/app:ref:refs/heads/release/1.2", "repo:acme/app:ref:refs/heads/main"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().tag("v*"),
                        "repo:acme/app:ref:refs/tags/v1.0.0", "repo:acme/app:ref:refs/heads/v1"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().environment("production"),
                        "repo:acme/app:environment:production", "repo:acme/app:environment:staging"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().pullRequest(),
                        "repo:acme/app:pull_request", "repo:acme/app:ref:refs/heads/main"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().anyRef(),
                        "repo:acme/app:environment:x", "repo:acme/app2:environment:x"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().branch("main").immutableIds(123, 456),
                        "repo:acme@123/app@456:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/main"),
                Arguments.of((Supplier<TrustPolicies.GitHubActions>) () -> github().environment("prod")
                                .jobWorkflowRef("acme/workflows/.github/workflows/deploy.yml@refs/heads/main"),
                        "repo:acme/app:environment:prod:job_workflow_ref:acme/workflows/.github/workflows/deploy.yml@refs/heads/main",
                        "repo:acme/app:environment:prod"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("gitHubScopes")
    void generatedGitHubPolicyAllowsItsSubjectAndNoNeighbour(Supplier<TrustPolicies.GitHubActions> builder,
                                                             String matching, String neighbour) {
        TrustPolicy p = builder.get().build();

        assertThat(p.evaluate(TrustFixtures.token(gitHubClaims(matching))).allowed()).isTrue();
        assertThat(p.evaluate(gitHubClaims(neighbour)).allowed()).isFalse();
        assertThat(TrustPolicy.parse(p.toJson())).isEqualTo(p);
        assertThat(p.lint()).noneMatch(f -> f.severity() == LintFinding.Severity.ERROR);
    }

    @Test
    void neighbourRepositoryIsDeniedWithATypoExplanation() {
        TrustPolicy p = TrustPolicies.gitHubActions().accountId("123456789012").repository("acme/deploy-tool")
                .branch("main").build();

        TrustEvaluation e = p.evaluate(TrustFixtures.token(gitHubClaims("repo:acme/deploy-tol:ref:refs/heads/main")));

        assertThat(e.allowed()).isFalse();
        assertThat(e.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Mismatch.Kind.TYPO);
            assertThat(m.suggestion()).contains("repo:acme/deploy-tol:ref:refs/heads/main");
        });
        assertThat(e.explain().code()).isEqualTo("aws.trust.typo");
    }

    @Test
    void otherOrganisationIsDeniedAsAPlainMismatch() {
        TrustPolicy p = github().branch("main").build();

        TrustEvaluation e = p.evaluate(gitHubClaims("repo:mallory/app:ref:refs/heads/main"));

        assertThat(e.allowed()).isFalse();
        assertThat(e.mismatches().get(0).kind()).isEqualTo(Mismatch.Kind.VALUE_MISMATCH);
        assertThat(e.mismatches().get(0).suggestion()).isEmpty();
    }

    @Test
    void gitHubEnterpriseServerAndCustomAudience() {
        TrustPolicy p = github().environment("prod").providerHost("https://github.example.com/_services/token/")
                .audience("https://github.example.com/acme").partition("aws-us-gov").sid("GhesDeploy").build();

        TrustStatement s = p.statements().get(0);
        assertThat(s.sid()).contains("GhesDeploy");
        assertThat(s.principals().federated())
                .containsExactly("arn:aws-us-gov:iam::123456789012:oidc-provider/github.example.com/_services/token");
        assertThat(s.conditions()).extracting(TrustCondition::key)
                .containsExactly("github.example.com/_services/token:aud", "github.example.com/_services/token:sub");
        assertThat(p.evaluate(Map.of("iss", "https://github.example.com/_services/token",
                "aud", "https://github.example.com/acme", "sub", "repo:acme/app:environment:prod")).allowed()).isTrue();
    }

    @Test
    void subjectIsExposedForDocumentationAndCustomisation() {
        assertThat(github().tag("v1.0.0").subject()).isEqualTo("repo:acme/app:ref:refs/tags/v1.0.0");
    }

    @Test
    void gitLabPolicy() {
        TrustPolicy p = TrustPolicies.gitLab().accountId("123456789012").projectPath("acme/platform/app").branch("main")
                .build();

        assertThat(p.toJson()).contains("\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/gitlab.com\"")
                .contains("\"gitlab.com:aud\": \"sts.amazonaws.com\"")
                .contains("\"gitlab.com:sub\": \"project_path:acme/platform/app:ref_type:branch:ref:main\"");
        Map<String, Object> claims = Map.of("iss", "https://gitlab.com", "aud", "sts.amazonaws.com",
                "sub", "project_path:acme/platform/app:ref_type:branch:ref:main");
        assertThat(p.evaluate(claims).allowed()).isTrue();
        assertThat(p.evaluate(Map.of("iss", "https://gitlab.com", "aud", "sts.amazonaws.com",
                "sub", "project_path:acme/platform/app:ref_type:tag:ref:main")).allowed()).isFalse();
        assertThat(p.lint()).isEmpty();
    }

    @Test
    void gitLabSelfManagedAnyRefAndTag() {
        TrustPolicy any = TrustPolicies.gitLab().accountId("123456789012").host("gitlab.example.com")
                .projectPath("acme/app").anyRef().build();
        TrustPolicy tag = TrustPolicies.gitLab().accountId("123456789012").projectPath("acme/app").tag("v*").build();

        assertThat(any.toJson()).contains("\"StringLike\": {\n          \"gitlab.example.com:sub\": \"project_path:acme/app:*\"");
        assertThat(tag.evaluate(Map.of("iss", "https://gitlab.com", "aud", "sts.amazonaws.com",
                "sub", "project_path:acme/app:ref_type:tag:ref:v2.1")).allowed()).isTrue();
    }

    @Test
    void kubernetesServiceAccountPolicy() {
        String issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        TrustPolicy p = TrustPolicies.kubernetes().accountId("123456789012").issuer("https://" + issuer)
                .namespace("payments").serviceAccount("api").build();

        assertThat(p.toJson()).contains("\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/" + issuer + "\"")
                .contains("\"" + issuer + ":sub\": \"system:serviceaccount:payments:api\"")
                .contains("\"" + issuer + ":aud\": \"sts.amazonaws.com\"");
        assertThat(p.evaluate(Map.of("iss", "https://" + issuer, "aud", "sts.amazonaws.com",
                "sub", "system:serviceaccount:payments:api")).allowed()).isTrue();
        TrustEvaluation other = p.evaluate(Map.of("iss", "https://" + issuer, "aud", "sts.amazonaws.com",
                "sub", "system:serviceaccount:payments:apii"));
        assertThat(other.allowed()).isFalse();
        assertThat(other.mismatches().get(0).kind()).isEqualTo(Mismatch.Kind.TYPO);
        assertThat(p.lint()).isEmpty();
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of("accountId", (Runnable) () -> TrustPolicies.gitHubActions().accountId("12345678901")),
                Arguments.of("accountId", (Runnable) () -> TrustPolicies.gitHubActions().repository("acme/app").branch("main").build()),
                Arguments.of("repository", (Runnable) () -> TrustPolicies.gitHubActions().repository("acme")),
                Arguments.of("repository", (Runnable) () -> TrustPolicies.gitHubActions().repository("acme/*")),
                Arguments.of("repository", (Runnable) () -> TrustPolicies.gitHubActions().repository("https://github.com/acme/app")),
                Arguments.of("repository", (Runnable) () -> TrustPolicies.gitHubActions().accountId("123456789012").branch("main").build()),
                Arguments.of("branch", (Runnable) () -> github().build()),
                Arguments.of("branch", (Runnable) () -> github().branch("main:x")),
                Arguments.of("branch", (Runnable) () -> github().branch(" ")),
                Arguments.of("tag", (Runnable) () -> github().branch("main").tag("v1")),
                Arguments.of("environment", (Runnable) () -> github().environment("prod:eu")),
                Arguments.of("immutableIds", (Runnable) () -> github().immutableIds(0, 1)),
                Arguments.of("jobWorkflowRef", (Runnable) () -> github().jobWorkflowRef("deploy.yml")),
                Arguments.of("providerHost", (Runnable) () -> github().providerHost("https://*.example.com")),
                Arguments.of("audience", (Runnable) () -> github().audience("sts.*")),
                Arguments.of("partition", (Runnable) () -> github().partition("aws-mars")),
                Arguments.of("sid", (Runnable) () -> github().sid("my sid")),
                Arguments.of("projectPath", (Runnable) () -> TrustPolicies.gitLab().projectPath("app")),
                Arguments.of("tag", (Runnable) () -> TrustPolicies.gitLab().branch("main").tag("v1")),
                Arguments.of("host", (Runnable) () -> TrustPolicies.gitLab().host("")),
                Arguments.of("namespace", (Runnable) () -> TrustPolicies.kubernetes().namespace("Payments")),
                Arguments.of("serviceAccount", (Runnable) () -> TrustPolicies.kubernetes().serviceAccount("api_1")),
                Arguments.of("issuer", (Runnable) () -> TrustPolicies.kubernetes().accountId("123456789012")
                        .namespace("a").serviceAccount("b").build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidOptionsFailFastNamingTheOption(String option, Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Invalid option '" + option + "'")
                .satisfies(e -> assertThat(((ConfigurationException) e).diagnosis().code()).isEqualTo("config.invalid-option"));
    }
}
