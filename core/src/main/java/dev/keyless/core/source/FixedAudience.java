package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import java.util.Optional;

/**
 * The check shared by sources whose token audience is set where the token is made (a file, a variable):
 * a request for another audience fails loudly instead of being silently ignored.
 */
final class FixedAudience {
    static final String CODE = "token.audience-fixed";

    private FixedAudience() {
    }

    /**
     * Throws when the request names an audience the token does not carry.
     *
     * @param whereAudienceIsSet one or two sentences saying where this source's audience is configured
     */
    static void check(IdentityToken token, TokenRequest request, String sourceName, String whereAudienceIsSet) {
        Optional<String> requested = request.audience();
        if (requested.isEmpty() || token.audience().contains(requested.get())) {
            return;
        }
        throw new ConfigurationException(Diagnosis.builder("The token from " + sourceName + " is for audience "
                        + token.audience() + ", not the requested audience '" + requested.get() + "'.")
                .code(CODE)
                .likelyCause("This source returns a token whose audience is fixed where the token is made; "
                        + "the request cannot change it, and the token was made for another audience.")
                .evidence("source", sourceName)
                .evidence("token aud", token.audience())
                .evidence("requested audience", requested.get())
                .evidence("token iss", token.issuer())
                .evidence("token sub", token.subject())
                .fix(whereAudienceIsSet + " Make it '" + requested.get()
                        + "', or request the audience the token carries.")
                .build());
    }
}
