package dev.keyless.gcp.internal;

import com.google.auth.oauth2.ExternalAccountSupplierContext;
import com.google.auth.oauth2.IdentityPoolSubjectTokenSupplier;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * google-auth's programmatic subject-token supplier on a Keyless {@link TokenSource}: a fresh token on every
 * exchange (google-auth calls it once per STS call, and caches the resulting access token itself).
 *
 * <p>A token that is already expired is refused here, with a diagnosis, rather than sent to STS to come back as
 * "stale to sign-in". Failures reach google-auth as an {@link IOException} (its contract) whose cause is the
 * {@link KeylessException} with the diagnosis. The claims of the last token (never its value) are kept to explain
 * an STS rejection.
 */
public final class TokenSourceSupplier implements IdentityPoolSubjectTokenSupplier {
    private static final long serialVersionUID = 1L;

    private final transient TokenSource source;
    private final transient TokenRequest request;
    private final transient Clock clock;
    private final transient AtomicReference<Map<String, Object>> lastClaims = new AtomicReference<>();
    private final transient AtomicInteger calls = new AtomicInteger();

    public TokenSourceSupplier(TokenSource source, TokenRequest request, Clock clock) {
        this.source = source;
        this.request = request;
        this.clock = clock;
    }

    @Override
    public String getSubjectToken(ExternalAccountSupplierContext context) throws IOException {
        calls.incrementAndGet();
        IdentityToken token;
        try {
            token = source.token(request);
        } catch (KeylessException e) {
            throw new SubjectTokenException(e);
        } catch (RuntimeException e) {
            throw new SubjectTokenException(new TokenException(Diagnosis.builder(
                            "The token source " + source.name() + " failed: " + e.getClass().getSimpleName())
                    .code("gcp.token-source-failed")
                    .evidence("source", source.name())
                    .build(), true, e));
        }
        lastClaims.set(token.claims());
        if (token.isExpired(clock)) {
            throw new SubjectTokenException(new TokenException(Diagnosis.builder(
                            "The identity token from " + source.name() + " expired at " + token.expiresAt().orElse(null)
                                    + ", before it could be exchanged at Google's STS.")
                    .code("gcp.stale-token")
                    .likelyCause("The source returns an old token: a token file that is no longer rotated, a variable "
                            + "set once at the start of a long job, or this machine's clock runs ahead.")
                    .evidence("source", source.name())
                    .evidence("token", token.toString())
                    .evidence("local time", clock.instant())
                    .fix("Make the source produce a fresh token for every exchange (a GitHub Actions or URL source "
                            + "mints one per call; a projected Kubernetes token file is rotated by the kubelet), and "
                            + "check the machine's clock.")
                    .build(), true));
        }
        return token.value();
    }

    /** The claims of the last token handed to google-auth (not its value), or null. */
    public Map<String, Object> lastClaims() {
        return lastClaims.get();
    }

    /** How many tokens were requested from the source. */
    public int calls() {
        return calls.get();
    }

    public String sourceName() {
        return source.name();
    }

    /** An {@link IOException} for google-auth that carries a Keyless diagnosis as its cause. */
    public static final class SubjectTokenException extends IOException {
        private static final long serialVersionUID = 1L;

        SubjectTokenException(KeylessException cause) {
            super(cause.diagnosis().problem(), cause);
        }

        public KeylessException keyless() {
            return (KeylessException) getCause();
        }
    }
}
