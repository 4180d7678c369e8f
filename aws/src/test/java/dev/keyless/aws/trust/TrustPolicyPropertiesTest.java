package dev.keyless.aws.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.internal.trust.JsonText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties: the parser throws nothing but TrustPolicyException, and evaluation never throws. */
class TrustPolicyPropertiesTest {
    private static final TrustPolicy POLICY = TrustPolicy.parse("""
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "A", "Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
               "Condition": {"StringEquals": {"%2$s:aud": "sts.amazonaws.com"},
                             "StringLike": {"%2$s:sub": ["repo:acme/app:*", "repo:acme@1/app@2:*"]},
                             "ForAllValues:StringNotLike": {"%2$s:amr": "x*"},
                             "StringEqualsIfExists": {"%2$s:environment": "prod"},
                             "Null": {"%2$s:repository": "false"},
                             "Bool": {"%2$s:runner_is_ephemeral": "true"}}},
              {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
               "Condition": {"ForAnyValue:StringEqualsIgnoreCase": {"%2$s:aud": "evil"}}}
            ]}""".formatted(TrustFixtures.GITHUB_ARN, TrustFixtures.GITHUB));

    @Property(tries = 600)
    void parseThrowsOnlyTrustPolicyException(@ForAll("policyTexts") String text) {
        try {
            TrustPolicy p = TrustPolicy.parse(text);
            // Whatever parses must print and re-parse to the same policy.
            assertThat(TrustPolicy.parse(p.toJson())).isEqualTo(p);
        } catch (TrustPolicyException e) {
            assertThat(e.diagnosis().code()).startsWith("aws.trust.");
            assertThat(e.location()).isNotEmpty();
        }
    }

    @Property(tries = 600)
    void evaluationAndExplanationNeverThrow(@ForAll("claimMaps") Map<String, Object> claims) {
        TrustEvaluation e = POLICY.evaluate(claims);

        assertThat(e.statements()).hasSize(2);
        assertThat(e.explain().code()).startsWith("aws.trust.");
        assertThat(e.mismatches().isEmpty()).isEqualTo(e.allowed());
        TrustPolicyLinter.lint(POLICY);
    }

    @Provide
    Arbitrary<String> policyTexts() {
        Arbitrary<String> anyText = Arbitraries.strings().ofMaxLength(200);
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,*? \\aAStEfcnoiluew0123-").ofMaxLength(120);
        Arbitrary<String> generated = jsonValue(4).map(JsonText::pretty);
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, 2000),
                Arbitraries.integers().between(0, 40), Arbitraries.strings().ofMaxLength(5)).as((at, cut, insert) -> {
                    String base = POLICY.toJson();
                    int i = Math.min(at, base.length());
                    return base.substring(0, i) + insert + base.substring(Math.min(base.length(), i + cut));
                });
        return Arbitraries.oneOf(anyText, jsonish, generated, mutated);
    }

    /** JSON-shaped values that look like policies: the right field names with arbitrary value shapes. */
    private Arbitrary<Object> jsonValue(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.of("Allow", "Deny", "*", "2012-10-17", "sts:AssumeRoleWithWebIdentity", "repo:acme/app:*",
                        "token.actions.githubusercontent.com:sub", "", "allow").map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> keys = Arbitraries.of("Version", "Statement", "Sid", "Effect", "Principal", "Federated", "AWS",
                "Action", "Condition", "StringEquals", "StringLike", "ForAnyValue:StringLike", "ForAllValues:StringNotEquals",
                "StringEqualsIfExists", "Null", "Bool", "NotAction", "Resource", "k:sub", "x");
        Arbitrary<Object> list = jsonValue(depth - 1).list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l));
        Arbitrary<Object> object = Combinators.combine(keys.list().ofMaxSize(4), jsonValue(depth - 1).list().ofSize(4))
                .as((ks, vs) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < ks.size(); i++) {
                        m.put(ks.get(i), vs.get(i));
                    }
                    return (Object) m;
                });
        return Arbitraries.oneOf(scalar, list, object, object);
    }

    @Provide
    Arbitrary<Map<String, Object>> claimMaps() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("iss", "sub", "aud", "azp", "amr", "environment", "repository", "runner_is_ephemeral"),
                Arbitraries.strings().ofMaxLength(12));
        Arbitrary<Object> values = Arbitraries.oneOf(
                Arbitraries.of("https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com",
                        "https://accounts.google.com", "repo:acme/app:ref:refs/heads/main", "repo:acme@1/app@2:pull_request",
                        "sts.amazonaws.com", "", "*", "true").map(s -> (Object) s),
                Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null),
                Arbitraries.strings().ofMaxLength(10).list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(5), Arbitraries.integers()).ofMaxSize(2).map(m -> (Object) m),
                Arbitraries.just((Object) List.of(List.of("nested"), Map.of("k", List.of(1, 2)))));
        return Arbitraries.maps(names, values).ofMaxSize(8).map(m -> {
            Map<String, Object> withNulls = new LinkedHashMap<>();
            m.forEach(withNulls::put);
            return withNulls;
        });
    }
}
