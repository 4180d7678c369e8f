package dev.keyless.aws.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.keyless.aws.ChainedRoleCredentialsProvider;
import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.reliability.FaultServer;
import dev.keyless.core.source.ClientCredentialsTokenSource;
import dev.keyless.core.source.GitHubActionsTokenSource;
import dev.keyless.core.source.StaticTokenSource;
import dev.keyless.core.source.UrlTokenSource;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalSts;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.StsSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;

/**
 * Secret hygiene across core's token sources and the AWS providers: canary values for an identity token, a secret
 * access key, a session token, a client secret, a client assertion, a private key and a GitHub request token are
 * pushed through the happy paths and the failure paths (including endpoints that echo the request back), and must
 * never appear in a captured log line (every level, with throwables), an exception message or diagnosis (causes
 * included), or a {@code toString()} of the objects involved.
 *
 * <p>Each test collects every text it can see into {@link #texts} and registers every secret in {@link #secrets};
 * {@link #noSecretAnywhere()} checks them all, and the suite-wide leak guard checks the logs again.
 */
class SecretHygieneTest {
    /**
     * Third-party DEBUG dumps that carry secrets by design, switched off for these tests: the HTTP clients' wire and
     * header logs (the raw bytes and headers on the connection, request and response bodies included) and the AWS SDK's SigV4 signer, whose
     * canonical request holds the x-amz-security-token header. Both are traffic captures a user turns on
     * deliberately (as with curl -v), outside Keyless's control. Every other logger, at every level, is checked.
     */
    private static final java.util.List<String> SECRET_DUMPING_LOGGERS = java.util.List.of(
            "org.apache.hc.client5.http.wire", "org.apache.hc.client5.http.headers", "org.apache.http.wire",
            "org.apache.http.headers",
            "software.amazon.awssdk.http.auth.aws.internal.signer");

    private final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-05-04T10:00:00Z"));
    private final List<String> secrets = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ListAppender<ILoggingEvent> logs;
    private Logger root;
    private Level rootLevel;

