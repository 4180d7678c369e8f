package dev.keyless.testkit.internal.aws;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.testkit.internal.http.Http;
import dev.keyless.testkit.internal.http.Request;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS STS Query API on loopback: AssumeRoleWithWebIdentity, AssumeRole (role chaining) and
 * GetCallerIdentity, with IAM's OIDC providers and roles behind them.
 */
public final class StsService {
    static final int CHAINED_MAX_SECONDS = 3600;
    static final int DEFAULT_SECONDS = 3600;
    /** The packed-policy approximation: allotted space, and what each managed policy ARN costs. */
    static final int PACKED_ALLOTTED = 2048;
    static final int PACKED_PER_ARN = 100;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/(?:[\\w+=,.@/-]*/)?([\\w+=,.@-]+)");
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature "
            + "you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation "
            + "for details.";

    private final String accountId;
    private final Clock clock;
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
    private final List<SessionRecord> issued = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final JwksCache jwks = new JwksCache();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<StsError> failure = new AtomicReference<>();
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final AtomicBoolean idpUnreachable = new AtomicBoolean();

    public StsService(String accountId, Clock clock) {
        this.accountId = accountId;
        this.clock = clock;
    }

    public String accountId() {
        return accountId;
    }

    // ---------------------------------------------------------------- registration (IAM)

    /** Registers an OIDC provider; keys are fetched from {@code discoveryBase} (the issuer URL when null). */
    public String registerProvider(String issuerUrl, List<String> clientIds, List<String> thumbprints,
            URI discoveryBase) {
        URI base = discoveryBase != null ? discoveryBase : URI.create(issuerUrl);
        Provider p = new Provider(issuerUrl, accountId, clientIds, thumbprints, base);
        providers.put(issuerUrl, p);
        jwks.clear();
        return p.arn;
    }

    public String createRole(String name, String trustPolicy, Duration maxSession) {
        if (name == null || !name.matches("[\\w+=,.@-]{1,64}")) {
            throw new IllegalArgumentException("A role name is 1 to 64 of [\\w+=,.@-]: " + name);
        }
        long max = maxSession.getSeconds();
        if (max < 3600 || max > 43200) {
            throw new IllegalArgumentException("MaxSessionDuration must be between 1 and 12 hours: " + maxSession);
        }
        PolicyDocument trust = PolicyDocument.trustPolicy(trustPolicy);
        Role role = new Role(name, "arn:aws:iam::" + accountId + ":role/" + name, "AROA" + random(ALNUM, 17),
                trust, trustPolicy, (int) max);
        roles.put(name, role);
        return role.arn;
    }

    public void updateTrustPolicy(String name, String trustPolicy) {
        Role old = roles.get(name);
        if (old == null) {
            throw new IllegalArgumentException("No role named " + name);
        }
        roles.put(name, new Role(old.name, old.arn, old.uniqueId, PolicyDocument.trustPolicy(trustPolicy),
                trustPolicy, old.maxSessionSeconds));
    }

    public boolean deleteRole(String name) {
        return roles.remove(name) != null;
    }

