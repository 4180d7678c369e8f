package dev.keyless.aws.trust;

import static dev.keyless.aws.trust.TrustFixtures.GITHUB;
import static dev.keyless.aws.trust.TrustFixtures.GITHUB_ARN;
import static dev.keyless.aws.trust.TrustFixtures.SUB_KEY;
import static dev.keyless.aws.trust.TrustFixtures.gitHubClaims;
import static dev.keyless.aws.trust.TrustFixtures.gitHubPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Principal, action and statement-level evaluation, as IAM decides AssumeRoleWithWebIdentity. */
class TrustEvaluationTest {
    private static final String MAIN = "repo:acme/app:ref:refs/heads/main";

    @Test
    void allowsAMatchingTokenAndReportsEveryCondition() {
        IdentityToken token = TrustFixtures.token(gitHubClaims(MAIN));

        TrustEvaluation e = gitHubPolicy("StringLike", "repo:acme/app:*").evaluate(token);

        assertThat(e.allowed()).isTrue();
        assertThat(e.decision()).isEqualTo(TrustEvaluation.Decision.ALLOWED);
        assertThat(e.mismatches()).isEmpty();
        StatementResult s = e.decidingStatement().orElseThrow();
        assertThat(s.principalMatched()).isTrue();
        assertThat(s.actionMatched()).isTrue();
        assertThat(s.conditions()).extracting(ConditionResult::key, ConditionResult::actualValues, ConditionResult::matched)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(GITHUB + ":aud", List.of("sts.amazonaws.com"), true),
                        org.assertj.core.groups.Tuple.tuple(SUB_KEY, List.of(MAIN), true));
        assertThat(s.conditions()).allSatisfy(c -> assertThat(c.iamContextKey()).isTrue());
        assertThat(e.request().providerHostPath()).contains(GITHUB);
    }

    @Test
    void tokenWithAnAudienceListMatchesWhenOneValueMatches() {
        TrustEvaluation e = gitHubPolicy("StringEquals", MAIN)
                .evaluate(TrustFixtures.token(gitHubClaims(MAIN, List.of("https://github.com/acme", "sts.amazonaws.com"))));

        assertThat(e.allowed()).isTrue();
        assertThat(e.statements().get(0).conditions().get(0).actualValues())
                .containsExactly("https://github.com/acme", "sts.amazonaws.com");
    }

    @Test
    void denyWinsOverAnAllowThatMatches() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": [
                  {"Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {"%2$s": "repo:acme/*"}}},
                  {"Effect": "Deny", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"%2$s": "repo:acme/app:pull_request"}}}
                ]}""".formatted(GITHUB_ARN, SUB_KEY));

        TrustEvaluation denied = p.evaluate(gitHubClaims("repo:acme/app:pull_request"));
        TrustEvaluation allowed = p.evaluate(gitHubClaims(MAIN));

        assertThat(denied.allowed()).isFalse();
        assertThat(denied.decision()).isEqualTo(TrustEvaluation.Decision.EXPLICIT_DENY);
        assertThat(denied.decidingStatement()).hasValueSatisfying(s -> assertThat(s.statement().index()).isEqualTo(1));
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.decidingStatement()).hasValueSatisfying(s -> assertThat(s.statement().index()).isEqualTo(0));
        assertThat(allowed.statements().get(1).applies()).isFalse();
    }

    @Test
    void anyOfSeveralAllowStatementsAllows() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": [
                  {"Sid": "Main", "Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"%2$s": "repo:acme/app:ref:refs/heads/main"}}},
                  {"Sid": "Prod", "Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"%2$s": "repo:acme/app:environment:prod"}}}
                ]}""".formatted(GITHUB_ARN, SUB_KEY));

        assertThat(p.evaluate(gitHubClaims("repo:acme/app:environment:prod")).decidingStatement())
                .hasValueSatisfying(s -> assertThat(s.statement().sid()).contains("Prod"));
        assertThat(p.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/dev")).decision())
                .isEqualTo(TrustEvaluation.Decision.IMPLICIT_DENY);
    }

    @Test
    void allKeysAndOperatorsOfAStatementAreAnded() {
        TrustPolicy p = gitHubPolicy("StringLike", "repo:acme/*");

        assertThat(p.evaluate(gitHubClaims(MAIN, "sts.amazonaws.com")).allowed()).isTrue();
        assertThat(p.evaluate(gitHubClaims(MAIN, "other")).allowed()).isFalse();
        assertThat(p.evaluate(gitHubClaims("repo:evil/app:pull_request", "sts.amazonaws.com")).allowed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sts:AssumeRoleWithWebIdentity", "sts:assumerolewithwebidentity", "sts:*", "*",
            "sts:AssumeRole*", "sts:Assume?oleWithWebIdentity"})
    void actionPatternsMatchCaseInsensitivelyWithWildcards(String action) {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringEquals", MAIN).toJson()
                .replace("\"sts:AssumeRoleWithWebIdentity\"", "\"" + action + "\""));

        assertThat(p.evaluate(gitHubClaims(MAIN)).allowed()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sts:AssumeRole", "sts:TagSession", "iam:*"})
    void otherActionsDoNotCoverWebIdentity(String action) {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringEquals", MAIN).toJson()
                .replace("\"sts:AssumeRoleWithWebIdentity\"", "[\"" + action + "\"]"));

        TrustEvaluation e = p.evaluate(gitHubClaims(MAIN));

        assertThat(e.allowed()).isFalse();
        assertThat(e.statements().get(0).actionMatched()).isFalse();
    }

    @ParameterizedTest(name = "principal {0} -> {1}")
    @CsvSource(delimiter = ';', textBlock = """
            "*";                                                                                     true
            {"AWS": "*"};                                                                            true
            {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}; true
            {"Federated": "arn:aws:iam::123456789012:oidc-provider/TOKEN.ACTIONS.GITHUBUSERCONTENT.COM"}; true
            {"Federated": ["arn:aws:iam::123456789012:oidc-provider/gitlab.com", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]}; true
            {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"};                     false
            {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme"}; false
            {"AWS": "arn:aws:iam::123456789012:root"};                                               false
            {"Service": "ec2.amazonaws.com"};                                                        false
            """)
    void principals(String principal, boolean expected) {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": %s, "Action": "sts:AssumeRoleWithWebIdentity"}}"""
                .formatted(principal));

        assertThat(p.evaluate(gitHubClaims(MAIN)).statements().get(0).principalMatched()).isEqualTo(expected);
    }

    @Test
    void providerGivenAsArnMustBeTheSameArn() {
        TrustPolicy p = gitHubPolicy("StringEquals", MAIN);

        TrustRequest same = TrustRequest.builder().claims(gitHubClaims(MAIN)).provider(GITHUB_ARN).build();
        TrustRequest otherAccount = TrustRequest.builder().claims(gitHubClaims(MAIN))
                .provider("arn:aws:iam::210987654321:oidc-provider/" + GITHUB).build();
        TrustRequest host = TrustRequest.builder().claims(gitHubClaims(MAIN)).provider("https://" + GITHUB + "/").build();

        assertThat(p.evaluate(same).allowed()).isTrue();
        assertThat(p.evaluate(otherAccount).allowed()).isFalse();
        assertThat(p.evaluate(host).allowed()).isTrue();
        assertThat(host.providerHostPath()).contains(GITHUB);
    }

    @Test
    void customIssuerPathIsPartOfTheKeys() {
        String issuer = "github.example.com/_services/token";
        TrustPolicy p = TrustPolicies.gitHubActions().accountId("123456789012").repository("acme/app").branch("main")
                .providerHost("https://" + issuer).build();

        TrustEvaluation e = p.evaluate(Map.of("iss", "https://" + issuer, "sub", MAIN, "aud", "sts.amazonaws.com"));

        assertThat(e.allowed()).isTrue();
        assertThat(e.statements().get(0).conditions()).extracting(ConditionResult::key)
                .containsExactly(issuer + ":aud", issuer + ":sub");
    }

    @Test
    void googleAudMapsToAzpAndOaudToAud() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {"StringEquals": {"accounts.google.com:aud": "110000000000000000001",
                                                 "accounts.google.com:oaud": "sts.amazonaws.com",
                                                 "accounts.google.com:sub": "110000000000000000001"}}}}""");
        Map<String, Object> claims = Map.of("iss", "https://accounts.google.com", "aud", "sts.amazonaws.com",
                "azp", "110000000000000000001", "sub", "110000000000000000001");

        TrustEvaluation e = p.evaluate(claims);

        assertThat(e.allowed()).isTrue();
        assertThat(e.statements().get(0).conditions()).extracting(c -> c.claim().orElseThrow())
                .containsExactly("azp", "aud", "sub");
    }

    @Test
    void googleAudFallsBackToAudWithoutAzp() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {"StringEquals": {"accounts.google.com:aud": "client-id"}}}}""");

        assertThat(p.evaluate(Map.of("iss", "accounts.google.com", "aud", "client-id")).allowed()).isTrue();
    }

    @Test
    void arbitraryClaimsResolveButAreMarkedUndocumented() {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringLike", "repo:acme/*").toJson()
                .replace("\"StringLike\": {", "\"StringLike\": {\n \"" + GITHUB + ":job_workflow_ref\": \"acme/app/*\","));

        TrustEvaluation e = p.evaluate(gitHubClaims(MAIN));

        assertThat(e.allowed()).isTrue();
        ConditionResult jwr = e.statements().get(0).conditions().stream()
                .filter(c -> c.key().endsWith(":job_workflow_ref")).findFirst().orElseThrow();
        assertThat(jwr.iamContextKey()).isFalse();
        assertThat(jwr.claim()).contains("job_workflow_ref");
    }

    @Test
    void extraContextKeysAreUsable() {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringEquals", MAIN).toJson()
                .replace("\"StringEquals\": {", "\"StringEquals\": {\n \"sts:RoleSessionName\": \"deploy\","));

        TrustRequest with = TrustRequest.builder().claims(gitHubClaims(MAIN)).contextKey("STS:RoleSessionName", "deploy")
                .build();

        assertThat(p.evaluate(with).allowed()).isTrue();
        assertThat(p.evaluate(gitHubClaims(MAIN)).allowed()).isFalse();
    }

    @Test
    void tokenWithoutIssuerMatchesNoFederatedPrincipal() {
        TrustEvaluation e = gitHubPolicy("StringEquals", MAIN).evaluate(Map.of("sub", MAIN, "aud", "sts.amazonaws.com"));

        assertThat(e.allowed()).isFalse();
        assertThat(e.request().providerHostPath()).isEmpty();
        assertThat(e.mismatches().get(0).kind()).isEqualTo(Mismatch.Kind.WRONG_PROVIDER);
    }

    @Test
    void requestOptionsAreValidated() {
        assertThatThrownBy(() -> TrustRequest.builder().provider("arn:aws:iam::12:oidc-provider/x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'provider'");
        assertThatThrownBy(() -> TrustRequest.builder().accountId("12345"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'accountId'");
        assertThatThrownBy(() -> TrustRequest.builder().action(" "))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'action'");
    }

    @Test
    void requestToStringShowsClaimNamesOnly() {
        TrustRequest r = TrustRequest.of(gitHubClaims(MAIN));

        assertThat(r.toString()).contains(GITHUB).contains("sub").doesNotContain("refs/heads/main");
    }
}
