package dev.keyless.aws.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing: the accepted shapes, canonical JSON output, and errors that say where and what is expected. */
class TrustPolicyParseTest {

    @Test
    void parsesEveryShapeIamAccepts() {
        TrustPolicy p = TrustPolicy.parse("""
                {
                  "Version": "2012-10-17",
                  "Id": "deploy-trust",
                  "Statement": [
                    {
                      "Sid": "GitHub",
                      "Effect": "Allow",
                      "Principal": {"Federated": ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                                                  "accounts.google.com"], "AWS": "arn:aws:iam::123456789012:root"},
                      "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
                      "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com", "other"]},
                        "ForAnyValue:StringLikeIfExists": {"token.actions.githubusercontent.com:amr": "x*"},
                        "Null": {"token.actions.githubusercontent.com:environment": false},
                        "Bool": {"aws:SecureTransport": true},
                        "StringNotEquals": {"token.actions.githubusercontent.com:run_attempt": 3}
                      }
                    },
                    {"Effect": "Deny", "Principal": "*", "Action": "*"}
                  ]
                }""");

        assertThat(p.version()).contains("2012-10-17");
        assertThat(p.id()).contains("deploy-trust");
        assertThat(p.statements()).hasSize(2);
        TrustStatement s = p.statements().get(0);
        assertThat(s.index()).isZero();
        assertThat(s.sid()).contains("GitHub");
        assertThat(s.effect()).isEqualTo(TrustStatement.Effect.ALLOW);
        assertThat(s.principals().federated()).hasSize(2);
        assertThat(s.principals().aws()).containsExactly("arn:aws:iam::123456789012:root");
        assertThat(s.principals().wildcard()).isFalse();
        assertThat(s.actions()).containsExactly("sts:AssumeRoleWithWebIdentity", "sts:TagSession");
        assertThat(s.conditions()).extracting(c -> c.operator().policyName(), TrustCondition::claimName, TrustCondition::values)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("StringEquals", "aud", List.of("sts.amazonaws.com", "other")),
                        org.assertj.core.groups.Tuple.tuple("ForAnyValue:StringLikeIfExists", "amr", List.of("x*")),
                        org.assertj.core.groups.Tuple.tuple("Null", "environment", List.of("false")),
                        org.assertj.core.groups.Tuple.tuple("Bool", "SecureTransport", List.of("true")),
                        org.assertj.core.groups.Tuple.tuple("StringNotEquals", "run_attempt", List.of("3")));
        ConditionOperator op = s.conditions().get(1).operator();
        assertThat(op.base()).isEqualTo(ConditionOperator.Base.STRING_LIKE);
        assertThat(op.qualifier()).isEqualTo(ConditionOperator.SetQualifier.FOR_ANY_VALUE);
        assertThat(op.ifExists()).isTrue();
        TrustStatement deny = p.statements().get(1);
        assertThat(deny.principals().wildcard()).isTrue();
        assertThat(deny.label()).isEqualTo("statement 1");
        assertThat(deny.conditions()).isEmpty();
    }

    @Test
    void singleStatementObjectAndNoVersionAreAccepted() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}""");

        assertThat(p.version()).isEmpty();
        assertThat(p.statements()).singleElement()
                .satisfies(s -> assertThat(s.principals().service()).containsExactly("ec2.amazonaws.com"));
    }

    @Test
    void toJsonIsPrettyStableAndReparsesToTheSamePolicy() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": [{"Condition": {"StringLike": {"k:sub": ["a*", "b*"]}}, "Action": "sts:AssumeRoleWithWebIdentity",
                  "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/k"}, "Effect": "Allow", "Sid": "S"}],
                 "Version": "2012-10-17"}""");

        String json = p.toJson();

        assertThat(json).isEqualTo("""
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "S",
                      "Effect": "Allow",
                      "Principal": {
                        "Federated": "arn:aws:iam::123456789012:oidc-provider/k"
                      },
                      "Action": "sts:AssumeRoleWithWebIdentity",
                      "Condition": {
                        "StringLike": {
                          "k:sub": [
                            "a*",
                            "b*"
                          ]
                        }
                      }
                    }
                  ]
                }""");
        assertThat(TrustPolicy.parse(json)).isEqualTo(p);
        assertThat(TrustPolicy.parse(json).toJson()).isEqualTo(json);
        assertThat(p.toString()).isEqualTo(json);
    }

    @Test
    void escapesInValuesSurviveTheRoundTrip() {
        TrustPolicy p = TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {"StringEquals": {"k:sub": "quote \\" backslash \\\\ tab \\t unicode \\u00e9"}}}}""");

        assertThat(p.statements().get(0).conditions().get(0).values()).containsExactly("quote \" backslash \\ tab \t unicode é");
        assertThat(TrustPolicy.parse(p.toJson())).isEqualTo(p);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            empty text                 | ` `                                                                  | aws.trust.invalid-json   | $
            JSON array                 | [1, 2]                                                               | aws.trust.invalid-json   | $
            YAML                       | Version: 2012-10-17                                                  | aws.trust.invalid-json   | $
            truncated                  | {"Statement": [{"Effect": "Allow"                                     | aws.trust.invalid-json   | $
            duplicate key              | {"Statement": [], "Statement": []}                                   | aws.trust.invalid-json   | $
            duplicate nested key       | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringEquals": {"k": "a"}, "StringEquals": {"k2": "b"}}}]} | aws.trust.invalid-policy | Statement[0].Condition.StringEquals
            duplicate key in 2nd stmt  | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}, {"Effect": "Allow", "Effect": "Deny", "Principal": "*", "Action": "*"}]} | aws.trust.invalid-policy | Statement[1].Effect
            unknown top field          | {"Statements": []}                                                   | aws.trust.invalid-policy | Statements
            bad version                | {"Version": "2023-01-01", "Statement": []}                           | aws.trust.invalid-policy | Version
            no statement               | {"Version": "2012-10-17"}                                            | aws.trust.invalid-policy | Statement
            empty statement list       | {"Statement": []}                                                    | aws.trust.invalid-policy | Statement
            statement not object       | {"Statement": ["Allow"]}                                             | aws.trust.invalid-policy | Statement[0]
            no effect                  | {"Statement": [{"Principal": "*", "Action": "*"}]}                   | aws.trust.invalid-policy | Statement[0].Effect
            lower-case effect          | {"Statement": [{"Effect": "allow", "Principal": "*", "Action": "*"}]} | aws.trust.invalid-policy | Statement[0].Effect
            no principal               | {"Statement": [{"Effect": "Allow", "Action": "*"}]}                  | aws.trust.invalid-policy | Statement[0].Principal
            principal string           | {"Statement": [{"Effect": "Allow", "Principal": "me", "Action": "*"}]} | aws.trust.invalid-policy | Statement[0].Principal
            principal type             | {"Statement": [{"Effect": "Allow", "Principal": {"federated": "x"}, "Action": "*"}]} | aws.trust.invalid-policy | Statement[0].Principal.federated
            principal empty list       | {"Statement": [{"Effect": "Allow", "Principal": {"Federated": []}, "Action": "*"}]} | aws.trust.invalid-policy | Statement[0].Principal.Federated
            no action                  | {"Statement": [{"Effect": "Allow", "Principal": "*"}]}               | aws.trust.invalid-policy | Statement[0].Action
            action number              | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": 3}]}  | aws.trust.invalid-policy | Statement[0].Action
            NotAction                  | {"Statement": [{"Effect": "Allow", "Principal": "*", "NotAction": "x"}]} | aws.trust.unsupported | Statement[0].NotAction
            NotPrincipal               | {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "x"}, "Action": "*"}]} | aws.trust.unsupported | Statement[0].NotPrincipal
            Resource                   | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]} | aws.trust.invalid-policy | Statement[0].Resource
            condition typo field       | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Conditions": {}}]} | aws.trust.invalid-policy | Statement[0].Conditions
            condition not object       | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": []}]} | aws.trust.invalid-policy | Statement[0].Condition
            unknown operator           | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringEqual": {"k": "v"}}}]} | aws.trust.invalid-policy | Statement[0].Condition.StringEqual
            numeric operator           | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"NumericLessThan": {"k": 1}}}]} | aws.trust.unsupported | Statement[0].Condition.NumericLessThan
            NullIfExists               | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"NullIfExists": {"k": "true"}}}]} | aws.trust.invalid-policy | Statement[0].Condition.NullIfExists
            Null value                 | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"Null": {"k": "yes"}}}]} | aws.trust.invalid-policy | Statement[0].Condition.Null.k
            empty operator block       | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringLike": {}}}]} | aws.trust.invalid-policy | Statement[0].Condition.StringLike
            empty value list           | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringLike": {"k": []}}}]} | aws.trust.invalid-policy | Statement[0].Condition.StringLike.k
            object value               | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringLike": {"k": {"a": 1}}}}]} | aws.trust.invalid-policy | Statement[0].Condition.StringLike.k
            null value                 | {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringLike": {"k": null}}}]} | aws.trust.invalid-policy | Statement[0].Condition.StringLike.k
            sid number                 | {"Statement": [{"Sid": 1, "Effect": "Allow", "Principal": "*", "Action": "*"}]} | aws.trust.invalid-policy | Statement[0].Sid
            """)
    void rejectsWithWhereAndWhat(String name, String json, String code, String location) {
        TrustPolicyException e = catchThrowableOfType(TrustPolicyException.class, () -> TrustPolicy.parse(json.strip()));

        assertThat(e).as(name).isNotNull();
        assertThat(e.diagnosis().code()).isEqualTo(code);
        assertThat(e.location()).isEqualTo(location);
        assertThat(e.diagnosis().evidence()).containsEntry("location", location);
        assertThat(e.diagnosis().fix()).isNotBlank();
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void errorsNameTheStatementBySidAndSuggestTheRightSpelling() {
        TrustPolicyException effect = catchThrowableOfType(TrustPolicyException.class, () -> TrustPolicy.parse("""
                {"Statement": [{"Sid": "Ok", "Effect": "Allow", "Principal": "*", "Action": "*"},
                               {"Sid": "Deploy", "Effect": "allow", "Principal": "*", "Action": "*"}]}"""));
        TrustPolicyException operator = catchThrowableOfType(TrustPolicyException.class, () -> TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                  "Condition": {"StringEqual": {"k": "v"}}}}"""));
        TrustPolicyException field = catchThrowableOfType(TrustPolicyException.class, () -> TrustPolicy.parse("""
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Conditions": {}}}"""));

        assertThat(effect.diagnosis().problem()).isEqualTo("Invalid trust policy: statement 1 (Sid \"Deploy\"): field "
                + "\"Effect\" must be \"Allow\" or \"Deny\" (it is case-sensitive: \"Allow\").");
        assertThat(effect.diagnosis().evidence()).containsEntry("found", "the string \"allow\"");
        assertThat(operator.diagnosis().fix()).endsWith("(did you mean \"StringEquals\"?).");
        assertThat(field.diagnosis().fix()).contains("(did you mean \"Condition\"?)");
        assertThat(field.location()).isEqualTo("Statement.Conditions");
    }

    @Test
    void deeplyNestedInputIsRejectedCleanly() {
        String deep = "{\"Statement\": " + "[".repeat(5000) + "]".repeat(5000) + "}";

        TrustPolicyException e = catchThrowableOfType(TrustPolicyException.class, () -> TrustPolicy.parse(deep));

        assertThat(e.diagnosis().code()).isEqualTo("aws.trust.invalid-json");
        assertThat(e.diagnosis().problem()).contains("nested more than 32 levels");
    }
}
