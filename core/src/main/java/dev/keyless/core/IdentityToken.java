package dev.keyless.core;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A short-lived OIDC identity token: its raw value plus the claims parsed from it.
 *
 * <p>The signature is not verified here (the cloud's token service does that); the claims are read so
 * that Keyless can explain a rejection and schedule refreshes. {@code aud} is always a list, whether
 * the JWT holds a string or an array. {@link #toString()} shows claims, never the value: reading the
 * value is the explicit call {@link #value()}.
 */
public final class IdentityToken {
    private final String value;
    private final Map<String, Object> claims;
    private final String issuer;
    private final String subject;
    private final List<String> audience;
    private final Instant expiresAt;
    private final Instant issuedAt;
    private final Instant notBefore;
    private final String algorithm;

    private IdentityToken(String value, JWT jwt, JWTClaimsSet set) {
        this.value = value;
        this.claims = Collections.unmodifiableMap(new LinkedHashMap<>(set.getClaims()));
        this.issuer = set.getIssuer();
        this.subject = set.getSubject();
        this.audience = set.getAudience() == null ? List.of() : List.copyOf(set.getAudience());
        this.expiresAt = toInstant(set.getExpirationTime());
        this.issuedAt = toInstant(set.getIssueTime());
        this.notBefore = toInstant(set.getNotBeforeTime());
        this.algorithm = jwt.getHeader().getAlgorithm() == null ? null : jwt.getHeader().getAlgorithm().getName();
    }

    /**
     * Parses a JWT. Surrounding white space is trimmed.
     *
     * @throws TokenException (not retryable) when the value is not a JWT; the message never echoes the value
     */
    public static IdentityToken parse(String value) {
        return parse(value, "the token source");
    }

    /**
     * Parses a JWT read from {@code origin} (for example "file /var/run/secrets/token"), which the error names.
     *
     * @throws TokenException (not retryable) when the value is not a JWT; the message never echoes the value
     */
    public static IdentityToken parse(String value, String origin) {
        Objects.requireNonNull(origin, "origin");
        if (value == null || value.isBlank()) {
            throw notAJwt(origin, "it is empty", 0, 0);
        }
        String trimmed = value.strip();
        int dots = (int) trimmed.chars().filter(c -> c == '.').count();
        try {
            JWT jwt = JWTParser.parse(trimmed);
            JWTClaimsSet set = jwt.getJWTClaimsSet();
            return new IdentityToken(trimmed, jwt, set);
        } catch (ParseException | RuntimeException e) {
            // The parser's message can quote the input; it is deliberately not attached as the cause.
            throw notAJwt(origin, "it does not parse as a JWT", trimmed.length(), dots);
        }
    }

    private static TokenException notAJwt(String origin, String why, int length, int dots) {
        return new TokenException(Diagnosis.builder("The identity token from " + origin + " is not a JWT: " + why + ".")
                .code("token.not-a-jwt")
                .likelyCause("The source returned something else than an OIDC identity token: an error page, an opaque "
                        + "access token, a file path, or a value cut short.")
                .evidence("length", length)
                .evidence("dot-separated parts", length == 0 ? 0 : dots + 1)
                .fix("Check that the source yields an OIDC ID token (three base64url parts separated by dots) "
                        + "and not an opaque token; `keyless token` shows what a source returns.")
                .build(), false);
    }

    private static Instant toInstant(Date date) {
        return date == null ? null : date.toInstant();
    }

    /** The raw token, to send to a token service. Never log it. */
    public String value() {
        return value;
    }

    /** The {@code iss} claim, or null. */
    public String issuer() {
        return issuer;
    }

    /** The {@code sub} claim, or null. */
    public String subject() {
        return subject;
    }

    /** The {@code aud} claim as a list (a single string becomes a one-element list); empty when absent. */
    public List<String> audience() {
        return audience;
    }

    /** The {@code exp} claim, if present. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /** The {@code iat} claim, if present. */
    public Optional<Instant> issuedAt() {
        return Optional.ofNullable(issuedAt);
    }

    /** The {@code nbf} claim, if present. */
    public Optional<Instant> notBefore() {
        return Optional.ofNullable(notBefore);
    }

    /** The JWS algorithm from the header ({@code RS256}, {@code ES256}...), or null for an unsecured JWT. */
    public String algorithm() {
        return algorithm;
    }

    /** Any claim by name, as parsed from JSON (String, Number, Boolean, List, Map), if present. */
    public Optional<Object> claim(String name) {
        return Optional.ofNullable(claims.get(name));
    }

    /** A claim as a string: strings as they are, other values in their JSON-ish text form. */
    public Optional<String> stringClaim(String name) {
        return claim(name).map(String::valueOf);
    }

    /** All claims, in token order, unmodifiable. Claims are not secret; the token value is. */
    public Map<String, Object> claims() {
        return claims;
    }

    /** Whether the token is past its {@code exp} at the clock's instant; a token without exp never expires here. */
    public boolean isExpired(Clock clock) {
        return expiresAt != null && !clock.instant().isBefore(expiresAt);
    }

    /** Time left until {@code exp} (negative once expired), or empty when the token has no exp. */
    public Optional<Duration> remaining(Clock clock) {
        return expiresAt().map(exp -> Duration.between(clock.instant(), exp));
    }

    /**
     * A short, one-way fingerprint of the value (the first 12 hex digits of its SHA-256), to tell two
     * tokens apart in diagnostics without revealing either.
     */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "IdentityToken{iss=" + issuer + ", sub=" + subject + ", aud=" + audience
                + ", exp=" + expiresAt + ", iat=" + issuedAt + ", fingerprint=" + fingerprint() + "}";
    }
}
