package dev.keyless.testkit;

import dev.keyless.core.IdentityToken;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Builds and signs one identity token of a {@link LocalIssuer}: the provider's claim shapes first, then what
 * the test sets ({@link #claim}, {@link #subject}, {@link #audience}...), which wins.
 *
 * <p>Times come from the issuer's clock, in whole seconds: {@code iat} = now, {@code exp} = now + lifetime,
 * unless {@link #expiredSince(Duration)}, {@link #notBeforeIn(Duration)} or {@link #issuedAt(Instant)} say
 * otherwise. By default the lifetime is the provider's (GitHub 5 minutes, the others 1 hour).
 *
 * @param <B> the concrete builder, so that calls chain
 */
public abstract class TokenBuilder<B extends TokenBuilder<B>> {
    private final LocalIssuer issuer;
    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private final Set<String> removed = new HashSet<>();
    private String iss;
    private String subject;
    private List<String> audience;
    private Duration lifetime;
    private Instant issuedAt;
    private Duration expiredSince;
    private Duration notBeforeIn;
    private boolean foreignKey;
    private String keyId;

    TokenBuilder(LocalIssuer issuer, Duration defaultLifetime) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.lifetime = defaultLifetime;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The provider's default {@code iss}. */
    String defaultIssuer(LocalIssuer issuer) {
        return issuer.issuerUrl();
    }

    /** The provider's default {@code aud} values. */
    abstract List<String> defaultAudience();

    /** The provider's default {@code sub}. */
    abstract String defaultSubject();

    /** Adds the provider's claims (not iss/sub/aud/times) in the provider's order. */
    abstract void providerClaims(Map<String, Object> claims);

    /** Whether the provider puts {@code nbf} and {@code jti} in its tokens. */
    boolean emitsNotBeforeAndJwtId() {
        return true;
    }

    /** How long before {@code iat} the provider sets {@code nbf}. */
    Duration notBeforeLead() {
        return Duration.ZERO;
    }

    /** Whether a single audience is written as a one-element array (Kubernetes) rather than a string. */
    boolean audienceAlwaysArray() {
        return false;
    }

    /** The {@code iss} claim. By default, the issuer's {@link LocalIssuer#issuerUrl()} (Google: accounts.google.com). */
    public B issuer(String iss) {
        this.iss = Objects.requireNonNull(iss, "iss");
        return self();
    }

    /** The {@code sub} claim, replacing the provider's shape. */
    public B subject(String subject) {
        this.subject = Objects.requireNonNull(subject, "subject");
        return self();
    }

    /** The {@code aud} claim: one value is written as a string, several as an array. */
    public B audience(String... audience) {
        return audience(Arrays.asList(audience));
    }

    /** The {@code aud} claim: one value is written as a string, several as an array. */
    public B audience(List<String> audience) {
        if (audience.isEmpty()) {
            throw new IllegalArgumentException("audience needs at least one value; use withoutClaim(\"aud\") to drop it");
        }
        this.audience = List.copyOf(audience);
        return self();
    }

    /** Sets any claim (a String, Number, Boolean, List or Map); it replaces the provider's value of that name. */
    public B claim(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value; use withoutClaim(name) to drop a claim");
        removed.remove(name);
        overrides.put(name, value);
        return self();
    }

    /** Leaves a claim out, even a registered one such as {@code exp} or {@code aud}. */
    public B withoutClaim(String name) {
        overrides.remove(name);
        removed.add(Objects.requireNonNull(name, "name"));
        return self();
    }

    /** {@code exp} - {@code iat}. */
    public B lifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
        }
        this.lifetime = lifetime;
        return self();
    }

    /** {@code iat}, instead of the clock's instant. */
    public B issuedAt(Instant issuedAt) {
        this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
        return self();
    }

    /** A token whose {@code exp} lies {@code ago} before now ({@code iat} = exp - lifetime). */
    public B expiredSince(Duration ago) {
        if (ago.isNegative()) {
            throw new IllegalArgumentException("expiredSince needs a positive duration: " + ago);
        }
        this.expiredSince = ago;
        return self();
    }

    /** A token not valid yet: {@code nbf} = now + {@code in}. */
    public B notBeforeIn(Duration in) {
        this.notBeforeIn = Objects.requireNonNull(in, "in");
        return self();
    }

    /** The {@code kid} header, instead of the current key's (the signature still uses the current key). */
    public B keyId(String keyId) {
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        return self();
    }

    /**
     * Signs with a throwaway key under the current {@code kid}: the token looks right, but its signature does
     * not verify against the issuer's JWKS.
     */
    public B signedWithForeignKey() {
        this.foreignKey = true;
        return self();
    }

    /** The claims this builder would sign now, in order. */
    public Map<String, Object> claims() {
        Instant now = (issuedAt != null ? issuedAt : issuer.clock().instant()).truncatedTo(ChronoUnit.SECONDS);
        Instant iat;
        Instant exp;
        if (expiredSince != null) {
            exp = now.minus(expiredSince);
            iat = exp.minus(lifetime);
        } else {
            iat = now;
            exp = now.plus(lifetime);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        if (emitsNotBeforeAndJwtId()) {
            c.put("jti", UUID.randomUUID().toString());
        }
        c.put("sub", subject != null ? subject : defaultSubject());
        List<String> aud = audience != null ? audience : defaultAudience();
        c.put("aud", aud.size() == 1 && !audienceAlwaysArray() ? aud.get(0) : new ArrayList<>(aud));
        providerClaims(c);
        c.put("iss", iss != null ? iss : defaultIssuer(issuer));
        if (notBeforeIn != null) {
            c.put("nbf", now.plus(notBeforeIn).getEpochSecond());
        } else if (emitsNotBeforeAndJwtId()) {
            c.put("nbf", iat.minus(notBeforeLead()).getEpochSecond());
        }
        c.put("exp", exp.getEpochSecond());
        c.put("iat", iat.getEpochSecond());
        c.putAll(overrides);
        c.keySet().removeAll(removed);
        return c;
    }

    /** Signs the token and returns its compact serialization (the JWT string). */
    public String mintValue() {
        return issuer.sign(claims(), foreignKey, keyId);
    }

    /** Signs the token and returns it parsed, as a token source would. */
    public IdentityToken mint() {
        return IdentityToken.parse(mintValue(), "LocalIssuer " + issuer.issuerUrl());
    }
}
