package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Trust policy evaluation, operator by operator, through the AWS SDK: each case creates a role with one trust
 * policy and asserts that AssumeRoleWithWebIdentity is allowed or denied (AccessDenied, 403).
 * In the policies, {@code H} stands for the issuer's condition key prefix and {@code P} for the provider ARN.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrustPolicyConditionTest {
    private static final String MAIN_SUB = "repo:acme/app:ref:refs/heads/main";

    private final MutableClock clock = MutableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
    private final AtomicInteger roles = new AtomicInteger();
    private LocalIssuer issuer;
    private LocalSts sts;
    private StsClient client;
    private String host;
    private String provider;

    enum Token { MAIN, MULTI_AUD }

    @BeforeAll
    void start() {
        issuer = LocalIssuer.builder().clock(clock).start();
        sts = LocalSts.builder().clock(clock).start();
        client = Sdk.anonymous(sts.endpoint());
        provider = sts.registerOidcProvider(issuer.issuerUrl(), List.of("sts.amazonaws.com", "extra"));
        host = LocalSts.conditionKeyPrefix(issuer.issuerUrl());
    }

    @AfterAll
    void stop() {
        client.close();
        sts.close();
        issuer.close();
    }

    private boolean allowed(String statements, Token kind) {
        String policy = ("{'Version':'2012-10-17','Statement':" + statements + "}")
                .replace("'", "\"").replace("H:", host + ":").replace("\"P\"", "\"" + provider + "\"");
        String role = "case-" + roles.incrementAndGet();
        String arn = sts.createRole(role, policy, Duration.ofHours(1));
        GitHubTokenBuilder b = issuer.github().repository("acme/app").branch("main");
        b = kind == Token.MULTI_AUD ? b.audience("sts.amazonaws.com", "extra") : b.audience("sts.amazonaws.com");
        String token = b.mintValue();
        try {
            client.assumeRoleWithWebIdentity(r -> r.roleArn(arn).roleSessionName("s1").webIdentityToken(token));
            return true;
        } catch (StsException e) {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(e.statusCode()).isEqualTo(403);
            return false;
        }
    }

    /** One Allow statement for the provider with the given Condition block. */
    private static String allowWhen(String condition) {
        return "[{'Effect':'Allow','Principal':{'Federated':'P'},'Action':'sts:AssumeRoleWithWebIdentity',"
                + "'Condition':" + condition + "}]";
    }

    static Stream<Arguments> operators() {
        return Stream.of(
                // StringEquals: exact, OR within a list of values, case-sensitive
                Arguments.of("StringEquals match", "{'StringEquals':{'H:sub':'" + MAIN_SUB + "'}}", Token.MAIN, true),
                Arguments.of("StringEquals mismatch", "{'StringEquals':{'H:sub':'repo:acme/app:ref:refs/heads/dev'}}",
                        Token.MAIN, false),
                Arguments.of("StringEquals list, one matches",
                        "{'StringEquals':{'H:sub':['repo:x/y:ref:refs/heads/main','" + MAIN_SUB + "']}}", Token.MAIN, true),
                Arguments.of("StringEquals is case-sensitive", "{'StringEquals':{'H:sub':'REPO:ACME/APP:REF:REFS/HEADS/MAIN'}}",
                        Token.MAIN, false),
                // StringEqualsIgnoreCase / StringNotEqualsIgnoreCase
                Arguments.of("StringEqualsIgnoreCase match",
                        "{'StringEqualsIgnoreCase':{'H:sub':'REPO:ACME/APP:REF:REFS/HEADS/MAIN'}}", Token.MAIN, true),
                Arguments.of("StringEqualsIgnoreCase mismatch", "{'StringEqualsIgnoreCase':{'H:sub':'repo:acme/other'}}",
                        Token.MAIN, false),
                Arguments.of("StringNotEqualsIgnoreCase match", "{'StringNotEqualsIgnoreCase':{'H:sub':'REPO:X'}}",
                        Token.MAIN, true),
                Arguments.of("StringNotEqualsIgnoreCase mismatch",
                        "{'StringNotEqualsIgnoreCase':{'H:sub':'REPO:ACME/APP:REF:REFS/HEADS/MAIN'}}", Token.MAIN, false),
                // StringLike with * and ?
                Arguments.of("StringLike star", "{'StringLike':{'H:sub':'repo:acme/app:*'}}", Token.MAIN, true),
                Arguments.of("StringLike question mark", "{'StringLike':{'H:sub':'repo:acme/app:ref:refs/heads/ma?n'}}",
                        Token.MAIN, true),
                Arguments.of("StringLike must match the whole value", "{'StringLike':{'H:sub':'repo:acme/ap?'}}",
                        Token.MAIN, false),
                Arguments.of("StringLike other repo", "{'StringLike':{'H:sub':'repo:other/*'}}", Token.MAIN, false),
                // StringNotEquals / StringNotLike: NOR over the values
                Arguments.of("StringNotEquals match", "{'StringNotEquals':{'H:sub':'repo:acme/app:ref:refs/heads/dev'}}",
                        Token.MAIN, true),
                Arguments.of("StringNotEquals mismatch", "{'StringNotEquals':{'H:sub':['x','" + MAIN_SUB + "']}}",
                        Token.MAIN, false),
                Arguments.of("StringNotLike match", "{'StringNotLike':{'H:sub':'repo:acme/app:environment:*'}}",
                        Token.MAIN, true),
                Arguments.of("StringNotLike mismatch", "{'StringNotLike':{'H:sub':'repo:acme/*'}}", Token.MAIN, false),
                // Missing keys: positive operators fail, negated ones and IfExists pass
                Arguments.of("StringEquals on a missing key", "{'StringEquals':{'H:environment':'prod'}}", Token.MAIN, false),
                Arguments.of("StringNotEquals on a missing key", "{'StringNotEquals':{'H:environment':'prod'}}",
                        Token.MAIN, true),
                Arguments.of("StringEqualsIfExists on a missing key", "{'StringEqualsIfExists':{'H:environment':'prod'}}",
                        Token.MAIN, true),
                Arguments.of("StringLikeIfExists on a present key that does not match",
                        "{'StringLikeIfExists':{'H:sub':'repo:other/*'}}", Token.MAIN, false),
                Arguments.of("Null true on a missing key", "{'Null':{'H:environment':'true'}}", Token.MAIN, true),
                Arguments.of("Null false on a missing key", "{'Null':{'H:environment':'false'}}", Token.MAIN, false),
                // Claims beyond aud and sub; case-insensitive key names
                Arguments.of("claim key repository", "{'StringEquals':{'H:repository':'acme/app','H:ref_type':'branch'}}",
                        Token.MAIN, true),
                Arguments.of("claim key mismatch", "{'StringEquals':{'H:repository_owner':'other'}}", Token.MAIN, false),
                Arguments.of("condition keys are case-insensitive", "{'StringEquals':{'H:SUB':'" + MAIN_SUB + "'}}",
                        Token.MAIN, true),
                // AND across keys and across operators
                Arguments.of("AND across keys", "{'StringEquals':{'H:aud':'sts.amazonaws.com','H:sub':'repo:x'}}",
                        Token.MAIN, false),
                Arguments.of("AND across operators",
                        "{'StringEquals':{'H:aud':'sts.amazonaws.com'},'StringLike':{'H:sub':'repo:acme/*'}}", Token.MAIN, true),
                Arguments.of("AND across operators, one fails",
                        "{'StringEquals':{'H:aud':'sts.amazonaws.com'},'StringLike':{'H:sub':'repo:x/*'}}", Token.MAIN, false),
                // Set operators on a multi-valued aud
                Arguments.of("ForAnyValue:StringEquals one of the auds", "{'ForAnyValue:StringEquals':{'H:aud':'extra'}}",
                        Token.MULTI_AUD, true),
                Arguments.of("ForAnyValue:StringEquals none of the auds", "{'ForAnyValue:StringEquals':{'H:aud':'nope'}}",
                        Token.MULTI_AUD, false),
                Arguments.of("ForAnyValue:StringLike", "{'ForAnyValue:StringLike':{'H:aud':'ext*'}}", Token.MULTI_AUD, true),
                Arguments.of("ForAllValues:StringEquals covers every aud",
                        "{'ForAllValues:StringEquals':{'H:aud':['sts.amazonaws.com','extra']}}", Token.MULTI_AUD, true),
                Arguments.of("ForAllValues:StringEquals misses one aud",
                        "{'ForAllValues:StringEquals':{'H:aud':'sts.amazonaws.com'}}", Token.MULTI_AUD, false),
                Arguments.of("ForAllValues:StringNotEquals none listed", "{'ForAllValues:StringNotEquals':{'H:aud':'nope'}}",
                        Token.MULTI_AUD, true),
                Arguments.of("ForAllValues:StringNotEquals one listed", "{'ForAllValues:StringNotEquals':{'H:aud':'extra'}}",
                        Token.MULTI_AUD, false),
                Arguments.of("ForAnyValue:StringNotEquals", "{'ForAnyValue:StringNotEquals':{'H:aud':'sts.amazonaws.com'}}",
                        Token.MULTI_AUD, true),
                Arguments.of("ForAllValues on a missing key", "{'ForAllValues:StringEquals':{'H:environment':'prod'}}",
                        Token.MAIN, true),
                Arguments.of("ForAnyValue on a missing key", "{'ForAnyValue:StringEquals':{'H:environment':'prod'}}",
                        Token.MAIN, false),
                Arguments.of("single-valued operator on a multi-valued key", "{'StringEquals':{'H:aud':'extra'}}",
                        Token.MULTI_AUD, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void conditionOperator(String name, String condition, Token token, boolean expected) {
        assertThat(allowed(allowWhen(condition), token)).as(name).isEqualTo(expected);
    }

    static Stream<Arguments> statements() {
        String allow = "{'Effect':'Allow','Principal':{'Federated':'P'},'Action':'sts:AssumeRoleWithWebIdentity'}";
        return Stream.of(
                Arguments.of("no condition", "[" + allow + "]", true),
                Arguments.of("action wildcard", "[{'Effect':'Allow','Principal':{'Federated':'P'},'Action':'sts:AssumeRoleWith*'}]",
                        true),
                Arguments.of("action sts:*", "[{'Effect':'Allow','Principal':{'Federated':'P'},'Action':'sts:*'}]", true),
                Arguments.of("action list", "[{'Effect':'Allow','Principal':{'Federated':'P'},"
                        + "'Action':['sts:AssumeRole','sts:AssumeRoleWithWebIdentity']}]", true),
                Arguments.of("other action", "[{'Effect':'Allow','Principal':{'Federated':'P'},'Action':'sts:AssumeRole'}]",
                        false),
                Arguments.of("principal list", "[{'Effect':'Allow','Principal':{'Federated':["
                        + "'arn:aws:iam::123456789012:oidc-provider/other.example','P']},"
                        + "'Action':'sts:AssumeRoleWithWebIdentity'}]", true),
                Arguments.of("other provider", "[{'Effect':'Allow','Principal':{'Federated':"
                        + "'arn:aws:iam::123456789012:oidc-provider/other.example'},'Action':'sts:AssumeRoleWithWebIdentity'}]",
                        false),
                Arguments.of("AWS principal is not a federated one", "[{'Effect':'Allow','Principal':{'AWS':'*'},"
                        + "'Action':'sts:AssumeRoleWithWebIdentity'}]", false),
                Arguments.of("principal star", "[{'Effect':'Allow','Principal':'*','Action':'sts:AssumeRoleWithWebIdentity'}]",
                        true),
                Arguments.of("explicit deny wins", "[" + allow + ",{'Effect':'Deny','Principal':{'Federated':'P'},"
                        + "'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'H:sub':'repo:acme/*'}}}]",
                        false),
                Arguments.of("deny that does not match", "[" + allow + ",{'Effect':'Deny','Principal':{'Federated':'P'},"
                        + "'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'H:sub':'repo:evil/*'}}}]",
                        true),
                Arguments.of("only a deny", "[{'Effect':'Deny','Principal':{'Federated':'P'},"
                        + "'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'H:sub':'repo:evil/*'}}}]",
                        false),
                Arguments.of("a second statement allows", "[{'Effect':'Allow','Principal':{'Federated':'P'},"
                        + "'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringEquals':{'H:sub':'repo:x'}}},"
                        + "{'Effect':'Allow','Principal':{'Federated':'P'},'Action':'sts:AssumeRoleWithWebIdentity',"
                        + "'Condition':{'StringEquals':{'H:sub':'" + MAIN_SUB + "'}}}]", true),
                Arguments.of("statement as an object", allow, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statements")
    void statementSemantics(String name, String statements, boolean expected) {
        assertThat(allowed(statements, Token.MAIN)).as(name).isEqualTo(expected);
    }

    @Test
    void invalidTrustPoliciesAreRejectedAtCreateRole() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sts.createRole("bad", "{nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MalformedPolicyDocument");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sts.createRole("bad",
                ("{'Version':'2012-10-17','Statement':" + allowWhen("{'StringEqualz':{'a':'b'}}") + "}")
                        .replace("'", "\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("StringEqualz");
    }
}
