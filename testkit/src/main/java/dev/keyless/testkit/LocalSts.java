package dev.keyless.testkit;

import dev.keyless.testkit.internal.aws.Provider;
import dev.keyless.testkit.internal.aws.SessionRecord;
import dev.keyless.testkit.internal.aws.StsService;
import dev.keyless.testkit.internal.http.LoopbackServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * AWS STS on loopback, speaking the Query API (form POST or GET at {@code /}) closely enough that the AWS SDK
 * cannot tell it from the real service: AssumeRoleWithWebIdentity, AssumeRole (role chaining) and
 * GetCallerIdentity, with the real XML documents and error codes.
 *
 * <p>Behind it sits a small IAM: OIDC providers ({@link #registerOidcProvider}) and roles with trust policies
 * ({@link #createRole}), evaluated as IAM does (Principal, Action, Effect with Deny winning, Condition with
 * the String operators, ForAnyValue/ForAllValues and IfExists). Web identity tokens are verified against the
 * issuer's JWKS, fetched over HTTP from loopback and cached (fetched again on an unknown {@code kid}).
 * Issued credentials are remembered; calls signed with them are checked with SigV4.
 *
 * <p>Not modeled: identity policies of the caller (an AssumeRole caller is allowed by its trust policy alone),
 * session tags, SourceIdentity, clock skew of signatures (the test clock may differ from the signer's).
 * PackedPolicySize is approximated: the session policy without white space plus 100 bytes per policy ARN,
 * against 2,048 bytes. Endpoint: {@link #endpoint()}; by default, account {@code 123456789012} and the system
 * UTC clock.
 */
public final class LocalSts implements AutoCloseable {
    /** The default account id. */
    public static final String DEFAULT_ACCOUNT = "123456789012";

    private final StsService service;
    private final LoopbackServer server;

    private LocalSts(Builder b) {
        this.service = new StsService(b.accountId, b.clock);
        this.server = LoopbackServer.start("sts", service::handle);
    }

    /** Starts an emulator with the defaults. */
    public static LocalSts start() {
        return builder().start();
    }

    /** A builder for another account id or clock. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:PORT}: pass it to {@code StsClient.builder().endpointOverride(...)}. */
    public URI endpoint() {
        return server.baseUri();
    }

    /** The account id of roles and providers. */
    public String accountId() {
        return service.accountId();
    }

    /**
     * Registers an IAM OIDC identity provider for {@code issuerUrl} (the tokens' {@code iss}, exactly) with the
     * client ids tokens' {@code aud} must contain. Keys are fetched from the issuer URL itself, which must then
     * be a loopback URL. Returns {@code arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH}.
     */
    public String registerOidcProvider(String issuerUrl, List<String> clientIds) {
        return registerOidcProvider(issuerUrl, clientIds, List.of());
    }

    /** As {@link #registerOidcProvider(String, List)}, with thumbprints (kept, not checked: IAM no longer does). */
    public String registerOidcProvider(String issuerUrl, List<String> clientIds, List<String> thumbprints) {
        Objects.requireNonNull(issuerUrl, "issuerUrl");
        return service.registerProvider(issuerUrl, List.copyOf(clientIds), List.copyOf(thumbprints), null);
    }

    /**
     * Registers a provider for a {@link LocalIssuer}'s {@code iss}, fetching its keys from where the issuer is
     * served, so that an issuer whose {@code iss} is {@code https://token.actions.githubusercontent.com} still
     * works offline. Returns the provider ARN.
     */
    public String registerOidcProvider(LocalIssuer issuer, List<String> clientIds) {
        return service.registerProvider(issuer.issuerUrl(), List.copyOf(clientIds), List.of(), issuer.url());
    }

    /** The provider ARN IAM gives an issuer URL in this account. */
    public String providerArn(String issuerUrl) {
        return "arn:aws:iam::" + accountId() + ":oidc-provider/" + Provider.hostOf(issuerUrl);
    }

    /** The condition key prefix of an issuer: its URL without {@code https://}, e.g. {@code 127.0.0.1:PORT}. */
    public static String conditionKeyPrefix(String issuerUrl) {
        return Provider.hostOf(issuerUrl);
    }

    /**
     * The trust policy GitHub's and AWS's guides give: allow {@code sts:AssumeRoleWithWebIdentity} to the provider,
     * when {@code <host>:aud} equals {@code audience} (StringEquals) and {@code <host>:sub} matches
     * {@code subjectPattern} (StringLike, e.g. {@code repo:acme/app:*}).
     */
    public static String webIdentityTrustPolicy(String providerArn, String issuerUrl, String audience,
            String subjectPattern) {
        String host = Provider.hostOf(issuerUrl);
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Federated\":\"" + providerArn + "\"},"
                + "\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"StringEquals\":{\"" + host + ":aud\":\"" + audience + "\"},"
                + "\"StringLike\":{\"" + host + ":sub\":\"" + subjectPattern + "\"}}}]}";
    }

    /** Creates a role with a trust policy (JSON) and a MaxSessionDuration of 1 hour. Returns its ARN. */
    public String createRole(String name, String trustPolicyJson) {
        return createRole(name, trustPolicyJson, Duration.ofHours(1));
    }

    /**
     * Creates (or replaces) a role. The trust policy is checked as IAM checks it at CreateRole: an
     * {@link IllegalArgumentException} says what is wrong. {@code maxSessionDuration} is 1 to 12 hours.
     */
    public String createRole(String name, String trustPolicyJson, Duration maxSessionDuration) {
        return service.createRole(name, trustPolicyJson, maxSessionDuration);
    }

    /** Replaces a role's trust policy. */
    public void updateTrustPolicy(String roleName, String trustPolicyJson) {
        service.updateTrustPolicy(roleName, trustPolicyJson);
    }

    /** Deletes a role; returns whether it existed. */
    public boolean deleteRole(String roleName) {
        return service.deleteRole(roleName);
    }

    /** The ARN of an existing role. */
    public String roleArn(String roleName) {
        return service.roleArn(roleName);
    }

    /** The trust policy of an existing role, as given. */
    public String trustPolicy(String roleName) {
        return service.trustPolicy(roleName);
    }

    /**
     * Answers the next {@code count} requests (any action) with the error {@code code}: e.g. Throttling
     * ("Rate exceeded", 400), InternalFailure (500), ServiceUnavailable (503), IDPCommunicationError (400),
     * IDPRejectedClaim (400), RegionDisabledException (403). Other codes are answered 400.
     */
    public void failNext(int count, String code) {
        Object[] known = KNOWN_FAULTS.get(code);
        failNext(count, code, known == null ? 400 : (Integer) known[0]);
    }

    /** As {@link #failNext(int, String)}, with an explicit HTTP status. */
    public void failNext(int count, String code, int status) {
        if (count < 0 || status < 400 || status > 599) {
            throw new IllegalArgumentException("failNext needs count >= 0 and a 4xx/5xx status");
        }
        Object[] known = KNOWN_FAULTS.get(code);
        String message = known == null ? "Injected fault " + code : (String) known[1];
        service.failNext(count, Objects.requireNonNull(code, "code"), message, status);
    }

    private static final Map<String, Object[]> KNOWN_FAULTS = Map.of(
            "Throttling", new Object[] {400, "Rate exceeded"},
            "InternalFailure", new Object[] {500, "An internal error occurred. Try again."},
            "ServiceUnavailable", new Object[] {503, "Service is unable to handle request."},
            "IDPCommunicationError", new Object[] {400,
                "The identity provider could not be reached to retrieve its signing keys. Retry the request."},
            "IDPRejectedClaim", new Object[] {400, "The identity provider rejected the claim."},
            "RegionDisabledException", new Object[] {403, "STS is not activated in this region for account:"
                + DEFAULT_ACCOUNT + ". Your account administrator can activate STS in this region using the IAM "
                + "Console."});

    /** Makes the issuers' keys unreachable: web identity calls fail with IDPCommunicationError until turned off. */
    public void idpUnreachable(boolean value) {
        service.idpUnreachable(value);
    }

    /** Waits {@code delay} before answering each request; {@link Duration#ZERO} turns it off. */
    public void delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        service.delay(delay);
    }

    /** Clears every fault switch. */
    public void resetFaults() {
        service.resetFaults();
    }

    /** Forgets the cached JWKS of every issuer. */
    public void clearJwksCache() {
        service.clearJwksCache();
    }

    /** Forgets every issued credential: calls signed with them then fail with InvalidClientTokenId. */
    public void revokeSessions() {
        service.revokeSessions();
    }

    /** How many requests named {@code action} (e.g. "AssumeRoleWithWebIdentity"), answered or not. */
    public int calls(String action) {
        return service.calls(action);
    }

    /** How many requests reached the emulator. */
    public int calls() {
        return service.calls();
    }

    /** Every credential issued so far, oldest first. */
    public List<StsSession> sessions() {
        List<StsSession> out = new ArrayList<>();
        for (SessionRecord r : service.sessions()) {
            out.add(new StsSession(r.accessKeyId, r.secretAccessKey, r.sessionToken, r.roleArn, r.sessionName,
                    r.assumedRoleArn, r.assumedRoleId, r.expiration, r.issuedBy, r.subject, r.durationSeconds));
        }
        return out;
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "LocalSts{" + endpoint() + ", account=" + accountId() + "}";
    }

    /** Configures a {@link LocalSts}. */
    public static final class Builder {
        private String accountId = DEFAULT_ACCOUNT;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The 12-digit account id. By default, 123456789012. */
        public Builder accountId(String accountId) {
            if (accountId == null || !accountId.matches("\\d{12}")) {
                throw dev.keyless.core.ConfigurationException.badOption("accountId",
                        "'" + accountId + "' is not a 12-digit AWS account id", "Pass 12 digits, e.g. 123456789012.");
            }
            this.accountId = accountId;
            return this;
        }

        /** The clock for token and credential expiry. By default, the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Starts serving. */
        public LocalSts start() {
            return new LocalSts(this);
        }
    }
}
