package dev.keyless.core;

import java.util.Objects;
import java.util.Optional;

/**
 * What a caller asks of a {@link TokenSource}: for now, the audience the token must carry.
 *
 * <p>An empty audience lets the source use its own default (GitHub Actions' default is the repository
 * owner's URL). Sources whose audience is fixed elsewhere (a projected token file, a GitLab
 * {@code id_tokens} variable) check the token they read against the requested audience and say so when
 * it differs, rather than silently ignoring the request.
 */
public final class TokenRequest {
    private static final TokenRequest DEFAULT = new TokenRequest(null);

    private final String audience;

    private TokenRequest(String audience) {
        this.audience = audience;
    }

    /** A request for the given audience, for example {@code sts.amazonaws.com}. */
    public static TokenRequest forAudience(String audience) {
        Objects.requireNonNull(audience, "audience");
        if (audience.isBlank()) {
            throw ConfigurationException.badOption("audience", "it is blank",
                    "Pass the audience the cloud expects, e.g. sts.amazonaws.com, or use TokenRequest.sourceDefault().");
        }
        return new TokenRequest(audience);
    }

    /** A request that leaves the audience to the source. */
    public static TokenRequest sourceDefault() {
        return DEFAULT;
    }

    /** The requested audience, if any. */
    public Optional<String> audience() {
        return Optional.ofNullable(audience);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenRequest && Objects.equals(audience, ((TokenRequest) o).audience);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(audience);
    }

    @Override
    public String toString() {
        return "TokenRequest{audience=" + (audience == null ? "(source default)" : audience) + "}";
    }
}
