package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import java.util.Objects;

/**
 * Returns the same identity token on every call: for tests, and for callers that obtained the token
 * themselves and will build a new source when it expires.
 *
 * <p>The token is parsed when the source is built, so a non-JWT fails at once with a
 * {@link dev.keyless.core.TokenException} that does not echo the value. The audience is fixed, so
 * {@link #supportsRequestedAudience()} is false and a request for an audience the token lacks fails (code
 * {@code token.audience-fixed}). This is the one source that does not produce a fresh token per call; expiry
 * is not checked here (the refresh engine and the cloud do that). By default, its name is {@code static}.
 * Instances are immutable and thread-safe; {@link #toString()} never shows the value.
 */
public final class StaticTokenSource implements TokenSource {
    private static final String AUDIENCE_HINT = "A static token's audience was fixed when it was minted; pass a "
            + "token minted for the requested audience.";

    private final IdentityToken token;
    private final String name;

    private StaticTokenSource(IdentityToken token, String name) {
        this.token = token;
        this.name = name;
    }

    /** A source returning the given JWT. */
    public static StaticTokenSource of(String jwt) {
        return builder().token(jwt).build();
    }

    /** A source returning the given token. */
    public static StaticTokenSource of(IdentityToken token) {
        return builder().token(token).build();
    }

    /** A builder; the token is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        FixedAudience.check(token, request, name, AUDIENCE_HINT);
        return token;
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code false}: the token, and so its audience, is fixed. */
    @Override
    public boolean supportsRequestedAudience() {
        return false;
    }

    @Override
    public String toString() {
        return "StaticTokenSource{name=" + name + ", token=" + token + "}";
    }

    /** Builds a {@link StaticTokenSource}; the token is required. */
    public static final class Builder {
        private IdentityToken token;
        private String name = "static";

        private Builder() {
        }

        /**
         * The token, as a JWT string; parsed at once.
         *
         * @throws dev.keyless.core.TokenException when it is not a JWT (the message never echoes it)
         */
        public Builder token(String jwt) {
            if (jwt == null || jwt.isBlank()) {
                throw ConfigurationException.badOption("token", "it is empty", "Pass an OIDC identity token (a JWT).");
            }
            this.token = IdentityToken.parse(jwt, "the static token");
            return this;
        }

        /** The token. */
        public Builder token(IdentityToken token) {
            if (token == null) {
                throw ConfigurationException.badOption("token", "it is null", "Pass an IdentityToken.");
            }
            this.token = token;
            return this;
        }

        /** The name in reports and errors. By default, {@code static}. */
        public Builder name(String name) {
            this.name = ConfigurationException.requireText("name", name, "Pass a short name, or leave the default.");
            return this;
        }

        /** The source. */
        public StaticTokenSource build() {
            if (token == null) {
                throw ConfigurationException.badOption("token", "it is not set", "Call token(...) with the JWT.");
            }
            return new StaticTokenSource(token, name);
        }
    }
}
