package dev.keyless.aws.trust;

import static dev.keyless.aws.trust.TrustFixtures.GITHUB;
import static dev.keyless.aws.trust.TrustFixtures.GITHUB_ARN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.internal.trust.JsonText;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator table: one condition on one claim, each operator with a matching and a non-matching case, set
 * qualifiers on a multi-valued aud, IfExists and absent keys. Claim values are written {@code a|b} for a list and
 * {@code -} for an absent claim; policy values {@code a|b} for a list.
 */
class ConditionOperatorTableTest {

    @ParameterizedTest(name = "{0} {1} {2} vs {3} -> {4}")
    @CsvSource(delimiter = ';', textBlock = """
            StringEquals;                 sub; repo:acme/app:ref:refs/heads/main;  repo:acme/app:ref:refs/heads/main;  true
            StringEquals;                 sub; repo:acme/app:ref:refs/heads/main;  repo:acme/app:ref:refs/heads/dev;   false
            StringEquals;                 sub; repo:Acme/app:ref:refs/heads/main;  repo:acme/app:ref:refs/heads/main;  false
            StringEquals;                 sub; repo:acme/app:*;                    repo:acme/app:ref:refs/heads/main;  false
            StringEquals;                 sub; a|repo:acme/app:pull_request;       repo:acme/app:pull_request;         true
            StringEquals;                 sub; x;                                  -;                                  false
            StringNotEquals;              sub; repo:acme/app:pull_request;         repo:acme/app:ref:refs/heads/main;  true
            StringNotEquals;              sub; repo:acme/app:pull_request;         repo:acme/app:pull_request;         false
            StringNotEquals;              sub; a|repo:acme/app:pull_request;       repo:acme/app:pull_request;         false
            StringNotEquals;              sub; x;                                  -;                                  true
            StringEqualsIgnoreCase;       sub; REPO:ACME/APP:PULL_REQUEST;         repo:acme/app:pull_request;         true
            StringEqualsIgnoreCase;       sub; repo:acme/app:pull_request;         repo:acme/other:pull_request;       false
            StringNotEqualsIgnoreCase;    sub; REPO:ACME/APP:PULL_REQUEST;         repo:acme/app:pull_request;         false
            StringNotEqualsIgnoreCase;    sub; repo:acme/app:pull_request;         repo:acme/other:pull_request;       true
            StringLike;                   sub; repo:acme/app:*;                    repo:acme/app:ref:refs/heads/main;  true
            StringLike;                   sub; repo:acme/app:*;                    repo:acme/app2:ref:refs/heads/main; false
            StringLike;                   sub; repo:acme/ap?:*;                    repo:acme/apx:pull_request;         true
            StringLike;                   sub; repo:acme/ap?:*;                    repo:acme/apxx:pull_request;        false
            StringLike;                   sub; repo:Acme/app:*;                    repo:acme/app:pull_request;         false
            StringLike;                   sub; *;                                  -;                                  false
            StringNotLike;                sub; repo:acme/*;                        repo:evil/app:pull_request;         true
            StringNotLike;                sub; repo:acme/*;                        repo:acme/app:pull_request;         false
            StringNotLike;                sub; repo:acme/*;                        -;                                  true
            StringEqualsIfExists;         environment; prod;                       prod;                               true
            StringEqualsIfExists;         environment; prod;                       staging;                            false
            StringEqualsIfExists;         environment; prod;                       -;                                  true
            StringLikeIfExists;           environment; prod*;                      -;                                  true
            StringNotEqualsIfExists;      environment; prod;                       -;                                  true
            StringEquals;                 aud; sts.amazonaws.com;                  sts.amazonaws.com|other;            true
            StringEquals;                 aud; sts.amazonaws.com;                  other|another;                      false
            StringNotEquals;              aud; sts.amazonaws.com;                  sts.amazonaws.com|other;            false
            ForAnyValue:StringEquals;     aud; sts.amazonaws.com;                  other|sts.amazonaws.com;            true
            ForAnyValue:StringEquals;     aud; sts.amazonaws.com;                  other|another;                      false
            ForAnyValue:StringEquals;     aud; sts.amazonaws.com;                  -;                                  false
            ForAnyValue:StringNotEquals;  aud; sts.amazonaws.com;                  sts.amazonaws.com|other;            true
            ForAnyValue:StringNotEquals;  aud; sts.amazonaws.com;                  sts.amazonaws.com;                  false
            ForAllValues:StringEquals;    aud; sts.amazonaws.com|other;            other|sts.amazonaws.com;            true
            ForAllValues:StringEquals;    aud; sts.amazonaws.com;                  other|sts.amazonaws.com;            false
            ForAllValues:StringEquals;    aud; sts.amazonaws.com;                  -;                                  true
            ForAllValues:StringLike;      aud; sts.*|api://*;                      sts.amazonaws.com|api://app;        true
            ForAllValues:StringNotLike;   aud; evil*;                              sts.amazonaws.com|api://app;        true
            ForAllValues:StringNotLike;   aud; evil*;                              sts.amazonaws.com|evil.example;     false
            ForAllValues:StringNotLike;   aud; evil*;                              -;                                  true
            ForAnyValue:StringLikeIfExists; aud; sts.*;                            -;                                  true
            Null;                         environment; true;                       -;                                  true
            Null;                         environment; true;                       prod;                               false
            Null;                         environment; false;                      prod;                               true
            Null;                         environment; false;                      -;                                  false
            Bool;                         runner_is_ephemeral; true;               true;                               true
            Bool;                         runner_is_ephemeral; true;               false;                              false
            Bool;                         runner_is_ephemeral; TRUE;               True;                               true
            Bool;                         runner_is_ephemeral; true;               yes;                                false
            BoolIfExists;                 runner_is_ephemeral; true;               -;                                  true
            """)
    void operator(String operator, String claim, String policyValues, String claimValues, boolean expected) {
        TrustPolicy p = policy(operator, GITHUB + ":" + claim, Arrays.asList(policyValues.split("\\|")));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://" + GITHUB);
        if (!claimValues.equals("-")) {
            List<String> values = Arrays.asList(claimValues.split("\\|"));
            claims.put(claim, values.size() == 1 && !claim.equals("aud") ? values.get(0) : values);
        }

        TrustEvaluation e = p.evaluate(claims);

        assertThat(e.allowed()).isEqualTo(expected);
        ConditionResult c = e.statements().get(0).conditions().get(0);
        assertThat(c.matched()).isEqualTo(expected);
        assertThat(c.keyPresent()).isEqualTo(!claimValues.equals("-"));
        assertThat(c.operator().policyName()).isEqualTo(operator);
        assertThat(c.expectedValues()).containsExactlyElementsOf(Arrays.asList(policyValues.split("\\|")));
        assertThat(c.actualValues()).containsExactlyElementsOf(
                claimValues.equals("-") ? List.of() : Arrays.asList(claimValues.split("\\|")));
    }

