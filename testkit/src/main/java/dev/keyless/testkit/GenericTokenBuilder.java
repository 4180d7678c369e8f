package dev.keyless.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A plain OIDC token: {@code jti}, {@code sub}, {@code aud}, {@code iss}, {@code nbf}, {@code exp}, {@code iat}
 * and whatever {@link #claim} adds.
 *
 * <p>By default: {@code sub} {@code test-subject}, {@code aud} {@code keyless-test}, a 1-hour lifetime.
 */
public final class GenericTokenBuilder extends TokenBuilder<GenericTokenBuilder> {
    GenericTokenBuilder(LocalIssuer issuer) {
        super(issuer, Duration.ofHours(1));
    }

    @Override
    List<String> defaultAudience() {
        return List.of("keyless-test");
    }

    @Override
    String defaultSubject() {
        return "test-subject";
    }

    @Override
    void providerClaims(Map<String, Object> claims) {
        // Nothing beyond the registered claims.
    }
}