    public String roleArn(String name) {
        Role r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("No role named " + name);
        }
        return r.arn;
    }

    public String trustPolicy(String name) {
        Role r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("No role named " + name);
        }
        return r.trustJson;
    }

    // ---------------------------------------------------------------- faults and counters

    public void failNext(int count, String code, String message, int status) {
        failure.set(new StsError(code, message, status));
        failures.set(count);
    }

    public void delay(Duration d) {
        delay.set(d);
    }

    public void idpUnreachable(boolean value) {
        idpUnreachable.set(value);
    }

    public void resetFaults() {
        failures.set(0);
        delay.set(Duration.ZERO);
        idpUnreachable.set(false);
    }

    public void clearJwksCache() {
        jwks.clear();
    }

    public int calls(String action) {
        AtomicInteger n = calls.get(action);
        return n == null ? 0 : n.get();
    }

    public int calls() {
        int sum = 0;
        for (AtomicInteger n : calls.values()) {
            sum += n.get();
        }
        return sum;
    }

    public List<SessionRecord> sessions() {
        synchronized (issued) {
            return List.copyOf(issued);
        }
    }

    /** Forgets every issued credential: calls signed with them fail with InvalidClientTokenId. */
    public void revokeSessions() {
        sessions.clear();
    }

    // ---------------------------------------------------------------- the wire

    public void handle(Request request) throws IOException, InterruptedException {
        String requestId = UUID.randomUUID().toString();
        Map<String, List<String>> params = new LinkedHashMap<>(Http.parseForm(request.rawQuery()));
        if (request.method().equals("POST")) {
            Http.parseForm(request.bodyText()).forEach((k, v) -> params.merge(k, v, (a, b) -> {
                List<String> all = new ArrayList<>(a);
                all.addAll(b);
                return all;
            }));
        }
        String action = Http.first(params, "Action");
        calls.computeIfAbsent(action == null ? "" : action, k -> new AtomicInteger()).incrementAndGet();
        Duration d = delay.get();
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
        String body;
        try {
            if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                throw failure.get();
            }
            if (!request.method().equals("POST") && !request.method().equals("GET")) {
                throw new StsError("InvalidAction", "Only GET and POST are supported", 400);
            }
            if (action == null) {
                throw new StsError("MissingAction", "Missing Action", 400);
            }
            switch (action) {
                case "AssumeRoleWithWebIdentity":
                    body = assumeRoleWithWebIdentity(params, requestId);
                    break;
                case "AssumeRole":
                    body = assumeRole(authenticate(request), params, requestId);
                    break;
                case "GetCallerIdentity":
                    body = getCallerIdentity(authenticate(request), requestId);
                    break;
                default:
                    throw new StsError("InvalidAction",
                            "Could not find operation " + action + " for version 2011-06-15", 400);
            }
        } catch (StsError e) {
            request.respond(e.status(), "text/xml", StsXml.error(e, requestId), Map.of("x-amzn-RequestId", requestId));
            return;
        }
        request.respond(200, "text/xml", body, Map.of("x-amzn-RequestId", requestId));
    }

    // ---------------------------------------------------------------- AssumeRoleWithWebIdentity

    private String assumeRoleWithWebIdentity(Map<String, List<String>> params, String requestId)
            throws StsError, InterruptedException {
        Validation v = new Validation();
        String roleArn = v.required("roleArn", Http.first(params, "RoleArn"));
        String sessionName = v.required("roleSessionName", Http.first(params, "RoleSessionName"));
        String token = v.required("webIdentityToken", Http.first(params, "WebIdentityToken"));
        v.length("roleArn", roleArn, 20, 2048, false);
        v.length("roleSessionName", sessionName, 2, 64, false);
        v.pattern("roleSessionName", sessionName, Validation.SESSION_NAME, "[\\w+=,.@-]*");
        v.length("webIdentityToken", token, 4, 20000, true);
        Integer duration = v.duration(Http.first(params, "DurationSeconds"));
        String policy = Http.first(params, "Policy");
        List<String> policyArns = policyArns(params);
        validatePolicies(v, policy, policyArns);
        v.throwIfAny();
        Matcher arn = roleArnMatcher(roleArn);
        Integer packed = packedPolicySize(policy, policyArns);

        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token.strip());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw StsError.invalidIdentityToken(
                    "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
        }
        String iss = claims.getIssuer();
        Provider provider = iss == null ? null : providers.get(iss);
        if (provider == null) {
            throw StsError.invalidIdentityToken("No OpenIDConnect provider found in your account for " + iss);
        }
        List<String> aud = claims.getAudience() == null ? List.of() : claims.getAudience();
        String matchedAudience = null;
        for (String a : aud) {
            if (provider.clientIds.contains(a)) {
                matchedAudience = a;
                break;
            }
        }
        if (matchedAudience == null && provider.isGoogle() && provider.clientIds.isEmpty() && !aud.isEmpty()) {
            // IAM trusts Google without a client id list; the trust policy's accounts.google.com:aud decides.
            matchedAudience = aud.get(0);
        }
        if (matchedAudience == null) {
            throw StsError.invalidIdentityToken("Incorrect token audience");
        }
        verifySignature(provider, jwt);
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null) {
            throw StsError.invalidIdentityToken("The web identity token has no expiration time (exp)");
        }
        Instant exp = claims.getExpirationTime().toInstant();
        if (!now.isBefore(exp)) {
            throw new StsError("ExpiredTokenException", "Token expired: current date/time " + now.getEpochSecond()
                    + " must be before the expiration date/time " + exp.getEpochSecond(), 400);
        }
        if (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant())) {
            throw StsError.invalidIdentityToken("Token is not yet valid: current date/time " + now.getEpochSecond()
                    + " must be after the not-before date/time "
                    + claims.getNotBeforeTime().toInstant().getEpochSecond());
        }

        Role role = arn.group(1).equals(accountId) ? roles.get(arn.group(2)) : null;
        if (role == null || !role.arn.equals(roleArn)) {
            throw StsError.accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }
        List<String> principals = new ArrayList<>(List.of(provider.arn));
        if (provider.isGoogle()) {
            principals.add("accounts.google.com");
        }
        TrustRequest trust = new TrustRequest("sts:AssumeRoleWithWebIdentity", "Federated", principals);
        String host = provider.host;
        for (Map.Entry<String, Object> c : claims.getClaims().entrySet()) {
            List<String> values = contextValues(c.getValue());
            if (values != null) {
                trust.put(host + ":" + c.getKey(), values);
            }
        }
        trust.put(host + ":aud", aud);
        if (provider.isGoogle()) {
            // IAM maps accounts.google.com:aud to azp when the token has one, and :oaud to aud.
            Object azp = claims.getClaim("azp");
            trust.put(host + ":oaud", aud);
            if (azp instanceof String) {
                trust.put(host + ":aud", List.of((String) azp));
            }
        }
        trust.put("aws:FederatedProvider", List.of(provider.arn));
        trust.put("sts:RoleSessionName", List.of(sessionName));
        if (!role.trust.allows(trust)) {
            throw StsError.accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }
        int seconds = duration != null ? duration : DEFAULT_SECONDS;
        if (seconds > role.maxSessionSeconds) {
            throw StsError.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        SessionRecord s = issue(role, sessionName, seconds, "AssumeRoleWithWebIdentity", claims.getSubject());

        StsXml x = StsXml.response("AssumeRoleWithWebIdentity");
        x.element("    ", "Audience", matchedAudience);
        assumedRoleUser(x, s);
        x.element("    ", "Provider", provider.arn);
        credentials(x, s);
        x.element("    ", "SubjectFromWebIdentityToken", claims.getSubject());
        x.element("    ", "PackedPolicySize", packed == null ? null : String.valueOf(packed));
        return x.finish("AssumeRoleWithWebIdentity", requestId);
    }

    private static List<String> contextValues(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return List.of(String.valueOf(value));
        }
        if (value instanceof java.util.Date) {
            return List.of(String.valueOf(((java.util.Date) value).toInstant().getEpochSecond()));
        }
        if (value instanceof Collection) {
            List<String> out = new ArrayList<>();
            for (Object o : (Collection<?>) value) {
                if (o instanceof String || o instanceof Number || o instanceof Boolean) {
                    out.add(String.valueOf(o));
                }
            }
            return out;
        }
        return null; // nested objects are not condition keys
    }

    private void verifySignature(Provider provider, SignedJWT jwt) throws StsError, InterruptedException {
        String kid = jwt.getHeader().getKeyID();
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWKSet set = idpUnreachable.get() ? null : jwks.cached(provider.issuerUrl).orElse(null);
        JWK key = set == null ? null : find(set, kid);
        if (key == null) {
            // Unknown kid: the issuer may have rotated its keys, so fetch them again once.
            set = fetchKeys(provider);
            key = find(set, kid);
        }
        if (key == null) {
            throw StsError.invalidIdentityToken("Couldn't retrieve verification key from your identity provider,  "
                    + "please reference AssumeRoleWithWebIdentity documentation for requirements");
        }
        boolean valid;
        try {
            JWSVerifier verifier;
            if (key instanceof RSAKey && JWSAlgorithm.Family.RSA.contains(alg)) {
                verifier = new RSASSAVerifier((RSAKey) key);
            } else if (key instanceof ECKey && JWSAlgorithm.Family.EC.contains(alg)) {
                verifier = new ECDSAVerifier((ECKey) key);
            } else {
                throw StsError.invalidIdentityToken("Unsupported token signing algorithm " + alg);
            }
            valid = jwt.verify(verifier);
        } catch (JOSEException e) {
            valid = false;
        }
        if (!valid) {
            throw StsError.invalidIdentityToken("The web identity token signature could not be verified with the "
                    + "keys of the identity provider");
        }
    }

    private JWKSet fetchKeys(Provider provider) throws StsError, InterruptedException {
        if (idpUnreachable.get()) {
            throw idpError();
        }
        try {
            return jwks.fetch(provider.issuerUrl, provider.discoveryBase);
        } catch (JwksCache.Unreachable e) {
            throw idpError();
        }
    }

    private static StsError idpError() {
        return new StsError("IDPCommunicationError", "The identity provider could not be reached to retrieve its "
                + "signing keys. Retry the request.", 400);
    }

    private static JWK find(JWKSet set, String kid) {
        if (kid != null) {
            return set.getKeyByKeyId(kid);
        }
        return set.getKeys().size() == 1 ? set.getKeys().get(0) : null;
    }

    // ---------------------------------------------------------------- AssumeRole (role chaining)

    private String assumeRole(SessionRecord caller, Map<String, List<String>> params, String requestId)
            throws StsError {
        Validation v = new Validation();
        String roleArn = v.required("roleArn", Http.first(params, "RoleArn"));
        String sessionName = v.required("roleSessionName", Http.first(params, "RoleSessionName"));
        v.length("roleArn", roleArn, 20, 2048, false);
        v.length("roleSessionName", sessionName, 2, 64, false);
        v.pattern("roleSessionName", sessionName, Validation.SESSION_NAME, "[\\w+=,.@-]*");
        String externalId = Http.first(params, "ExternalId");
        v.length("externalId", externalId, 2, 1224, false);
        v.pattern("externalId", externalId, Validation.EXTERNAL_ID, "[\\w+=,.@:\\/-]*");
        Integer duration = v.duration(Http.first(params, "DurationSeconds"));
        String policy = Http.first(params, "Policy");
        List<String> policyArns = policyArns(params);
        validatePolicies(v, policy, policyArns);
        v.throwIfAny();
        Matcher arn = roleArnMatcher(roleArn);
        Integer packed = packedPolicySize(policy, policyArns);

        String denied = "User: " + caller.assumedRoleArn + " is not authorized to perform: sts:AssumeRole on resource: "
                + roleArn;
        Role role = arn.group(1).equals(accountId) ? roles.get(arn.group(2)) : null;
        if (role == null || !role.arn.equals(roleArn)) {
            throw StsError.accessDenied(denied);
        }
        List<String> principals = List.of("*", caller.roleArn, caller.assumedRoleArn,
                "arn:aws:iam::" + caller.accountId + ":root", caller.accountId);
        TrustRequest trust = new TrustRequest("sts:AssumeRole", "AWS", principals);
        trust.put("aws:PrincipalArn", List.of(caller.roleArn));
        trust.put("aws:PrincipalAccount", List.of(caller.accountId));
        trust.put("aws:PrincipalType", List.of("AssumedRole"));
        trust.put("aws:userid", List.of(caller.assumedRoleId));
        trust.put("sts:RoleSessionName", List.of(sessionName));
        if (externalId != null) {
            trust.put("sts:ExternalId", List.of(externalId));
        }
        if (!role.trust.allows(trust)) {
            throw StsError.accessDenied(denied);
        }
        int seconds = duration != null ? duration : DEFAULT_SECONDS;
        if (seconds > CHAINED_MAX_SECONDS) {
            // Every caller here holds role credentials, so every AssumeRole is role chaining.
            throw StsError.validation(
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }
        SessionRecord s = issue(role, sessionName, seconds, "AssumeRole", caller.assumedRoleArn);
        StsXml x = StsXml.response("AssumeRole");
        assumedRoleUser(x, s);
        credentials(x, s);
        x.element("    ", "PackedPolicySize", packed == null ? null : String.valueOf(packed));
        return x.finish("AssumeRole", requestId);
    }

    // ---------------------------------------------------------------- GetCallerIdentity

    private String getCallerIdentity(SessionRecord caller, String requestId) {
        StsXml x = StsXml.response("GetCallerIdentity");
        x.element("    ", "Arn", caller.assumedRoleArn);
        x.element("    ", "UserId", caller.assumedRoleId);
        x.element("    ", "Account", caller.accountId);
        return x.finish("GetCallerIdentity", requestId);
    }

    // ---------------------------------------------------------------- SigV4 authentication

    private SessionRecord authenticate(Request request) throws StsError, IOException {
        String header = request.header("Authorization").orElse(null);
        if (header == null) {
            throw new StsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
        }
        SigV4.Authorization auth = SigV4.parse(header);
        SessionRecord s = sessions.get(auth.accessKeyId);
        String token = request.header("X-Amz-Security-Token").orElse(null);
        if (s == null || token == null || !SigV4.same(token, s.sessionToken)) {
            throw new StsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
        }
        if (!clock.instant().isBefore(s.expiration)) {
            throw new StsError("ExpiredToken", "The security token included in the request is expired", 403);
        }
        String amzDate = request.header("X-Amz-Date").orElse(null);
        if (amzDate == null) {
            throw new StsError("IncompleteSignature",
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 400);
        }
        if (!auth.service.equals("sts")) {
            throw new StsError("SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ", 403);
        }
        if (!amzDate.startsWith(auth.date)) {
            throw new StsError("SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from "
                    + "ISO-8601 version of date from HTTP: '" + auth.date + "' != '" + amzDate.substring(0,
                    Math.min(8, amzDate.length())) + "', from '" + amzDate + "'.", 403);
        }
        String expected = SigV4.expectedSignature(request.method(), request.rawPath(), request.rawQuery(),
                request.headers(), request.body(), auth, amzDate, s.secretAccessKey);
        if (!SigV4.same(expected, auth.signature)) {
            throw new StsError("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403);
        }
        return s;
    }

    // ---------------------------------------------------------------- shared pieces

    private Matcher roleArnMatcher(String roleArn) throws StsError {
        Matcher m = ROLE_ARN.matcher(roleArn);
        if (!m.matches()) {
            throw StsError.validation("Request ARN is invalid");
        }
        return m;
    }

    private static List<String> policyArns(Map<String, List<String>> params) {
        Map<Integer, String> byIndex = new java.util.TreeMap<>();
        Pattern p = Pattern.compile("PolicyArns\\.member\\.(\\d+)\\.arn");
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            Matcher m = p.matcher(e.getKey());
            if (m.matches() && !e.getValue().isEmpty()) {
                byIndex.put(Integer.parseInt(m.group(1)), e.getValue().get(0));
            }
        }
        return new ArrayList<>(byIndex.values());
    }

    private static void validatePolicies(Validation v, String policy, List<String> policyArns) {
        v.length("policy", policy, 1, 2048, false);
        v.pattern("policy", policy, Validation.POLICY_CHARS, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
        v.listSize("policyArns", policyArns, 10);
        for (String a : policyArns) {
            v.length("policyArns.member.arn", a, 20, 2048, false);
        }
    }

    /**
     * Checks the session policy and returns the packed size in percent, or null when there is nothing to pack.
     * The approximation: the policy without white space (re-serialized compactly) plus 100 bytes per managed
     * policy ARN, against 2,048 bytes of allotted space.
     */
    private static Integer packedPolicySize(String policy, List<String> policyArns) throws StsError {
        if (policy == null && policyArns.isEmpty()) {
            return null;
        }
        int bytes = 0;
        if (policy != null) {
            PolicyDocument.sessionPolicy(policy);
            try {
                bytes += JSONObjectUtils.toJSONString(JSONObjectUtils.parse(policy)).length();
            } catch (ParseException e) {
                throw new StsError("MalformedPolicyDocument", "This policy contains invalid Json", 400);
            }
        }
        bytes += PACKED_PER_ARN * policyArns.size();
        int percent = (int) Math.ceil(100.0 * bytes / PACKED_ALLOTTED);
        if (percent > 100) {
            throw new StsError("PackedPolicyTooLarge",
                    "Packed policy consumes " + percent + "% of allotted space, please use smaller policy.", 400);
        }
        return percent;
    }

    private SessionRecord issue(Role role, String sessionName, int seconds, String action, String subject) {
        Instant expiration = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(seconds);
        SessionRecord s = new SessionRecord("ASIA" + random(BASE32, 16), random(B64, 40),
                "IQoJb3JpZ2luX2VjE" + random(B64, 383), role.arn, role.name, sessionName, accountId, role.uniqueId,
                expiration, action, subject, seconds);
        sessions.put(s.accessKeyId, s);
        issued.add(s);
        return s;
    }

    private static void assumedRoleUser(StsXml x, SessionRecord s) {
        x.open("    ", "AssumedRoleUser");
        x.element("      ", "AssumedRoleId", s.assumedRoleId);
        x.element("      ", "Arn", s.assumedRoleArn);
        x.close("    ", "AssumedRoleUser");
    }

    private static void credentials(StsXml x, SessionRecord s) {
        x.open("    ", "Credentials");
        x.element("      ", "AccessKeyId", s.accessKeyId);
        x.element("      ", "SecretAccessKey", s.secretAccessKey);
        x.element("      ", "SessionToken", s.sessionToken);
        x.element("      ", "Expiration", StsXml.timestamp(s.expiration));
        x.close("    ", "Credentials");
    }

    private static String random(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static final class Role {
        final String name;
        final String arn;
        final String uniqueId;
        final PolicyDocument trust;
        final String trustJson;
        final int maxSessionSeconds;

        Role(String name, String arn, String uniqueId, PolicyDocument trust, String trustJson, int maxSessionSeconds) {
            this.name = name;
            this.arn = arn;
            this.uniqueId = uniqueId;
            this.trust = trust;
            this.trustJson = trustJson;
            this.maxSessionSeconds = maxSessionSeconds;
        }
    }
}