    @BeforeEach
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        // Everything, from every library, at every level: a secret in a DEBUG line is a leak too.
        root.setLevel(Level.ALL);
        for (String name : SECRET_DUMPING_LOGGERS) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.OFF);
        }
        logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void noSecretAnywhere() throws Exception {
        root.detachAppender(logs);
        root.setLevel(rootLevel);
        for (String name : SECRET_DUMPING_LOGGERS) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(null);
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        List<String> all = new ArrayList<>(texts);
        List<String> origin = new ArrayList<>();
        texts.forEach(t -> origin.add("an exception or toString"));
        for (ILoggingEvent e : logs.list) {
            all.add(e.getFormattedMessage());
            origin.add("a " + e.getLevel() + " line of " + e.getLoggerName());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                all.add(t.getClassName() + ": " + t.getMessage());
                origin.add("a throwable logged by " + e.getLoggerName());
            }
        }
        assertThat(secrets).as("the test registered its canaries").isNotEmpty();
        assertThat(all).as("the test captured what it checks").isNotEmpty();
        for (String secret : secrets) {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i) != null && all.get(i).contains(secret)) {
                    // Say which text, never the secret.
                    throw new AssertionError("A secret (" + secret.length() + " characters) appeared in "
                            + origin.get(i));
                }
            }
        }
    }

    private String secret(String value) {
        secrets.add(LeakGuard.secret(value));
        return value;
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    /** Every text a throwable shows: message, toString and diagnosis, of it and each cause and suppressed one. */
    private void seeFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            texts.add(String.valueOf(c.getMessage()));
            texts.add(c.toString());
            if (c instanceof KeylessException) {
                texts.add(((KeylessException) c).diagnosis().render());
                texts.add(String.valueOf(((KeylessException) c).diagnosis().evidence()));
            }
            for (Throwable s : c.getSuppressed()) {
                seeFailure(s);
            }
        }
    }

    private void seeFailureOf(Runnable call) {
        Throwable thrown = null;
        try {
            call.run();
        } catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).as("the call was expected to fail").isNotNull();
        seeFailure(thrown);
    }

    private void see(Object... objects) {
        for (Object o : objects) {
            texts.add(String.valueOf(o));
        }
    }

    /** A token source that registers every token it hands out as a secret. */
    private TokenSource recording(TokenSource delegate) {
        return new TokenSource() {
            @Override
            public IdentityToken token(TokenRequest request) {
                IdentityToken t = delegate.token(request);
                secret(t.value());
                see(t);
                return t;
            }

            @Override
            public String name() {
                return delegate.name();
            }
        };
    }

    private LocalCloud cloud() {
        LocalCloud cloud = closeLater(LocalCloud.builder().clock(clock).defaultSetup(true).start());
        secret(cloud.github().requestToken());
        return cloud;
    }

    private void registerIssued(LocalCloud cloud) {
        for (StsSession s : cloud.sts().sessions()) {
            secret(s.secretAccessKey());
            secret(s.sessionToken());
        }
    }

    @Test
    void awsCredentialsAndTokensStayOutOfEverythingOnTheHappyPath() {
        LocalCloud cloud = cloud();
        GitHubActionsTokenSource github = GitHubActionsTokenSource.builder()
                .environment(Environment.of(cloud.githubEnvironment())).build();
        WebIdentityCredentialsProvider web = closeLater(WebIdentityCredentialsProvider.builder()
                .roleArn(cloud.demoRoleArn()).tokenSource(recording(github)).region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint()).clock(clock).build());
        String second = cloud.sts().createRole("chained", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + cloud.demoRoleArn() + "\"},\"Action\":\"sts:AssumeRole\"}]}");
        ChainedRoleCredentialsProvider chained = closeLater(ChainedRoleCredentialsProvider.builder().source(web)
                .roleArn(second).roleSessionName("chained").region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint()).clock(clock).build());

        AwsCredentials direct = web.resolveCredentials();
        AwsCredentials chainedCredentials = chained.resolveCredentials();
        registerIssued(cloud);
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(5);
        see(web, chained, github, direct, chainedCredentials, Expiring.of(direct, clock.instant()));
    }

    @Test
    void stsFailuresNeverRepeatTheTokenOrCredentials() {
        LocalCloud cloud = cloud();
        GitHubActionsTokenSource github = GitHubActionsTokenSource.builder()
                .environment(Environment.of(cloud.githubEnvironment())).build();
        String typo = LocalSts.webIdentityTrustPolicy(cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(),
                "sts.amazonaws.com", "repo:keyless-dev/dmeo:*");
        String denied = cloud.sts().createRole("typo", typo);
        WebIdentityCredentialsProvider accessDenied = closeLater(WebIdentityCredentialsProvider.builder()
                .roleArn(denied).tokenSource(recording(github)).region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint()).clock(clock).build());
        seeFailureOf(accessDenied::resolveCredentials);

        // A token STS cannot verify (signed with a key the issuer never published).
        String foreign = secret(cloud.issuer().github().repository(LocalCloud.DEMO_REPOSITORY).audience("sts.amazonaws.com")
                .signedWithForeignKey().mintValue());
        WebIdentityCredentialsProvider invalid = closeLater(WebIdentityCredentialsProvider.builder()
                .roleArn(cloud.demoRoleArn()).tokenSource(StaticTokenSource.of(foreign)).region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint()).clock(clock).maxAttempts(1).build());
        seeFailureOf(invalid::resolveCredentials);
        see(invalid, StaticTokenSource.of(foreign), IdentityToken.parse(foreign));

        // Transient failures, retried and logged at DEBUG and WARN.
        cloud.sts().failNext(10, "IDPCommunicationError");
        WebIdentityCredentialsProvider transientFailure = closeLater(WebIdentityCredentialsProvider.builder()
                .roleArn(cloud.demoRoleArn()).tokenSource(recording(github)).region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint()).clock(clock).maxAttempts(2).build());
        seeFailureOf(transientFailure::resolveCredentials);
        cloud.sts().resetFaults();
    }

    @Test
    void forgedStsCredentialsStayOutOfToStringsAndRefreshFailureLogs() throws Exception {
        String accessKey = "ASIACANARY0000000001";
        String secretKey = secret("canary/SecretAccessKey/wJalrXUtnFEMI/K7MDENG/bPxRfiCY");
        String sessionToken = secret("canary-SessionToken-FwoGZXIvYXdzEJr//////////wEaDOxQ8Jy1WlZ");
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        FaultServer sts = closeLater(FaultServer.start(FaultServer.respond(200, "text/xml",
                "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        + "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>" + accessKey + "</AccessKeyId>"
                        + "<SecretAccessKey>" + secretKey + "</SecretAccessKey><SessionToken>" + sessionToken
                        + "</SessionToken><Expiration>" + expiry + "</Expiration></Credentials>"
                        + "<SubjectFromWebIdentityToken>repo:acme/app:ref:refs/heads/main</SubjectFromWebIdentityToken>"
                        + "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/app/s</Arn>"
                        + "<AssumedRoleId>AROACANARY:s</AssumedRoleId></AssumedRoleUser>"
                        + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                        + "</AssumeRoleWithWebIdentityResponse>")));
        String token = secret(canaryJwt());
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        toClose.add(executor::shutdownNow);
        WebIdentityCredentialsProvider p = closeLater(WebIdentityCredentialsProvider.builder()
                .roleArn("arn:aws:iam::123456789012:role/app").tokenSource(StaticTokenSource.of(token))
                .roleSessionName("hygiene").region(Region.US_EAST_1).stsEndpoint(sts.uri()).clock(clock)
                .executor(executor).maxAttempts(1).build());

        AwsCredentials credentials = p.resolveCredentials();
        assertThat(credentials.secretAccessKey()).isEqualTo(secretKey);
        assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo(sessionToken);
        see(p, credentials);

        // STS now refuses: the background refresh fails (a WARN line), then the credentials expire (an exception).
        sts.behave(FaultServer.respond(403, "text/xml", "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform "
                + "sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>2</RequestId></ErrorResponse>"));
        clock.set(expiry.minus(Duration.ofMinutes(4)));
        assertThat(p.resolveCredentials()).isSameAs(credentials);
        executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
        clock.set(expiry.plusSeconds(1));
        seeFailureOf(p::resolveCredentials);
        assertThat(logs.list).as("the failed refresh was logged").anyMatch(e -> e.getLevel() == Level.WARN);
    }

    @Test
    void theGitHubRequestTokenStaysOutEvenWhenAProxyEchoesTheRequest() {
        String requestToken = secret("canary-ACTIONS_ID_TOKEN_REQUEST_TOKEN-7c1e0f4b2d");
        FaultServer proxy = closeLater(FaultServer.start(FaultServer.echo(200, "text/html")));
        GitHubActionsTokenSource source = GitHubActionsTokenSource.builder()
                .requestUrl(proxy.uri() + "/_apis/token?api-version=2.0").requestToken(requestToken)
                .maxAttempts(1).build();
        seeFailureOf(() -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));
        assertThat(proxy.lastRequest().orElseThrow().headers().get("authorization")).contains(requestToken);

        for (int status : new int[] {401, 403, 404, 500}) {
            proxy.behave(FaultServer.echo(status, "application/json"));
            seeFailureOf(() -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));
        }
        see(source);
    }

    @Test
    void clientSecretsAssertionsKeysAndSubjectTokensStayOut() throws Exception {
        String clientSecret = secret("canary-client-secret-9f8e7d6c5b4a");
        FaultServer idp = closeLater(FaultServer.start(FaultServer.echo(200, "text/html")));
        ClientCredentialsTokenSource basic = ClientCredentialsTokenSource.builder()
                .tokenEndpoint(idp.uri() + "/oauth2/token").clientId("keyless-ci").clientSecret(clientSecret)
                .maxAttempts(1).build();
        seeFailureOf(() -> basic.token(TokenRequest.forAudience("api://keyless")));
        String authorization = idp.lastRequest().orElseThrow().headers().get("authorization");
        secret(authorization.substring("Basic ".length()));
        ClientCredentialsTokenSource post = ClientCredentialsTokenSource.builder()
                .tokenEndpoint(idp.uri() + "/oauth2/token").clientId("keyless-ci").clientSecret(clientSecret)
                .clientAuthMethod(ClientCredentialsTokenSource.ClientAuthMethod.CLIENT_SECRET_POST)
                .maxAttempts(1).build();
        idp.behave(FaultServer.echo(401, "text/html"));
        seeFailureOf(() -> post.token(TokenRequest.forAudience("api://keyless")));
        idp.behave(FaultServer.respond(401, "application/json",
                "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed.\"}"));
        seeFailureOf(() -> post.token(TokenRequest.forAudience("api://keyless")));

        // private_key_jwt: the assertion the provider receives is captured, and must not come back anywhere.
        RSAKey key = new RSAKeyGenerator(2048).keyID("canary-key").generate();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.toPrivateKey().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        secret(Base64.getEncoder().encodeToString(key.toPrivateKey().getEncoded()).substring(0, 64));
        ClientCredentialsTokenSource jwt = ClientCredentialsTokenSource.builder()
                .tokenEndpoint(idp.uri() + "/oauth2/token").clientId("keyless-ci").privateKeyPem(pem)
                .maxAttempts(1).build();
        idp.behave(FaultServer.respond(400, "application/json",
                "{\"error\":\"invalid_client\",\"error_description\":\"The client assertion is not valid.\"}"));
        seeFailureOf(() -> jwt.token(TokenRequest.forAudience("api://keyless")));
        String assertion = form(idp.lastRequest().orElseThrow().bodyText()).get("client_assertion");
        assertThat(assertion).as("a client assertion was sent").isNotBlank();
        secret(assertion);
        idp.behave(FaultServer.echo(200, "text/html"));
        seeFailureOf(() -> jwt.token(TokenRequest.forAudience("api://keyless")));
        secret(form(idp.lastRequest().orElseThrow().bodyText()).get("client_assertion"));

        // RFC 8693 token exchange: the subject token is a secret too.
        String subject = secret(canaryJwt());
        ClientCredentialsTokenSource exchange = ClientCredentialsTokenSource.builder()
                .tokenEndpoint(idp.uri() + "/oauth2/token").clientId("keyless-ci")
                .clientAuthMethod(ClientCredentialsTokenSource.ClientAuthMethod.NONE)
                .tokenExchange(StaticTokenSource.of(subject)).maxAttempts(1).build();
        seeFailureOf(() -> exchange.token(TokenRequest.forAudience("api://keyless")));
        idp.behave(FaultServer.respond(400, "application/json", "{\"error\":\"invalid_grant\"}"));
        seeFailureOf(() -> exchange.token(TokenRequest.forAudience("api://keyless")));
        see(basic, post, jwt, exchange);
    }

    @Test
    void aValueThatIsNotAJwtIsNeverRepeated() {
        String notAJwt = secret("canary-opaque-access-token-0a1b2c3d4e5f");
        seeFailureOf(() -> IdentityToken.parse(notAJwt));
        seeFailureOf(() -> IdentityToken.parse(notAJwt + "." + notAJwt + "." + notAJwt));
        FaultServer url = closeLater(FaultServer.start(FaultServer.respond(200, "application/json",
                "{\"token\":\"" + notAJwt + "\"}")));
        UrlTokenSource source = UrlTokenSource.builder().url(url.uri() + "/token").tokenField("token").build();
        seeFailureOf(() -> source.token(TokenRequest.sourceDefault()));
        see(source);
        assertThatThrownBy(() -> IdentityToken.parse(notAJwt)).isInstanceOf(KeylessException.class);
    }

    private static String canaryJwt() {
        Supplier<String> part = () -> Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"https://issuer.example\",\"sub\":\"canary\",\"aud\":\"sts.amazonaws.com\",\"exp\":4102444800,"
                        + "\"jti\":\"" + System.nanoTime() + "\"}").getBytes());
        return Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"RS256\",\"kid\":\"k\"}".getBytes())
                + "." + part.get() + ".c2lnbmF0dXJlLWNhbmFyeQ";
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
