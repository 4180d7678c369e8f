package dev.keyless.aws.trust;

import static dev.keyless.aws.trust.TrustFixtures.ACCOUNT;
import static dev.keyless.aws.trust.TrustFixtures.GITHUB;
import static dev.keyless.aws.trust.TrustFixtures.GITHUB_ARN;
import static dev.keyless.aws.trust.TrustFixtures.SUB_KEY;
import static dev.keyless.aws.trust.TrustFixtures.gitHubClaims;
import static dev.keyless.aws.trust.TrustFixtures.gitHubPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.trust.Mismatch.Kind;
import dev.keyless.core.Diagnosis;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every near miss the explanation recognises, with the exact suggestion and corrected line. */
class TrustExplanationTest {

    static Stream<Arguments> subjectNearMisses() {
        return Stream.of(
                Arguments.of("repository typo", "StringLike", "repo:acme/deploy-tool:*",
                        "repo:acme/deploy-tol:ref:refs/heads/main", Kind.TYPO, "repo:acme/deploy-tol:*",
                        "\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/deploy-tol:*\" }"),
                Arguments.of("organisation typo", "StringEquals", "repo:acme-corp/app:ref:refs/heads/main",
                        "repo:acme-crop/app:ref:refs/heads/main", Kind.TYPO, "repo:acme-crop/app:ref:refs/heads/main",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme-crop/app:ref:refs/heads/main\" }"),
                Arguments.of("wrong case with StringEquals", "StringEquals", "repo:Acme/App:ref:refs/heads/main",
                        "repo:acme/app:ref:refs/heads/main", Kind.WRONG_CASE, "repo:acme/app:ref:refs/heads/main",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:ref:refs/heads/main\" }"),
                Arguments.of("wrong case with StringLike keeps the wildcard", "StringLike", "repo:Acme/App:*",
                        "repo:acme/app:ref:refs/heads/main", Kind.WRONG_CASE, "repo:acme/app:*",
                        "\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/app:*\" }"),
                Arguments.of("missing :* with StringLike", "StringLike", "repo:acme/app",
                        "repo:acme/app:ref:refs/heads/main", Kind.MISSING_WILDCARD, "repo:acme/app:*",
                        "\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/app:*\" }"),
                Arguments.of("missing :* with StringEquals needs StringLike", "StringEquals", "repo:acme/app",
                        "repo:acme/app:environment:prod", Kind.MISSING_WILDCARD, "repo:acme/app:*",
                        "\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/app:*\" }"),
                Arguments.of("StringEquals with a wildcard", "StringEquals", "repo:acme/app:*",
                        "repo:acme/app:ref:refs/heads/main", Kind.STRING_EQUALS_WITH_WILDCARD, "StringLike",
                        "\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/app:*\" }"),
                Arguments.of("environment job against a branch", "StringEquals", "repo:acme/app:ref:refs/heads/main",
                        "repo:acme/app:environment:prod", Kind.ENVIRONMENT_SUBJECT, "repo:acme/app:environment:prod",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:environment:prod\" }"),
                Arguments.of("branch job against an environment", "StringEquals", "repo:acme/app:environment:prod",
                        "repo:acme/app:ref:refs/heads/main", Kind.ENVIRONMENT_SUBJECT, "environment: prod",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:ref:refs/heads/main\" }"),
                Arguments.of("another branch", "StringEquals", "repo:acme/app:ref:refs/heads/main",
                        "repo:acme/app:ref:refs/heads/develop", Kind.REF_MISMATCH, "repo:acme/app:ref:refs/heads/develop",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:ref:refs/heads/develop\" }"),
                Arguments.of("short ref name", "StringEquals", "repo:acme/app:ref:main",
                        "repo:acme/app:ref:refs/heads/main", Kind.REF_MISMATCH, "repo:acme/app:ref:refs/heads/main",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:ref:refs/heads/main\" }"),
                Arguments.of("environment name typo", "StringEquals", "repo:acme/app:environment:production",
                        "repo:acme/app:environment:prodution", Kind.TYPO, "repo:acme/app:environment:prodution",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:environment:prodution\" }"),
                Arguments.of("name-only policy, immutable token", "StringEquals", "repo:acme/app:ref:refs/heads/main",
                        "repo:acme@123456/app@456789:ref:refs/heads/main", Kind.SUBJECT_FORM,
                        "repo:acme@123456/app@456789:ref:refs/heads/main",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme@123456/app@456789:ref:refs/heads/main\" }"),
                Arguments.of("immutable policy, name-only token", "StringLike", "repo:acme@123456/app@456789:*",
                        "repo:acme/app:ref:refs/heads/main", Kind.SUBJECT_FORM, "repo:acme/app:*",
                        "\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/app:*\" }"),
                Arguments.of("immutable form and environment at once", "StringEquals", "repo:acme/app:ref:refs/heads/main",
                        "repo:acme@1/app@2:environment:prod", Kind.SUBJECT_FORM, "repo:acme@1/app@2:environment:prod",
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme@1/app@2:environment:prod\" }"),
                Arguments.of("another repository altogether", "StringEquals", "repo:acme/app:ref:refs/heads/main",
                        "repo:mallory/tool:ref:refs/heads/main", Kind.VALUE_MISMATCH, null,
                        "\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:mallory/tool:ref:refs/heads/main\" }"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjectNearMisses")
    void explainsSubjectNearMiss(String name, String operator, String policyValue, String tokenSub, Kind kind,
                                 String suggestion, String correctedJson) {
        TrustEvaluation e = gitHubPolicy(operator, policyValue).evaluate(gitHubClaims(tokenSub));

        assertThat(e.allowed()).isFalse();
        assertThat(e.mismatches()).hasSize(1);
        Mismatch m = e.mismatches().get(0);
        assertThat(m.kind()).isEqualTo(kind);
        assertThat(m.expected()).isEqualTo(policyValue);
        assertThat(m.actual()).isEqualTo(tokenSub);
        assertThat(m.suggestion()).isEqualTo(java.util.Optional.ofNullable(suggestion));
        assertThat(m.correctedJson()).contains(correctedJson);
        assertThat(m.fix()).contains(correctedJson);
        assertThat(m.condition()).hasValueSatisfying(c -> assertThat(c.key()).isEqualTo(SUB_KEY));
        assertThat(m.statement().sid()).contains("GitHubDeploy");
    }

    @Test
    void theCorrectedLineMakesTheTokenAllowed() {
        // The suggestion is only useful if applying it works: rebuild the policy with each suggested value.
        subjectNearMisses().forEach(args -> {
            Object[] a = args.get();
            String tokenSub = (String) a[3];
            String json = (String) a[6];
            String operator = json.substring(1, json.indexOf('"', 1));
            String value = json.substring(json.lastIndexOf(": \"") + 3, json.lastIndexOf('"'));
            TrustEvaluation fixed = gitHubPolicy(operator, value).evaluate(gitHubClaims(tokenSub));
            assertThat(fixed.allowed()).as("%s after applying %s", a[0], json).isTrue();
        });
    }

    @Test
    void environmentExplanationSaysTheSubUsesTheEnvironmentInsteadOfTheRef() {
        Mismatch m = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme/app:environment:prod")).mismatches().get(0);

        assertThat(m.message()).contains("GitHub environment `prod`")
                .contains("puts `environment:NAME` in the sub instead of the ref");
        assertThat(m.fix()).contains("deployment branch rules").contains("branch `main`");
    }

    @Test
    void typoExplanationNamesBothRepositories() {
        Mismatch m = gitHubPolicy("StringLike", "repo:acme/deploy-tool:*")
                .evaluate(gitHubClaims("repo:acme/deploy-tol:ref:refs/heads/main")).mismatches().get(0);

        assertThat(m.message()).contains("`acme/deploy-tool`").contains("`acme/deploy-tol`")
                .contains("repository name differs by one character");
        assertThat(m.fix()).startsWith("If `acme/deploy-tol` is the repository you mean to trust, use ");
    }

    @Test
    void immutableFormExplanationSaysWhichSideUsesWhichForm() {
        Mismatch newToken = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme@123456/app@456789:ref:refs/heads/main")).mismatches().get(0);
        Mismatch oldToken = gitHubPolicy("StringLike", "repo:acme@123456/app@456789:*")
                .evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches().get(0);

        assertThat(newToken.message()).startsWith("The token uses GitHub's immutable subject form `repo:acme@123456/app@456789`");
        assertThat(oldToken.message()).startsWith("The policy uses GitHub's immutable subject form")
                .contains("still issues the name-only form `repo:acme/app`");
    }

    @Test
    void combinedFormAndEnvironmentMissQuotesThePolicysOwnValue() {
        Mismatch m = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme@1/app@2:environment:prod")).mismatches().get(0);

        assertThat(m.message()).contains("immutable subject form").contains("GitHub environment `prod`")
                .contains("The policy expects `repo:acme/app:ref:refs/heads/main`")
                .doesNotContain("`repo:acme@1/app@2:ref:refs/heads/main`");
    }

    @Test
    void differentIdsWithTheSameNamesWarnAboutARecreatedRepository() {
        Mismatch m = gitHubPolicy("StringEquals", "repo:acme@1/app@2:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme@1/app@3:ref:refs/heads/main")).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.SUBJECT_FORM);
        assertThat(m.message()).contains("the ids differ").contains("deleted and re-created");
        assertThat(m.fix()).startsWith("Only if the repository with the new ids is yours");
    }

    @Test
    void gitHubDefaultAudienceIsExplained() {
        TrustEvaluation e = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main", "https://github.com/acme"));

        assertThat(e.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Kind.WRONG_AUDIENCE);
            assertThat(m.expected()).isEqualTo("sts.amazonaws.com");
            assertThat(m.actual()).isEqualTo("https://github.com/acme");
            assertThat(m.suggestion()).contains("sts.amazonaws.com");
            assertThat(m.message()).contains("GitHub's default when a job requests its token without an audience");
            assertThat(m.fix()).startsWith("Request the token with the audience `sts.amazonaws.com`");
        });
    }

    @Test
    void otherAudienceIsExplainedWithoutTheGitHubDefaultStory() {
        TrustEvaluation e = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main", "api://my-app"));

        Mismatch m = e.mismatches().get(0);
        assertThat(m.kind()).isEqualTo(Kind.WRONG_AUDIENCE);
        assertThat(m.message()).doesNotContain("GitHub's default").contains("`api://my-app`");
        assertThat(m.correctedJson()).contains("\"StringEquals\": { \"" + GITHUB + ":aud\": \"api://my-app\" }");
    }

    @Test
    void audienceCaseSlipIsAWrongCaseNotAWrongAudience() {
        Mismatch m = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main", "STS.amazonaws.com")).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.WRONG_CASE);
        assertThat(m.suggestion()).contains("STS.amazonaws.com");
    }

    @Test
    void wrongProviderSuggestsTheTokensIssuerAndFixesTheKeys() {
        TrustPolicy gitLabPolicy = TrustPolicy.parse("""
                {"Version": "2012-10-17", "Statement": [{
                  "Effect": "Allow",
                  "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {"StringEquals": {"gitlab.com:sub": "repo:acme/app:ref:refs/heads/main"}}
                }]}""");

        List<Mismatch> ms = gitLabPolicy.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches();

        assertThat(ms).extracting(Mismatch::kind).containsExactly(Kind.WRONG_PROVIDER, Kind.WRONG_KEY_PREFIX);
        assertThat(ms.get(0).suggestion()).contains(GITHUB_ARN);
        assertThat(ms.get(0).correctedJson()).contains("\"Federated\": \"" + GITHUB_ARN + "\"");
        assertThat(ms.get(0).message()).contains("issued by `" + GITHUB + "`").contains("trusts the provider `gitlab.com`");
        assertThat(ms.get(1).suggestion()).contains(SUB_KEY);
        assertThat(ms.get(1).correctedJson())
                .contains("\"StringEquals\": { \"" + SUB_KEY + "\": \"repo:acme/app:ref:refs/heads/main\" }");
    }

    @Test
    void providerHostTypoIsFlagged() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                  "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.co"}}}""");

        Mismatch m = p.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.WRONG_PROVIDER);
        assertThat(m.message()).contains("(a typo?)");
        assertThat(m.suggestion()).contains(GITHUB_ARN);
    }

    @Test
    void providerOfAnotherAccountIsFlagged() {
        TrustPolicy p = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main");
        TrustRequest request = TrustRequest.builder().claims(gitHubClaims("repo:acme/app:ref:refs/heads/main"))
                .accountId("999999999999").build();

        Mismatch m = p.evaluate(request).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.WRONG_PROVIDER);
        assertThat(m.message()).contains("account " + ACCOUNT).contains("role is in account 999999999999");
        assertThat(m.suggestion()).contains("arn:aws:iam::999999999999:oidc-provider/" + GITHUB);
    }

    @Test
    void awsPrincipalInsteadOfFederatedIsExplained() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                  "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}}""");

        List<Mismatch> ms = p.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches();

        assertThat(ms).extracting(Mismatch::kind).containsExactly(Kind.NOT_FEDERATED, Kind.WRONG_ACTION);
        assertThat(ms.get(0).suggestion()).contains("arn:aws:iam::ACCOUNT_ID:oidc-provider/" + GITHUB);
        assertThat(ms.get(1).message()).contains("sts:AssumeRole is for IAM users and roles");
        assertThat(ms.get(1).correctedJson()).contains("\"Action\": \"sts:AssumeRoleWithWebIdentity\"");
    }

    @Test
    void keyWithSchemeIsAWrongKeyPrefix() {
        TrustPolicy p = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main");
        TrustPolicy withScheme = TrustPolicy.parse(p.toJson().replace("\"" + SUB_KEY, "\"https://" + SUB_KEY));

        Mismatch m = withScheme.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.WRONG_KEY_PREFIX);
        assertThat(m.message()).contains("never include the https:// scheme");
        assertThat(m.suggestion()).contains(SUB_KEY);
    }

    @Test
    void missingEnvironmentClaimSaysTheJobHasNoEnvironment() {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringLike", "repo:acme/app:*").toJson()
                .replace("\"StringLike\": {", "\"StringLike\": {\n \"" + GITHUB + ":environment\": \"prod\","));

        Mismatch m = p.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.MISSING_CLAIM);
        assertThat(m.actual()).isEqualTo("(absent)");
        assertThat(m.message()).contains("does not reference a GitHub environment")
                .contains("IAM does not document `" + GITHUB + ":environment` as a condition key");
        assertThat(m.fix()).contains("`environment: prod`");
    }

    @Test
    void negatedOperatorThatExcludesTheTokenIsExplained() {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringLike", "repo:acme/*").toJson()
                .replace("\"StringLike\": {", "\"StringNotLike\": { \"" + SUB_KEY + "\": \"repo:acme/legacy*\" },\n"
                        + "\"StringLike\": {"));

        Mismatch m = p.evaluate(gitHubClaims("repo:acme/legacy-app:ref:refs/heads/main")).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.EXCLUDED_VALUE);
        assertThat(m.message()).contains("`repo:acme/legacy-app:ref:refs/heads/main`").contains("matches `repo:acme/legacy*`");
    }

    @Test
    void explicitDenyIsTheExplanationEvenWhenAnAllowMatches() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringLike": {"%2$s": "repo:acme/*"}}},
                  {"Sid": "NoPullRequests", "Effect": "Deny", "Principal": "*", "Action": "sts:*",
                   "Condition": {"StringLike": {"%2$s": "*:pull_request"}}}
                ]}""".formatted(GITHUB_ARN, SUB_KEY));

        TrustEvaluation e = p.evaluate(gitHubClaims("repo:acme/app:pull_request"));

        assertThat(e.decision()).isEqualTo(TrustEvaluation.Decision.EXPLICIT_DENY);
        assertThat(e.mismatches()).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(Kind.EXPLICIT_DENY);
            assertThat(m.statement().sid()).contains("NoPullRequests");
            assertThat(m.message()).contains("explicit Deny wins over any Allow");
        });
        assertThat(e.explain().code()).isEqualTo("aws.trust.explicit-deny");
    }

    @Test
    void googleAudienceUnderAudInsteadOfOaud() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {"StringEquals": {"accounts.google.com:aud": "sts.amazonaws.com",
                                                 "accounts.google.com:sub": "110000000000000000001"}}}}""");
        Map<String, Object> google = Map.of("iss", "https://accounts.google.com", "aud", "sts.amazonaws.com",
                "azp", "110000000000000000001", "sub", "110000000000000000001");

        Mismatch m = p.evaluate(google).mismatches().get(0);

        assertThat(m.kind()).isEqualTo(Kind.WRONG_AUDIENCE);
        assertThat(m.message()).contains("`accounts.google.com:aud` is the token's azp");
        assertThat(m.correctedJson()).contains("\"StringEquals\": { \"accounts.google.com:oaud\": \"sts.amazonaws.com\" }");
    }

    @Test
    void closestStatementIsTheOneWithFewestAndNearestFailures() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": [
                  {"Sid": "Other", "Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"%2$s": "repo:zeta/other:ref:refs/heads/main"}}},
                  {"Sid": "Deploy", "Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"%2$s": "repo:acme/deploy-tool:ref:refs/heads/main"}}},
                  {"Sid": "Wrong", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"%2$s": "repo:acme/deploy-tol:ref:refs/heads/main"}}}
                ]}""".formatted(GITHUB_ARN, SUB_KEY));

        TrustEvaluation e = p.evaluate(gitHubClaims("repo:acme/deploy-tol:ref:refs/heads/main"));

        assertThat(e.closestStatement()).hasValueSatisfying(s -> assertThat(s.statement().sid()).contains("Deploy"));
        assertThat(e.mismatches()).extracting(Mismatch::kind).containsExactly(Kind.TYPO);
    }

    @Test
    void explainGivesADiagnosisWithEvidenceAndTheCorrectedLine() {
        TrustEvaluation e = gitHubPolicy("StringLike", "repo:acme/deploy-tool:*")
                .evaluate(TrustFixtures.token(gitHubClaims("repo:acme/deploy-tol:ref:refs/heads/main")));

        Diagnosis d = e.explain();

        assertThat(d.code()).isEqualTo("aws.trust.typo");
        assertThat(d.problem()).isEqualTo("The trust policy does not allow this token to assume the role: statement 0 "
                + "(Sid \"GitHubDeploy\") came closest, and one part of it does not match.");
        assertThat(d.evidence()).containsEntry("closest statement", "statement 0 (Sid \"GitHubDeploy\")")
                .containsEntry("provider", GITHUB)
                .containsEntry("failed", "StringLike " + SUB_KEY)
                .containsEntry("expected", "repo:acme/deploy-tool:*")
                .containsEntry("actual", "repo:acme/deploy-tol:ref:refs/heads/main")
                .containsEntry("did you mean", "repo:acme/deploy-tol:*");
        assertThat(d.fix()).contains("\"StringLike\": { \"" + SUB_KEY + "\": \"repo:acme/deploy-tol:*\" }");
        assertThat(d.render()).doesNotContain(TrustFixtures.token(gitHubClaims("repo:x/y:pull_request")).value());
    }

    @Test
    void explainNumbersSeveralFailures() {
        TrustEvaluation e = gitHubPolicy("StringEquals", "repo:acme/app:ref:refs/heads/main")
                .evaluate(gitHubClaims("repo:acme/app:environment:prod", "https://github.com/acme"));

        Diagnosis d = e.explain();

        assertThat(d.problem()).endsWith("2 parts of it do not match.");
        assertThat(d.code()).isEqualTo("aws.trust.wrong-audience");
        assertThat(d.evidence()).containsKeys("failed #1", "expected #1", "actual #1", "failed #2", "expected #2");
        assertThat(d.fix()).startsWith("1. Request the token").contains("\n2. Trust the environment");
    }

    @Test
    void explainWhenAllowedSaysWhatElseToCheck() {
        Diagnosis d = gitHubPolicy("StringLike", "repo:acme/app:*")
                .evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).explain();

        assertThat(d.code()).isEqualTo("aws.trust.allowed");
        assertThat(d.likelyCause()).contains("permissions: id-token: write");
        assertThat(d.evidence()).containsEntry("token sub", "repo:acme/app:ref:refs/heads/main");
    }

    @Test
    void explainWhenAllowedOnlyThroughUndocumentedKeysSaysIamMayNotSeeThem() {
        TrustPolicy p = TrustPolicy.parse(gitHubPolicy("StringLike", "repo:acme/app:*").toJson()
                .replace("\"StringLike\": {", "\"StringLike\": {\n \"" + GITHUB + ":job_workflow_ref\": \"acme/app/*\","));

        Diagnosis d = p.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).explain();

        assertThat(d.code()).isEqualTo("aws.trust.allowed");
        assertThat(d.likelyCause()).contains(GITHUB + ":job_workflow_ref").contains("does not support custom claims");
    }

    @Test
    void policyWithoutAllowExplainsThat() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Deny", "Principal": "*", "Action": "*",
                  "Condition": {"StringEquals": {"%s": "nobody"}}}}""".formatted(SUB_KEY));

        TrustEvaluation e = p.evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main"));

        assertThat(e.decision()).isEqualTo(TrustEvaluation.Decision.IMPLICIT_DENY);
        assertThat(e.mismatches()).extracting(Mismatch::kind).containsExactly(Kind.NO_ALLOW_STATEMENT);
        assertThat(e.explain().code()).isEqualTo("aws.trust.no-allow-statement");
    }

    @Test
    void mismatchDiagnosisStandsAlone() {
        Mismatch m = gitHubPolicy("StringEquals", "repo:acme/app:*")
                .evaluate(gitHubClaims("repo:acme/app:ref:refs/heads/main")).mismatches().get(0);

        Diagnosis d = m.diagnosis();

        assertThat(d.code()).isEqualTo("aws.trust.string-equals-wildcard");
        assertThat(d.evidence()).containsEntry("condition", "StringEquals " + SUB_KEY)
                .containsEntry("expected", "repo:acme/app:*");
        assertThat(d.fix()).contains("\"StringLike\"");
    }
}
