package dev.keyless.core;

/**
 * Produces a fresh OIDC identity token on every call.
 *
 * <p>Implementations mint or re-read the token each time (GitHub tokens live five minutes, projected
 * files rotate): caching belongs to the refresh engine, never to a source. Implementations are
 * thread-safe. Failures are {@link KeylessException}s with a diagnosis; a configuration problem is a
 * {@link ConfigurationException}, a transient one a retryable {@link TokenException}.
 */
public interface TokenSource {

    /**
     * Returns a fresh token for the request.
     *
     * @throws KeylessException when no token can be had; never returns null
     */
    IdentityToken token(TokenRequest request);

    /** A short human name for diagnostics and reports, such as {@code github-actions} or {@code file:/path}. */
    String name();

    /**
     * Whether this source can mint a token for any requested audience ({@code true}), or returns a
     * token whose audience was fixed elsewhere ({@code false}: file, environment variable).
     * By default, {@code true}.
     */
    default boolean supportsRequestedAudience() {
        return true;
    }
}
