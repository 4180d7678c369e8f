package dev.keyless.core.source;

import static dev.keyless.core.source.SourceAssertions.assertNoSecret;
import static dev.keyless.core.source.SourceAssertions.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class EnvironmentVariableTokenSourceTest {
    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

    private static String jwt(String sub, String aud) {
        return TestTokens.jwt("https://ci.example", sub, aud, EXP);
    }

    @Test
    void readsTheVariableOnEveryCall() {
        Map<String, String> vars = new ConcurrentHashMap<>();
        Environment env = vars::get;
        EnvironmentVariableTokenSource source = EnvironmentVariableTokenSource.of("MY_TOKEN", env);

        vars.put("MY_TOKEN", "  " + jwt("first", "a") + "\n");
        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("first");
        vars.put("MY_TOKEN", jwt("second", "a"));
        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("second");
        assertThat(source.name()).isEqualTo("env:MY_TOKEN");
        assertThat(source.supportsRequestedAudience()).isFalse();
    }

    @Test
    void aMissingOrBlankVariableIsAConfigurationErrorNamingIt() {
        for (Environment env : new Environment[] {Environment.of(Map.of()), Environment.of(Map.of("MY_TOKEN", "  "))}) {
            Throwable e = catchThrowable(() -> EnvironmentVariableTokenSource.of("MY_TOKEN", env)
                    .token(TokenRequest.sourceDefault()));

            assertThat(e).isInstanceOf(ConfigurationException.class);
            assertThat(code(e)).isEqualTo("env.variable-missing");
            assertThat(e.getMessage()).contains("The environment variable MY_TOKEN is not set");
        }
    }

    @Test
    void aValueThatIsNotAJwtIsNotEchoed() {
        String value = "opaque-access-token-value-123";
        Throwable e = catchThrowable(() -> EnvironmentVariableTokenSource.of("MY_TOKEN", Environment.of(Map.of("MY_TOKEN", value)))
                .token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(TokenException.class);
        assertThat(code(e)).isEqualTo("token.not-a-jwt");
        assertThat(e.getMessage()).contains("environment variable MY_TOKEN");
        assertNoSecret(e, value);
    }

    @Test
    void gitLabReadsTheIdTokensVariableAndSaysWhereAudienceAndVariableAreConfigured() {
        String token = jwt("project_path:g/p:ref_type:branch:ref:main", "https://gitlab.com");
        EnvironmentVariableTokenSource source = EnvironmentVariableTokenSource.gitLab("AWS_ID_TOKEN",
                Environment.of(Map.of("AWS_ID_TOKEN", token)));

        assertThat(source.token(TokenRequest.forAudience("https://gitlab.com")).value()).isEqualTo(token);
        assertThat(source.name()).isEqualTo("gitlab:AWS_ID_TOKEN");
        Throwable wrongAudience = catchThrowable(() -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));
        assertThat(code(wrongAudience)).isEqualTo("token.audience-fixed");
        assertThat(wrongAudience.getMessage()).contains("`id_tokens: AWS_ID_TOKEN: aud: ...`").contains("[https://gitlab.com]");

        Throwable missing = catchThrowable(() -> EnvironmentVariableTokenSource.gitLab("AWS_ID_TOKEN", Environment.of(Map.of()))
                .token(TokenRequest.sourceDefault()));
        assertThat(missing.getMessage()).contains("AWS_ID_TOKEN").contains("id_tokens:\n").contains("aud: <audience>");
    }

    @Test
    void circleCiPrefersTheV2TokenAndFallsBackToV1() {
        String v1 = jwt("v1", "org-id");
        String v2 = jwt("v2", "org-id");

        assertThat(EnvironmentVariableTokenSource.circleCi(Environment.of(Map.of("CIRCLE_OIDC_TOKEN", v1, "CIRCLE_OIDC_TOKEN_V2", v2)))
                .token(TokenRequest.sourceDefault()).subject()).isEqualTo("v2");
        assertThat(EnvironmentVariableTokenSource.circleCi(Environment.of(Map.of("CIRCLE_OIDC_TOKEN", v1)))
                .token(TokenRequest.sourceDefault()).subject()).isEqualTo("v1");
    }

    @Test
    void circleCiSaysHowToGetTheTokenAndACustomAudience() {
        Throwable missing = catchThrowable(() -> EnvironmentVariableTokenSource.circleCi(Environment.of(Map.of()))
                .token(TokenRequest.sourceDefault()));
        assertThat(missing.getMessage()).contains("CIRCLE_OIDC_TOKEN_V2, CIRCLE_OIDC_TOKEN").contains("context");

        EnvironmentVariableTokenSource source = EnvironmentVariableTokenSource.circleCi(
                Environment.of(Map.of("CIRCLE_OIDC_TOKEN_V2", jwt("s", "org-id"))));
        Throwable wrongAudience = catchThrowable(() -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));
        assertThat(wrongAudience.getMessage()).contains("organization id")
                .contains("circleci run oidc get --claims '{\"aud\":\"...\"}'").contains("CommandTokenSource");
    }

    @Test
    void bitbucketReadsTheStepTokenAndSaysOidcTrueWhenMissing() {
        String token = jwt("{repo}:{step}", "ari:cloud:bitbucket::workspace/abc");
        assertThat(EnvironmentVariableTokenSource.bitbucket(Environment.of(Map.of("BITBUCKET_STEP_OIDC_TOKEN", token)))
                .token(TokenRequest.sourceDefault()).value()).isEqualTo(token);

        Throwable missing = catchThrowable(() -> EnvironmentVariableTokenSource.bitbucket(Environment.of(Map.of()))
                .token(TokenRequest.sourceDefault()));
        assertThat(missing.getMessage()).contains("BITBUCKET_STEP_OIDC_TOKEN").contains("oidc: true");

        Throwable wrongAudience = catchThrowable(() -> EnvironmentVariableTokenSource.bitbucket(
                Environment.of(Map.of("BITBUCKET_STEP_OIDC_TOKEN", token))).token(TokenRequest.forAudience("x")));
        assertThat(wrongAudience.getMessage()).contains("Bitbucket fixes the audience");
    }

    @Test
    void terraformReadsTheWorkloadIdentityTokenAndTaggedTokens() {
        String plain = jwt("organization:o:project:p:workspace:w:run_phase:apply", "aws.workload.identity");
        String tagged = jwt("tagged", "gcp");
        Environment env = Environment.of(Map.of("TFC_WORKLOAD_IDENTITY_TOKEN", plain, "TFC_WORKLOAD_IDENTITY_TOKEN_GCP", tagged));

        assertThat(EnvironmentVariableTokenSource.terraform(env).token(TokenRequest.sourceDefault()).value()).isEqualTo(plain);
        assertThat(EnvironmentVariableTokenSource.terraform("GCP", env).token(TokenRequest.sourceDefault()).value()).isEqualTo(tagged);
        assertThat(EnvironmentVariableTokenSource.terraform("GCP", env).name()).isEqualTo("terraform:GCP");

        Throwable wrongAudience = catchThrowable(() -> EnvironmentVariableTokenSource.terraform(env)
                .token(TokenRequest.forAudience("sts.amazonaws.com")));
        assertThat(wrongAudience.getMessage()).contains("TFC_WORKLOAD_IDENTITY_AUDIENCE");
        Throwable missingTag = catchThrowable(() -> EnvironmentVariableTokenSource.terraform("AWS", env)
                .token(TokenRequest.sourceDefault()));
        assertThat(missingTag.getMessage()).contains("TFC_WORKLOAD_IDENTITY_TOKEN_AWS").contains("TFC_WORKLOAD_IDENTITY_AUDIENCE_AWS");
        assertThat(catchThrowable(() -> EnvironmentVariableTokenSource.terraform("bad tag", env)).getMessage()).contains("'tag'");
    }

    @Test
    void theBuilderChecksVariableNamesAndTakesVariablesInOrder() {
        assertThat(catchThrowable(() -> EnvironmentVariableTokenSource.builder().build()).getMessage()).contains("'variable'");
        assertThat(catchThrowable(() -> EnvironmentVariableTokenSource.of("NOT A NAME")).getMessage()).contains("'variable'");
        EnvironmentVariableTokenSource source = EnvironmentVariableTokenSource.builder().variables("A", "B")
                .environment(Environment.of(Map.of("B", jwt("from-b", "x")))).name("mine").build();

        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("from-b");
        assertThat(source.variables()).containsExactly("A", "B");
        assertThat(source.toBuilder().build().name()).isEqualTo("mine");
        assertThat(source.toString()).contains("A", "B").doesNotContain("eyJ");
    }
}
