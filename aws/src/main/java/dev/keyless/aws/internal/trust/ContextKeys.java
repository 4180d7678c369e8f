package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.TrustRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a condition key to the request's values as IAM builds the request context for
 * AssumeRoleWithWebIdentity: {@code HOST/PATH:claim} is the claim of the token when HOST/PATH is the provider's
 * (keys are case-insensitive); Google's {@code :aud} is the azp claim (the aud when there is no azp) and
 * {@code :oaud} the aud; anything else comes from the request's extra context keys, or is absent.
 */
public final class ContextKeys {
    private ContextKeys() {
    }

    /** The outcome of resolving one key. */
    public record Resolved(Optional<String> claim, List<String> values, boolean iamDocumented) {
        public boolean present() {
            return !values.isEmpty();
        }
    }

    public static Resolved resolve(TrustRequest request, String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        List<String> extra = request.contextKeys().get(lower);
        if (extra != null) {
            return new Resolved(Optional.empty(), extra, true);
        }
        int colon = key.lastIndexOf(':');
        String hostPath = request.providerHostPath().orElse(null);
        if (colon <= 0 || hostPath == null) {
            return new Resolved(Optional.empty(), List.of(), false);
        }
        String prefix = key.substring(0, colon);
        String suffix = key.substring(colon + 1);
        if (!prefix.equalsIgnoreCase(hostPath)) {
            return new Resolved(Optional.empty(), List.of(), false);
        }
        Map<String, Object> claims = request.claims();
        String claim = claimName(claims, suffix);
        if (Providers.isGoogle(hostPath)) {
            if (suffix.equalsIgnoreCase("aud")) {
                claim = claims.get("azp") != null ? "azp" : "aud";
            } else if (suffix.equalsIgnoreCase("oaud")) {
                claim = "aud";
            }
        }
        return new Resolved(Optional.of(claim), Text.claimValues(claims.get(claim)),
                Providers.documentedKey(hostPath, suffix));
    }

    /** The claim a key suffix names: the exact name if the token has it, else a case-insensitive match. */
    private static String claimName(Map<String, Object> claims, String suffix) {
        if (claims.containsKey(suffix)) {
            return suffix;
        }
        for (String name : claims.keySet()) {
            if (name.equalsIgnoreCase(suffix)) {
                return name;
            }
        }
        return suffix;
    }
}
