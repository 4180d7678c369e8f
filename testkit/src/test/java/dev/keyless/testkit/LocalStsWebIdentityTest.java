package dev.keyless.testkit;

import static dev.keyless.testkit.StsAssertions.assertStsError;
import static dev.keyless.testkit.StsAssertions.stsError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.ExpiredTokenException;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.sts.model.PackedPolicyTooLargeException;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.StsException;

/** AssumeRoleWithWebIdentity through the official AWS SDK v2, against the emulator. */
class LocalStsWebIdentityTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final MutableClock clock = MutableClock.startingAt(T0);
    private LocalIssuer issuer;
    private LocalSts sts;
    private StsClient client;
    private String providerArn;
    private String roleArn;

    @BeforeEach
    void start() {
        issuer = LocalIssuer.builder().clock(clock).start();
        sts = LocalSts.builder().clock(clock).start();
        client = Sdk.anonymous(sts.endpoint());
        providerArn = sts.registerOidcProvider(issuer.issuerUrl(), List.of("sts.amazonaws.com"));
        roleArn = sts.createRole("deployer", LocalSts.webIdentityTrustPolicy(providerArn, issuer.issuerUrl(),
                "sts.amazonaws.com", "repo:acme/app:*"), Duration.ofHours(2));
    }

    @AfterEach
    void stop() {
        client.close();
        sts.close();
        issuer.close();
    }

    private String token() {
        return issuer.github().repository("acme/app").branch("main").audience("sts.amazonaws.com").mintValue();
    }

    private AssumeRoleWithWebIdentityResponse assume(String token) {
        return assume(token, b -> { });
    }

    private AssumeRoleWithWebIdentityResponse assume(String token,
            java.util.function.Consumer<AssumeRoleWithWebIdentityRequest.Builder> more) {
        return client.assumeRoleWithWebIdentity(b -> {
            b.roleArn(roleArn).roleSessionName("ci-run").webIdentityToken(token);
            more.accept(b);
        });
    }

    private static List<PolicyDescriptorType> policyArns(String... arns) {
        List<PolicyDescriptorType> out = new java.util.ArrayList<>();
        for (String arn : arns) {
            out.add(PolicyDescriptorType.builder().arn(arn).build());
        }
        return out;
    }

    @Test
    @SuppressWarnings("deprecation") // packedPolicySize(): the SDK deprecates reading it, STS still sends it
    void happyPathThenGetCallerIdentityWithTheCredentials() {
        AssumeRoleWithWebIdentityResponse r = assume(token());

        assertThat(providerArn).isEqualTo("arn:aws:iam::123456789012:oidc-provider/"
                + issuer.url().getAuthority());
        assertThat(roleArn).isEqualTo("arn:aws:iam::123456789012:role/deployer");
        assertThat(r.credentials().accessKeyId()).matches("ASIA[A-Z2-7]{16}");
        assertThat(r.credentials().secretAccessKey()).hasSize(40);
        assertThat(r.credentials().sessionToken()).startsWith("IQoJb3JpZ2luX2Vj");
        assertThat(r.credentials().expiration()).isEqualTo(T0.plusSeconds(3600));
        assertThat(r.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/deployer/ci-run");
        assertThat(r.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z0-9]{17}:ci-run");
        assertThat(r.subjectFromWebIdentityToken()).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(r.provider()).isEqualTo(providerArn);
        assertThat(r.audience()).isEqualTo("sts.amazonaws.com");
        assertThat(r.packedPolicySize()).isNull();
        assertThat(sts.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
        assertThat(sts.sessions()).singleElement().satisfies(s -> {
            assertThat(s.accessKeyId()).isEqualTo(r.credentials().accessKeyId());
            assertThat(s.subject()).isEqualTo("repo:acme/app:ref:refs/heads/main");
            assertThat(s.toString()).doesNotContain(r.credentials().secretAccessKey())
                    .doesNotContain(r.credentials().sessionToken());
        });

        try (StsClient signed = Sdk.signed(sts.endpoint(), r.credentials())) {
            GetCallerIdentityResponse id = signed.getCallerIdentity();
            assertThat(id.arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/deployer/ci-run");
            assertThat(id.account()).isEqualTo("123456789012");
            assertThat(id.userId()).isEqualTo(r.assumedRoleUser().assumedRoleId());
        }
        assertThat(sts.calls("GetCallerIdentity")).isEqualTo(1);
    }

    @Test
    void durationUpToTheRoleMaximum() {
        AssumeRoleWithWebIdentityResponse r = assume(token(), b -> b.durationSeconds(7200));
        assertThat(r.credentials().expiration()).isEqualTo(T0.plusSeconds(7200));
    }

    @Test
    void subjectTypoIsAccessDenied() {
        String typo = issuer.github().repository("acme/ap").audience("sts.amazonaws.com").mintValue();
        assertStsError(() -> assume(typo), "AccessDenied", 403,
                "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    }

    @Test
    void unknownRoleIsAccessDenied() {
        roleArn = "arn:aws:iam::123456789012:role/nope";
        assertStsError(() -> assume(token()), "AccessDenied", 403, "Not authorized");
    }

    @Test
    void malformedRoleArnIsAValidationError() {
        roleArn = "not-an-arn-but-long-enough";
        assertStsError(() -> assume(token()), "ValidationError", 400, "Request ARN is invalid");
    }

    @Test
    void wrongAudienceIsInvalidIdentityToken() {
        String wrong = issuer.github().repository("acme/app").mintValue(); // aud https://github.com/acme
        StsException e = assertStsError(() -> assume(wrong), "InvalidIdentityToken", 400, "Incorrect token audience");
        assertThat(e).isInstanceOf(InvalidIdentityTokenException.class);
    }

    @Test
    void unknownIssuerIsInvalidIdentityToken() {
        String other = issuer.github().issuer("https://gitlab.example.com").audience("sts.amazonaws.com").mintValue();
        StsException e = assertStsError(() -> assume(other), "InvalidIdentityToken", 400,
                "No OpenIDConnect provider found in your account for https://gitlab.example.com");
        assertThat(e).isInstanceOf(InvalidIdentityTokenException.class);
    }

    @Test
    void badSignatureIsInvalidIdentityToken() {
        String forged = issuer.github().repository("acme/app").audience("sts.amazonaws.com").signedWithForeignKey()
                .mintValue();
        assertThat(stsError(() -> assume(forged))).isInstanceOf(InvalidIdentityTokenException.class)
                .satisfies(e -> assertThat(e.statusCode()).isEqualTo(400));
    }

    @Test
    void notAJwtIsInvalidIdentityToken() {
        assertStsError(() -> assume("opaque-access-token"), "InvalidIdentityToken", 400, "not a valid JWT");
    }

    @Test
    void expiredTokenIsExpiredTokenException() {
        String expired = issuer.github().repository("acme/app").audience("sts.amazonaws.com")
                .expiredSince(Duration.ofSeconds(30)).mintValue();
        StsException e = assertStsError(() -> assume(expired), "ExpiredTokenException", 400,
                "Token expired: current date/time " + T0.getEpochSecond()
                        + " must be before the expiration date/time " + (T0.getEpochSecond() - 30));
        assertThat(e).isInstanceOf(ExpiredTokenException.class);
    }

    @Test
    void tokenExpiresWhenTheClockPassesExp() {
        String t = token();
        clock.advance(Duration.ofMinutes(5));
        assertThat(stsError(() -> assume(t))).isInstanceOf(ExpiredTokenException.class);
    }

    @Test
    void notYetValidTokenIsRejected() {
        String future = issuer.github().repository("acme/app").audience("sts.amazonaws.com")
                .notBeforeIn(Duration.ofMinutes(2)).mintValue();
        assertStsError(() -> assume(future), "InvalidIdentityToken", 400, "not yet valid");
    }

    @Test
    void unreachableIdentityProviderIsIdpCommunicationError() {
        sts.idpUnreachable(true);
        StsException e = assertStsError(() -> assume(token()), "IDPCommunicationError", 400, "identity provider");
        assertThat(e).isInstanceOf(IdpCommunicationErrorException.class);
        sts.idpUnreachable(false);
        assertThat(assume(token()).credentials()).isNotNull();
    }

    @Test
    void issuerDownIsIdpCommunicationError() {
        issuer.unavailable(true);
        assertThat(stsError(() -> assume(token()))).isInstanceOf(IdpCommunicationErrorException.class);
    }

    @Test
    void injectedFaultsAnswerTheRequestedCode() {
        sts.failNext(1, "IDPCommunicationError");
        assertThat(stsError(() -> assume(token()))).isInstanceOf(IdpCommunicationErrorException.class);
        sts.failNext(1, "InternalFailure");
        assertStsError(() -> assume(token()), "InternalFailure", 500, "internal error");
        assertThat(assume(token()).credentials()).isNotNull();
        assertThat(sts.calls("AssumeRoleWithWebIdentity")).isEqualTo(3);
    }

    @Test
    void sdkRetriesThrottlingAndTheCounterShowsBothCalls() {
        sts.failNext(1, "Throttling");
        try (StsClient retrying = Sdk.anonymousWithRetries(sts.endpoint())) {
            AssumeRoleWithWebIdentityResponse r = retrying.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn)
                    .roleSessionName("ci-run").webIdentityToken(token()));
            assertThat(r.credentials()).isNotNull();
        }
        assertThat(sts.calls("AssumeRoleWithWebIdentity")).isEqualTo(2);
    }

    @Test
    void durationAboveTheRoleMaximumIsAValidationError() {
        assertStsError(() -> assume(token(), b -> b.durationSeconds(7201)), "ValidationError", 400,
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    @Test
    void durationOutOfRangeIsAValidationError() {
        assertStsError(() -> assume(token(), b -> b.durationSeconds(899)), "ValidationError", 400,
                "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: "
                        + "Member must have value greater than or equal to 900");
        assertStsError(() -> assume(token(), b -> b.durationSeconds(43201)), "ValidationError", 400,
                "Member must have value less than or equal to 43200");
    }

    @Test
    void badSessionNameIsAValidationError() {
        StsException e = stsError(() -> client.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn)
                .roleSessionName("my session").webIdentityToken(token())));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("1 validation error detected: Value 'my session' "
                + "at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                + "[\\w+=,.@-]*");
        StsException tooShort = stsError(() -> client.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn)
                .roleSessionName("x").webIdentityToken(token())));
        assertThat(tooShort.awsErrorDetails().errorMessage())
                .contains("Member must have length greater than or equal to 2");
    }

    @Test
    void validationErrorsAreCountedAndJoined() {
        StsException e = stsError(() -> client.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn)
                .roleSessionName("a b").webIdentityToken(token()).durationSeconds(100)));
        assertThat(e.awsErrorDetails().errorMessage()).startsWith("2 validation errors detected: ")
                .contains("; ");
    }

    @Test
    void malformedSessionPolicyIsMalformedPolicyDocument() {
        StsException e = assertStsError(() -> assume(token(), b -> b.policy("{not json")),
                "MalformedPolicyDocument", 400, "invalid Json");
        assertThat(e).isInstanceOf(MalformedPolicyDocumentException.class);
        assertThat(stsError(() -> assume(token(), b -> b.policy("{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"))))
                .isInstanceOf(MalformedPolicyDocumentException.class);
    }

    @Test
    @SuppressWarnings("deprecation") // packedPolicySize(): the SDK deprecates reading it, STS still sends it
    void sessionPolicyReportsPackedSize() {
        String policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
                + "\"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket/*\"}]}";
        AssumeRoleWithWebIdentityResponse r = assume(token(), b -> b.policy(policy)
                .policyArns(policyArns("arn:aws:iam::aws:policy/ReadOnlyAccess")));
        assertThat(r.packedPolicySize()).isBetween(1, 100);
    }

    @Test
    void oversizedPackedPolicyIsPackedPolicyTooLarge() {
        StringBuilder actions = new StringBuilder();
        for (int i = 0; actions.length() < 1800; i++) {
            actions.append(i == 0 ? "" : ",").append("\"s3:GetObjectVersion").append(i).append('"');
        }
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" + actions
                + "],\"Resource\":\"*\"}]}";
        assertThat(policy.length()).isLessThanOrEqualTo(2048);
        StsException e = assertStsError(() -> assume(token(), b -> b.policy(policy).policyArns(policyArns(
                "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"))),
                "PackedPolicyTooLarge", 400, "Packed policy consumes");
        assertThat(e).isInstanceOf(PackedPolicyTooLargeException.class);
    }

    @Test
    void moreThanTenPolicyArnsIsAValidationError() {
        String[] eleven = new String[11];
        for (int i = 0; i < eleven.length; i++) {
            eleven[i] = "arn:aws:iam::aws:policy/Policy" + i;
        }
        assertStsError(() -> assume(token(), b -> b.policyArns(policyArns(eleven))),
                "ValidationError", 400, "at 'policyArns' failed to satisfy constraint: "
                + "Member must have length less than or equal to 10");
    }

    @Test
    void jwksIsCachedAndRefetchedOnKeyRotation() {
        assume(token());
        assume(token());
        assertThat(issuer.jwksRequests()).isEqualTo(1);

        issuer.rotateKeys();
        assertThat(assume(token()).credentials()).isNotNull(); // unknown kid: fetched again
        assertThat(issuer.jwksRequests()).isEqualTo(2);

        String oldKid = issuer.publishedKeyIds().get(1);
        String withOldKid = issuer.github().repository("acme/app").audience("sts.amazonaws.com").keyId(oldKid)
                .mintValue(); // signed by the new key under the old kid: does not verify
        assertThat(stsError(() -> assume(withOldKid))).isInstanceOf(InvalidIdentityTokenException.class);

        issuer.retireOldKeys();
        sts.clearJwksCache();
        String unknownKid = issuer.github().repository("acme/app").audience("sts.amazonaws.com").keyId(oldKid)
                .mintValue();
        assertStsError(() -> assume(unknownKid), "InvalidIdentityToken", 400,
                "Couldn't retrieve verification key from your identity provider");
    }

    @Test
    void es256IssuerIsAccepted() {
        try (LocalIssuer ec = LocalIssuer.builder().clock(clock).algorithm(SigningAlgorithm.ES256).start()) {
            String arn = sts.registerOidcProvider(ec.issuerUrl(), List.of("sts.amazonaws.com"));
            sts.createRole("ec", LocalSts.webIdentityTrustPolicy(arn, ec.issuerUrl(), "sts.amazonaws.com",
                    "system:serviceaccount:payments:*"));
            String t = ec.kubernetes().serviceAccount("payments", "api").audience("sts.amazonaws.com").mintValue();
            AssumeRoleWithWebIdentityResponse r = client.assumeRoleWithWebIdentity(b -> b
                    .roleArn(sts.roleArn("ec")).roleSessionName("pod").webIdentityToken(t));
            assertThat(r.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:payments:api");
        }
    }

    @Test
    void issuerWithGitHubsRealUrlWorksOffline() {
        try (LocalIssuer gh = LocalIssuer.builder().clock(clock).issuerUrl("https://token.actions.githubusercontent.com")
                .start()) {
            String arn = sts.registerOidcProvider(gh, List.of("sts.amazonaws.com"));
            assertThat(arn).isEqualTo("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
            sts.createRole("gh", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"Federated\":\"" + arn + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                    + "\"Condition\":{\"StringEquals\":{\"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\","
                    + "\"token.actions.githubusercontent.com:repository\":\"acme/app\"}}}]}");
            String t = gh.github().repository("acme/app").audience("sts.amazonaws.com").mintValue();
            assertThat(client.assumeRoleWithWebIdentity(b -> b.roleArn(sts.roleArn("gh")).roleSessionName("gh")
                    .webIdentityToken(t)).provider()).isEqualTo(arn);
            String other = gh.github().repository("acme/other").audience("sts.amazonaws.com").mintValue();
            assertStsError(() -> client.assumeRoleWithWebIdentity(b -> b.roleArn(sts.roleArn("gh"))
                    .roleSessionName("gh").webIdentityToken(other)), "AccessDenied", 403, "Not authorized");
        }
    }

    @Test
    void googleTokensUseAzpForAudAndOaudForAud() {
        try (LocalIssuer google = LocalIssuer.builder().clock(clock).issuerUrl("https://accounts.google.com").start()) {
            sts.registerOidcProvider(google, List.of());
            sts.createRole("g", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"Federated\":\"accounts.google.com\"},"
                    + "\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                    + "\"Condition\":{\"StringEquals\":{\"accounts.google.com:aud\":\"1111\","
                    + "\"accounts.google.com:oaud\":\"https://aws.example\"}}}]}");
            String ok = google.google().accountId("1111").audience("https://aws.example").mintValue();
            assertThat(client.assumeRoleWithWebIdentity(b -> b.roleArn(sts.roleArn("g")).roleSessionName("g1")
                    .webIdentityToken(ok)).subjectFromWebIdentityToken()).isEqualTo("1111");
            String otherAccount = google.google().accountId("2222").audience("https://aws.example").mintValue();
            assertStsError(() -> client.assumeRoleWithWebIdentity(b -> b.roleArn(sts.roleArn("g"))
                    .roleSessionName("g1").webIdentityToken(otherAccount)), "AccessDenied", 403, "Not authorized");
        }
    }

    @Test
    void queryApiAlsoAnswersGet() throws Exception {
        String query = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=get&RoleArn="
                + URLEncoder.encode(roleArn, StandardCharsets.UTF_8) + "&WebIdentityToken=" + token();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(sts.endpoint() + "/?" + query)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/xml");
        assertThat(r.body()).startsWith("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">")
                .contains("<AssumeRoleWithWebIdentityResult>", "<SubjectFromWebIdentityToken>repo:acme/app:ref:refs/heads/main<",
                        "<ResponseMetadata>", "<RequestId>");
        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(sts.endpoint() + "/?Action=Nope")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">",
                "<Type>Sender</Type>", "<Code>InvalidAction</Code>");
    }
}
