package dev.keyless.aws.internal.trust;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Identity provider names: IAM OIDC provider ARNs, issuer host-and-path forms, and IAM's per-provider keys. */
public final class Providers {
    /** Google's issuer host, for which IAM maps {@code :aud} to the azp claim and {@code :oaud} to aud. */
    public static final String GOOGLE = "accounts.google.com";
    /** Cognito identity pools' issuer host. */
    public static final String COGNITO = "cognito-identity.amazonaws.com";

    private static final Pattern ARN =
            Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):oidc-provider/(\\S+)");

    /** The providers IAM knows without an IAM OIDC provider resource (a Federated principal is just the host). */
    private static final Set<String> BUILT_IN = Set.of(GOOGLE, COGNITO, "www.amazon.com", "graph.facebook.com");

    private Providers() {
    }

    /** A parsed {@code arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST/PATH}. */
    public record ProviderArn(String partition, String accountId, String hostPath) {
        public String arn() {
            return "arn:" + partition + ":iam::" + accountId + ":oidc-provider/" + hostPath;
        }
    }

    public static Optional<ProviderArn> parseArn(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = ARN.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ProviderArn(m.group(1), m.group(2), normalizeHostPath(m.group(3))));
    }

    /**
     * The host and path of an issuer, as IAM uses it in condition keys: no scheme, no trailing slash, host in
     * lower case (host names are case-insensitive; paths are not).
     */
    public static String normalizeHostPath(String text) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            s = s.substring(8);
        } else if (lower.startsWith("http://")) {
            s = s.substring(7);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int slash = s.indexOf('/');
        return slash < 0 ? s.toLowerCase(Locale.ROOT) : s.substring(0, slash).toLowerCase(Locale.ROOT) + s.substring(slash);
    }

    /** The host and path of an {@code iss} claim value, if it is a non-blank string. */
    public static Optional<String> issuerHostPath(Object iss) {
        if (iss instanceof String s && !s.isBlank()) {
            return Optional.of(normalizeHostPath(s));
        }
        return Optional.empty();
    }

    /** The host and path a Federated principal names: the ARN's, or the value itself for a built-in provider. */
    public static String principalHostPath(String federated) {
        return parseArn(federated).map(ProviderArn::hostPath).orElseGet(() -> normalizeHostPath(federated));
    }

    public static boolean isBuiltIn(String hostPath) {
        return hostPath != null && BUILT_IN.contains(hostPath.toLowerCase(Locale.ROOT));
    }

    public static boolean isGoogle(String hostPath) {
        return GOOGLE.equalsIgnoreCase(hostPath);
    }

    /**
     * Whether IAM documents {@code claim} as a condition key of this provider for AssumeRoleWithWebIdentity:
     * aud and sub for any OIDC provider, plus amr for Cognito, oaud for Google, app_id/user_id for Login with
     * Amazon and app_id/id for Facebook.
     */
    public static boolean documentedKey(String hostPath, String claim) {
        String c = claim.toLowerCase(Locale.ROOT);
        String h = hostPath == null ? "" : hostPath.toLowerCase(Locale.ROOT);
        switch (h) {
            case GOOGLE:
                return c.equals("aud") || c.equals("oaud") || c.equals("sub");
            case COGNITO:
                return c.equals("aud") || c.equals("sub") || c.equals("amr");
            case "www.amazon.com":
                return c.equals("app_id") || c.equals("user_id");
            case "graph.facebook.com":
                return c.equals("app_id") || c.equals("id");
            default:
                return c.equals("aud") || c.equals("sub");
        }
    }

    /** Whether a claim can hold several values (aud and amr lists); every other claim is single-valued. */
    public static boolean multiValuedClaim(String claim) {
        String c = claim.toLowerCase(Locale.ROOT);
        return c.equals("aud") || c.equals("oaud") || c.equals("amr") || c.equals("groups");
    }
}