    @ParameterizedTest(name = "boolean claim {0} under Bool true -> {1}")
    @CsvSource({"true, true", "false, false"})
    void boolComparesJsonBooleans(boolean claim, boolean expected) {
        TrustPolicy p = policy("Bool", GITHUB + ":runner_is_ephemeral", List.of("true"));

        TrustEvaluation e = p.evaluate(Map.of("iss", "https://" + GITHUB, "runner_is_ephemeral", claim));

        assertThat(e.allowed()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "key {0}")
    @CsvSource({
            "TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:SUB, true",
            "token.actions.githubusercontent.com:sub, true",
            "gitlab.com:sub, false",
            "sub, false",
            "aws:sub, false"})
    void keysAreCaseInsensitiveAndScopedToTheProvider(String key, boolean expected) {
        TrustPolicy p = policy("StringEquals", key, List.of("repo:acme/app:pull_request"));

        TrustEvaluation e = p.evaluate(Map.of("iss", "https://" + GITHUB, "sub", "repo:acme/app:pull_request"));

        assertThat(e.allowed()).isEqualTo(expected);
    }

    static TrustPolicy policy(String operator, String key, List<String> values) {
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("Effect", "Allow");
        statement.put("Principal", Map.of("Federated", GITHUB_ARN));
        statement.put("Action", "sts:AssumeRoleWithWebIdentity");
        statement.put("Condition", Map.of(operator, Map.of(key, values.size() == 1 ? values.get(0) : values)));
        return TrustPolicy.parse(JsonText.pretty(Map.of("Version", "2012-10-17", "Statement", List.of(statement))));
    }
}
