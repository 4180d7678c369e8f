package dev.keyless.aws.trust;

import static dev.keyless.aws.trust.TrustFixtures.GITHUB;
import static dev.keyless.aws.trust.TrustFixtures.GITHUB_ARN;
import static dev.keyless.aws.trust.TrustFixtures.SUB_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.trust.LintFinding.Severity;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Lint findings: each rule fires on its mistake and stays quiet on the fixed policy. */
class TrustPolicyLinterTest {

    private static TrustPolicy statement(String principal, String condition) {
        return TrustPolicy.parse("""
                {"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Principal": %s,
                  "Action": "sts:AssumeRoleWithWebIdentity", "Condition": %s}]}""".formatted(principal, condition));
    }

    private static TrustPolicy gitHub(String condition) {
        return statement("{\"Federated\": \"" + GITHUB_ARN + "\"}", condition);
    }

    private static List<String> codes(TrustPolicy p) {
        return p.lint().stream().map(f -> f.severity() + " " + f.code().replace("aws.trust.lint.", "")).toList();
    }

    @Test
    void cleanPolicyHasNoFindings() {
        assertThat(gitHub("""
                {"StringEquals": {"%s:aud": "sts.amazonaws.com", "%s": "repo:acme/app:ref:refs/heads/main"}}"""
                .formatted(GITHUB, SUB_KEY)).lint()).isEmpty();
    }

