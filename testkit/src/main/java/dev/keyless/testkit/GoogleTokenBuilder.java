package dev.keyless.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Google-signed ID token of a service account: {@code iss} {@code https://accounts.google.com}, {@code sub}
 * the numeric account id, {@code azp} (the same id), {@code email}, {@code email_verified}. Google writes no
 * {@code nbf} or {@code jti}.
 *
 * <p>By default: service account {@code keyless-demo@keyless-dev.iam.gserviceaccount.com}, an account id
 * derived from the email, {@code aud} {@code https://keyless.dev}, a 1-hour lifetime. Verifiers that fetch
 * Google's keys must be pointed at this issuer (see {@link LocalSts#registerOidcProvider(LocalIssuer, List)}
 * with an issuer built with {@code issuerUrl("https://accounts.google.com")}).
 */
public final class GoogleTokenBuilder extends TokenBuilder<GoogleTokenBuilder> {
    /** Google's issuer. */
    public static final String GOOGLE_ISSUER = "https://accounts.google.com";

    private String email = "keyless-demo@keyless-dev.iam.gserviceaccount.com";
    private String accountId;
    private String azp;

    GoogleTokenBuilder(LocalIssuer issuer) {
        super(issuer, Duration.ofHours(1));
    }

    /** The service account's email. */
    public GoogleTokenBuilder serviceAccount(String email) {
        this.email = Objects.requireNonNull(email, "email");
        return this;
    }

    /** The numeric account id ({@code sub}). By default, derived from the email (21 digits). */
    public GoogleTokenBuilder accountId(String accountId) {
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        return this;
    }

    /** {@code azp}. By default, the account id. */
    public GoogleTokenBuilder authorizedParty(String azp) {
        this.azp = Objects.requireNonNull(azp, "azp");
        return this;
    }

    private String accountIdValue() {
        return accountId != null ? accountId : Ids.numeric("google:" + email, 21);
    }

    @Override
    String defaultIssuer(LocalIssuer issuer) {
        return GOOGLE_ISSUER;
    }

    @Override
    boolean emitsNotBeforeAndJwtId() {
        return false;
    }

    @Override
    List<String> defaultAudience() {
        return List.of("https://keyless.dev");
    }

    @Override
    String defaultSubject() {
        return accountIdValue();
    }

    @Override
    void providerClaims(Map<String, Object> c) {
        c.put("azp", azp != null ? azp : accountIdValue());
        c.put("email", email);
        c.put("email_verified", Boolean.TRUE);
    }
}
