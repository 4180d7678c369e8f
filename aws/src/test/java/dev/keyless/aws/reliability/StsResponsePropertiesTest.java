package dev.keyless.aws.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.AwsExchangeException;
import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.aws.internal.sts.StsFailures;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.reliability.FaultServer;
import dev.keyless.core.source.StaticTokenSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Keyless's reading of STS: whatever STS (or anything in its place) answers, the provider gives complete, unexpired
 * session credentials or an {@link AwsExchangeException}-rooted {@link KeylessException} with a diagnosis; never a
 * NullPointerException, a parse error or a credential missing a part. And the diagnosis of any STS error code,
 * message and status is an {@link AwsExchangeException} whose {@code retryable()} is exactly
 * {@link StsFailures#isTransient}.
 */
class StsResponsePropertiesTest {
    private static final String TOKEN = jwt();
    private static FaultServer sts;
    private static StsClient client;

    @BeforeContainer
    static void start() {
        sts = FaultServer.start(FaultServer.respond(500, "text/plain", "not yet"));
        client = StsClient.builder().region(Region.US_EAST_1).endpointOverride(sts.uri())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofSeconds(5)))
                .build();
    }

    @AfterContainer
    static void stop() {
        client.close();
        sts.close();
    }

    record Answer(int status, String contentType, String body) {
    }

    @Property(tries = 200)
    void anyAnswerGivesCompleteCredentialsOrADiagnosedFailure(@ForAll("answers") Answer answer) {
        sts.behave(FaultServer.respond(answer.status(), answer.contentType(), answer.body()));
        try (WebIdentityCredentialsProvider provider = WebIdentityCredentialsProvider.builder()
                .roleArn("arn:aws:iam::123456789012:role/app").roleSessionName("properties")
                .tokenSource(StaticTokenSource.of(TOKEN)).stsClient(client).maxAttempts(1).build()) {
            AwsCredentials c;
            try {
                c = provider.resolveCredentials();
            } catch (KeylessException e) {
                Statistics.collect("failed");
                assertThat(e.diagnosis().code()).startsWith(e instanceof AwsExchangeException ? "aws.sts." : "refresh.");
                assertThat(e.diagnosis().fix()).isNotBlank();
                assertThat(e.getMessage()).doesNotContain(TOKEN);
                return;
            }
            Statistics.collect("credentials");
            AwsSessionCredentials s = (AwsSessionCredentials) c;
            assertThat(s.accessKeyId()).isNotBlank();
            assertThat(s.secretAccessKey()).isNotBlank();
            assertThat(s.sessionToken()).isNotBlank();
            assertThat(s.expirationTime()).hasValueSatisfying(exp -> assertThat(exp).isAfter(Instant.now()));
        }
        Statistics.coverage(c -> {
            c.check("credentials").percentage(p -> p > 5);
            c.check("failed").percentage(p -> p > 10);
        });
    }

    @Property(tries = 400)
    void anyStsErrorIsDiagnosedAndClassified(@ForAll("codes") String code, @ForAll("messages") String message,
            @ForAll("statuses") int status, @ForAll boolean withToken) {
        StsException e = (StsException) StsException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .message(message).build();
        IdentityToken token = withToken ? IdentityToken.parse(TOKEN) : null;
        AwsExchangeException d = StsFailures.diagnose(e, new StsFailures.Attempt("AssumeRoleWithWebIdentity",
                "arn:aws:iam::123456789012:role/app", token, "github-actions", Duration.ofHours(1), t -> Optional.empty()));

        assertThat(d.diagnosis().code()).startsWith("aws.sts.");
        assertThat(d.diagnosis().problem()).isNotBlank();
        assertThat(d.retryable()).isEqualTo(StsFailures.isTransient(code == null ? "" : code,
                message == null ? "" : message, status));
        assertThat(d.getMessage()).doesNotContain(TOKEN);
    }

    @Property(tries = 100)
    void anyClientFailureIsDiagnosedAsTransient(@ForAll("messages") String message) {
        AwsExchangeException d = StsFailures.diagnose(SdkClientException.create(message), new StsFailures.Attempt(
                "AssumeRole", "arn:aws:iam::123456789012:role/app", null, null, null, null));
        assertThat(d.diagnosis().code()).isIn("aws.sts.unreachable", "aws.sts.malformed-response");
        assertThat(d.retryable()).isTrue();
    }

    @Provide
    Arbitrary<String> codes() {
        return Arbitraries.oneOf(Arbitraries.of("AccessDenied", "InvalidIdentityToken", "ExpiredTokenException",
                        "IDPCommunicationError", "IDPRejectedClaim", "RegionDisabledException", "PackedPolicyTooLarge",
                        "MalformedPolicyDocument", "ValidationError", "Throttling", "InternalFailure", "", "throttled"),
                Arbitraries.strings().ofMaxLength(30)).injectNull(0.05);
    }

    @Provide
    Arbitrary<String> messages() {
        return Arbitraries.oneOf(Arbitraries.of("No OpenIDConnect provider found in your account for https://x",
                        "Incorrect token audience", "Couldn't retrieve verification key from your identity provider",
                        "1 validation error detected: Value 'a b' at 'roleSessionName' failed",
                        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                        "line one\nline two", ""),
                Arbitraries.strings().ofMaxLength(600)).injectNull(0.05);
    }

    @Provide
    Arbitrary<Integer> statuses() {
        return Arbitraries.oneOf(Arbitraries.of(400, 403, 404, 429, 500, 502, 503), Arbitraries.integers().between(100, 599));
    }

    @Provide
    Arbitrary<Answer> answers() {
        Arbitrary<Integer> status = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(200)),
                Tuple.of(2, Arbitraries.of(400, 403, 500, 503)), Tuple.of(1, Arbitraries.integers().between(201, 599)));
        Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("text/xml")),
                Tuple.of(1, Arbitraries.of("application/json", "text/html", "text/plain", "application/octet-stream")));
        Arbitrary<String> body = Arbitraries.frequencyOf(Tuple.of(14, stsDocument()),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(200)),
                Tuple.of(1, Arbitraries.of("", "<html><body>Proxy error</body></html>", "{\"Error\":{}}", "<a><b>")));
        Arbitrary<Integer> cut = Arbitraries.frequencyOf(Tuple.of(14, Arbitraries.just(-1)),
                Tuple.of(1, Arbitraries.integers().between(0, 400)));
        return Combinators.combine(status, type, body, cut).as((s, t, b, c) ->
                new Answer(s, t, c < 0 || c >= b.length() ? b : b.substring(0, c)));
    }

    /** An STS response or error document, each element present, absent, empty or odd. */
    private static Arbitrary<String> stsDocument() {
        Arbitrary<String> key = element("AccessKeyId", "ASIAEXAMPLE000000001", Arbitraries.of("", " ", "AKIA"));
        Arbitrary<String> secret = element("SecretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Arbitraries.of("", " "));
        Arbitrary<String> session = element("SessionToken", "FwoGZXIvYXdzEJr//////////wEaDEXAMPLE", Arbitraries.of("", "\n"));
        Arbitrary<String> expiration = element("Expiration", Instant.now().plus(Duration.ofHours(1)).toString(),
                Arbitraries.of(Instant.now().minus(Duration.ofHours(1)).toString(), "2026-13-45T99:99:99Z", "soon", "",
                        "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1777888999"));
        Arbitrary<String> credentials = Combinators.combine(key, secret, session, expiration)
                .as((a, b, c, d) -> "<Credentials>" + a + b + c + d + "</Credentials>");
        Arbitrary<String> success = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(credentials)), Tuple.of(1, Arbitraries.just(Arbitraries.just("")))).flatMap(x -> x)
                .map(creds -> "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        + "<AssumeRoleWithWebIdentityResult>" + creds
                        + "<SubjectFromWebIdentityToken>repo:acme/app</SubjectFromWebIdentityToken>"
                        + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>1</RequestId>"
                        + "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>");
        Arbitrary<String> error = Combinators.combine(Arbitraries.of("AccessDenied", "InvalidIdentityToken", "Throttling",
                        "IDPCommunicationError", "ExpiredTokenException", "", "Weird<>Code"),
                Arbitraries.strings().alpha().withChars(" .:'").ofMaxLength(80))
                .as((code, msg) -> "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                        + "<Type>Sender</Type><Code>" + code + "</Code><Message>" + msg + "</Message></Error>"
                        + "<RequestId>2</RequestId></ErrorResponse>");
        return Arbitraries.frequencyOf(Tuple.of(5, success), Tuple.of(1, error));
    }

    /** The element with the valid value (mostly), an odd value, empty, self-closed or absent. */
    private static Arbitrary<String> element(String name, String valid, Arbitrary<String> odd) {
        return Arbitraries.frequencyOf(Tuple.of(30, Arbitraries.just("<" + name + ">" + valid + "</" + name + ">")),
                Tuple.of(1, odd.map(v -> "<" + name + ">" + v + "</" + name + ">")),
                Tuple.of(1, Arbitraries.just("")), Tuple.of(1, Arbitraries.just("<" + name + "/>")));
    }

    private static String jwt() {
        String header = b64("{\"alg\":\"RS256\",\"kid\":\"k\"}");
        String claims = b64("{\"iss\":\"https://token.actions.githubusercontent.com\",\"sub\":\"repo:acme/app:ref:refs/heads/main\","
                + "\"aud\":\"sts.amazonaws.com\",\"exp\":4102444800,\"iat\":1777888000}");
        return header + "." + claims + ".c2lnbmF0dXJlLXByb3BlcnR5LXRlc3Q";
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

}