    @Test
    void noSubjectConditionIsAnError() {
        TrustPolicy p = gitHub("{\"StringEquals\": {\"%s:aud\": \"sts.amazonaws.com\"}}".formatted(GITHUB));

        List<LintFinding> findings = p.lint();

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.code()).isEqualTo("aws.trust.lint.no-subject-condition");
            assertThat(f.statement().sid()).contains("S");
            assertThat(f.message()).contains("any repository of anyone");
            assertThat(f.fix()).hasValueSatisfying(fix -> assertThat(fix)
                    .contains("Add \"StringEquals\": { \"" + SUB_KEY + "\": \"repo:ORG/REPO:ref:refs/heads/main\" }."));
        });
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', textBlock = """
            *;                      ERROR subject-wildcard-any-owner
            repo:*;                 ERROR subject-wildcard-any-owner
            repo:acme*;             ERROR subject-wildcard-any-owner
            repo:*/app:*;           ERROR subject-wildcard-any-owner
            repo:acme/*;            WARNING subject-wildcard-owner-wide
            repo:acme/app*;         WARNING subject-wildcard-owner-wide
            repo:acme@1/*;          WARNING subject-wildcard-owner-wide
            repo:acme/app:*;        -
            repo:acme/app:ref:refs/heads/release/*; -
            """)
    void subjectWildcardBreadth(String sub, String expected) {
        TrustPolicy p = gitHub("{\"StringEquals\": {\"%s:aud\": \"sts.amazonaws.com\"}, \"StringLike\": {\"%s\": \"%s\"}}"
                .formatted(GITHUB, SUB_KEY, sub));

        if (expected.equals("-")) {
            assertThat(p.lint()).isEmpty();
        } else {
            assertThat(codes(p)).containsExactly(expected);
            assertThat(p.lint().get(0).message()).contains("`" + sub + "`");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', textBlock = """
            project_path:*;                         ERROR subject-wildcard-any-owner
            project_path:acme/*;                    WARNING subject-wildcard-owner-wide
            project_path:acme/app:*;                -
            """)
    void gitLabSubjectBreadth(String sub, String expected) {
        TrustPolicy p = statement("{\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/gitlab.com\"}",
                "{\"StringEquals\": {\"gitlab.com:aud\": \"sts.amazonaws.com\"}, \"StringLike\": {\"gitlab.com:sub\": \"%s\"}}"
                        .formatted(sub));

        assertThat(codes(p)).isEqualTo(expected.equals("-") ? List.of() : List.of(expected));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', textBlock = """
            system:serviceaccount:*;               ERROR subject-wildcard-any-owner
            system:serviceaccount:payments:*;      WARNING subject-wildcard-owner-wide
            """)
    void kubernetesSubjectBreadth(String sub, String expected) {
        String host = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        TrustPolicy p = statement("{\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/" + host + "\"}",
                "{\"StringEquals\": {\"%1$s:aud\": \"sts.amazonaws.com\"}, \"StringLike\": {\"%1$s:sub\": \"%2$s\"}}"
                        .formatted(host, sub));

        assertThat(codes(p)).containsExactly(expected);
    }

    @Test
    void missingAudienceIsAWarning() {
        TrustPolicy p = gitHub("{\"StringEquals\": {\"%s\": \"repo:acme/app:ref:refs/heads/main\"}}".formatted(SUB_KEY));

        assertThat(codes(p)).containsExactly("WARNING no-audience-condition");
        assertThat(p.lint().get(0).fix()).hasValueSatisfying(f -> assertThat(f).contains("\"" + GITHUB + ":aud\": \"sts.amazonaws.com\""));
    }

    @Test
    void forAllValuesOnSubIsAnError() {
        TrustPolicy p = gitHub("""
                {"StringEquals": {"%s:aud": "sts.amazonaws.com"},
                 "ForAllValues:StringEquals": {"%s": "repo:acme/app:ref:refs/heads/main"}}""".formatted(GITHUB, SUB_KEY));

        assertThat(codes(p)).containsExactly("ERROR no-subject-condition", "ERROR for-all-values-single-valued");
        assertThat(p.lint().get(1).message()).contains("ForAllValues is true when the key is missing or empty");
        assertThat(p.lint().get(1).fix()).hasValueSatisfying(f -> assertThat(f).contains("\"StringEquals\": { \"" + SUB_KEY + "\""));
    }

    @Test
    void forAllValuesOnAudIsFine() {
        TrustPolicy p = gitHub("""
                {"ForAllValues:StringEquals": {"%s:aud": "sts.amazonaws.com"},
                 "StringEquals": {"%s": "repo:acme/app:ref:refs/heads/main"}}""".formatted(GITHUB, SUB_KEY));

        // ForAllValues does not restrict (absent holds), so the audience counts as untested, but it is no misuse.
        assertThat(codes(p)).containsExactly("WARNING no-audience-condition");
    }

    @Test
    void stringEqualsWithAWildcardIsAnError() {
        TrustPolicy p = gitHub("""
                {"StringEquals": {"%s:aud": "sts.amazonaws.com", "%s": "repo:acme/app:*"}}""".formatted(GITHUB, SUB_KEY));

        assertThat(codes(p)).containsExactly("ERROR string-equals-with-wildcard");
        assertThat(p.lint().get(0).message()).contains("never matches");
        assertThat(p.lint().get(0).fix()).hasValueSatisfying(f -> assertThat(f).contains("\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/app:*\" }"));
    }

    @Test
    void stringLikeWithoutAWildcardIsInfo() {
        TrustPolicy p = gitHub("""
                {"StringEquals": {"%s:aud": "sts.amazonaws.com"}, "StringLike": {"%s": "repo:acme/app:ref:refs/heads/main"}}"""
                .formatted(GITHUB, SUB_KEY));

        assertThat(codes(p)).containsExactly("INFO string-like-without-wildcard");
        assertThat(p.lint().get(0).fix()).hasValueSatisfying(f -> assertThat(f).contains("\"StringEquals\": { \"" + SUB_KEY + "\""));
    }

    @Test
    void principalStarIsAnError() {
        TrustPolicy p = statement("\"*\"", """
                {"StringEquals": {"%s:aud": "sts.amazonaws.com", "%s": "repo:acme/app:ref:refs/heads/main"}}"""
                .formatted(GITHUB, SUB_KEY));

        assertThat(codes(p)).containsExactly("ERROR principal-wildcard");

        TrustPolicy noAudience = statement("\"*\"", """
                {"StringEquals": {"%s": "repo:acme/app:ref:refs/heads/main"}}""".formatted(SUB_KEY));
        assertThat(noAudience.lint()).filteredOn(f -> f.code().endsWith("no-audience-condition")).singleElement()
                .satisfies(f -> assertThat(f.fix()).hasValueSatisfying(fix -> assertThat(fix).contains(GITHUB + ":aud")));
    }

    @Test
    void keyWithoutTheProviderHostAndUndocumentedClaimsAreWarnings() {
        TrustPolicy p = gitHub("""
                {"StringEquals": {"%1$s:aud": "sts.amazonaws.com", "%2$s": "repo:acme/app:ref:refs/heads/main",
                                  "https://%2$s": "repo:acme/app:ref:refs/heads/main",
                                  "%1$s:job_workflow_ref": "acme/app/.github/workflows/d.yml@refs/heads/main"}}"""
                .formatted(GITHUB, SUB_KEY));

        assertThat(codes(p)).containsExactlyInAnyOrder("WARNING key-prefix-mismatch", "WARNING undocumented-claim-key");
        assertThat(p.lint()).filteredOn(f -> f.code().endsWith("key-prefix-mismatch")).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("keys never include https://"));
    }

    @Test
    void findingsAreOrderedByStatementThenSeverity() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": [
                  {"Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {"%2$s": "repo:acme/app:ref:refs/heads/main"}}},
                  {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}
                ]}""".formatted(GITHUB_ARN, SUB_KEY));

        assertThat(p.lint()).extracting(f -> f.statement().index() + " " + f.severity()).containsExactly(
                "0 WARNING", "0 INFO", "1 ERROR", "1 ERROR", "1 WARNING");
        assertThat(p.lint().get(0).toString()).startsWith("WARNING aws.trust.lint.no-audience-condition in statement 0:");
    }

    @Test
    void denyStatementsAndOtherPrincipalsAreNotHeldToWebIdentityRules() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": [
                  {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {"%s": "*:pull_request"}}},
                  {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ]}""".formatted(SUB_KEY));

        assertThat(p.lint()).isEmpty();
    }
}
