package dev.keyless.testkit;

import static dev.keyless.testkit.StsAssertions.assertStsError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Calls signed (SigV4) with issued credentials: GetCallerIdentity and AssumeRole (role chaining). */
class LocalStsSignedCallsTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final MutableClock clock = MutableClock.startingAt(T0);
    private LocalIssuer issuer;
    private LocalSts sts;
    private Credentials webIdentity;
    private String deployerArn;

    @BeforeEach
    void start() {
        issuer = LocalIssuer.builder().clock(clock).start();
        sts = LocalSts.builder().clock(clock).start();
        String provider = sts.registerOidcProvider(issuer.issuerUrl(), List.of("sts.amazonaws.com"));
        deployerArn = sts.createRole("deployer", LocalSts.webIdentityTrustPolicy(provider, issuer.issuerUrl(),
                "sts.amazonaws.com", "repo:acme/app:*"));
        String token = issuer.github().repository("acme/app").audience("sts.amazonaws.com").mintValue();
        try (StsClient anonymous = Sdk.anonymous(sts.endpoint())) {
            webIdentity = anonymous.assumeRoleWithWebIdentity(b -> b.roleArn(deployerArn).roleSessionName("ci")
                    .webIdentityToken(token)).credentials();
        }
    }

    @AfterEach
    void stop() {
        sts.close();
        issuer.close();
    }

    private String trustAws(String principalJson) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + principalJson + "},\"Action\":\"sts:AssumeRole\"}]}";
    }

    @Test
    void tamperedSecretIsSignatureDoesNotMatch() {
        String secret = webIdentity.secretAccessKey();
        String tampered = (secret.charAt(0) == 'A' ? "B" : "A") + secret.substring(1);
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity.accessKeyId(), tampered, webIdentity.sessionToken())) {
            assertStsError(c::getCallerIdentity, "SignatureDoesNotMatch", 403,
                    "The request signature we calculated does not match the signature you provided.");
        }
    }

    @Test
    void expiredCredentialsAreExpiredToken() {
        clock.advance(Duration.ofHours(1));
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            assertStsError(c::getCallerIdentity, "ExpiredToken", 403,
                    "The security token included in the request is expired");
        }
    }

    @Test
    void credentialsWorkUntilTheyExpire() {
        clock.advance(Duration.ofMinutes(59));
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            assertThat(c.getCallerIdentity().arn()).endsWith(":assumed-role/deployer/ci");
        }
    }

    @Test
    void unknownKeyOrWrongSessionTokenIsInvalidClientTokenId() {
        try (StsClient c = Sdk.signed(sts.endpoint(), "ASIAAAAAAAAAAAAAAAAA", webIdentity.secretAccessKey(),
                webIdentity.sessionToken())) {
            assertStsError(c::getCallerIdentity, "InvalidClientTokenId", 403,
                    "The security token included in the request is invalid.");
        }
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity.accessKeyId(), webIdentity.secretAccessKey(),
                webIdentity.sessionToken() + "x")) {
            assertStsError(c::getCallerIdentity, "InvalidClientTokenId", 403, "invalid");
        }
        sts.revokeSessions();
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            assertStsError(c::getCallerIdentity, "InvalidClientTokenId", 403, "invalid");
        }
    }

    @Test
    void unsignedCallIsMissingAuthenticationToken() {
        try (StsClient c = Sdk.anonymous(sts.endpoint())) {
            assertStsError(c::getCallerIdentity, "MissingAuthenticationToken", 403, "missing Authentication Token");
        }
    }

    @Test
    void roleChainingWithTheCallersRoleAsPrincipal() {
        String target = sts.createRole("reader", trustAws("\"" + deployerArn + "\""), Duration.ofHours(12));
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            AssumeRoleResponse r = c.assumeRole(b -> b.roleArn(target).roleSessionName("chained"));
            assertThat(r.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/reader/chained");
            assertThat(r.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z0-9]{17}:chained");
            assertThat(r.credentials().expiration()).isEqualTo(T0.plusSeconds(3600));
            try (StsClient chained = Sdk.signed(sts.endpoint(), r.credentials())) {
                assertThat(chained.getCallerIdentity().arn())
                        .isEqualTo("arn:aws:sts::123456789012:assumed-role/reader/chained");
            }
        }
        assertThat(sts.sessions()).extracting(StsSession::action)
                .containsExactly("AssumeRoleWithWebIdentity", "AssumeRole");
        assertThat(sts.sessions().get(1).subject()).isEqualTo("arn:aws:sts::123456789012:assumed-role/deployer/ci");
    }

    @Test
    void chainedSessionsAreCappedAtOneHour() {
        String target = sts.createRole("reader", trustAws("\"" + deployerArn + "\""), Duration.ofHours(12));
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            assertStsError(() -> c.assumeRole(b -> b.roleArn(target).roleSessionName("chained").durationSeconds(3601)),
                    "ValidationError", 400,
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
            assertThat(c.assumeRole(b -> b.roleArn(target).roleSessionName("c1").durationSeconds(900)).credentials()
                    .expiration()).isEqualTo(T0.plusSeconds(900));
        }
    }

    @Test
    void accountRootAndPrincipalListsAreAccepted() {
        String root = sts.createRole("root-trust", trustAws("\"arn:aws:iam::123456789012:root\""));
        String list = sts.createRole("list-trust", trustAws("[\"arn:aws:iam::123456789012:role/other\",\""
                + deployerArn + "\"]"));
        String bareAccount = sts.createRole("account-trust", trustAws("\"123456789012\""));
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            for (String arn : List.of(root, list, bareAccount)) {
                assertThat(c.assumeRole(b -> b.roleArn(arn).roleSessionName("s1")).credentials()).isNotNull();
            }
        }
    }

    @Test
    void otherPrincipalIsAccessDenied() {
        String target = sts.createRole("reader", trustAws("\"arn:aws:iam::123456789012:role/someone-else\""));
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            assertStsError(() -> c.assumeRole(b -> b.roleArn(target).roleSessionName("chained")), "AccessDenied", 403,
                    "User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: "
                            + "sts:AssumeRole on resource: " + target);
            assertStsError(() -> c.assumeRole(b -> b.roleArn("arn:aws:iam::123456789012:role/missing")
                    .roleSessionName("x1")), "AccessDenied", 403, "is not authorized to perform: sts:AssumeRole");
        }
    }

    @Test
    void externalIdCondition() {
        String target = sts.createRole("ext", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + deployerArn + "\"},\"Action\":\"sts:AssumeRole\","
                + "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"abc-123\"}}}]}");
        try (StsClient c = Sdk.signed(sts.endpoint(), webIdentity)) {
            assertThat(c.assumeRole(b -> b.roleArn(target).roleSessionName("s1").externalId("abc-123")).credentials())
                    .isNotNull();
            assertStsError(() -> c.assumeRole(b -> b.roleArn(target).roleSessionName("s1")), "AccessDenied", 403,
                    "not authorized");
        }
    }
}
