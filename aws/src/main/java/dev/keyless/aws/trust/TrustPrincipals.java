package dev.keyless.aws.trust;

import java.util.List;

/**
 * The {@code Principal} element of a statement.
 *
 * @param wildcard  whether the principal is {@code "*"} (or {@code {"AWS": "*"}}): anyone
 * @param federated the {@code Federated} values: OIDC provider ARNs or built-in provider hosts such as
 *                  {@code accounts.google.com}
 * @param aws       the {@code AWS} values (accounts, roles, users)
 * @param service   the {@code Service} values
 */
public record TrustPrincipals(boolean wildcard, List<String> federated, List<String> aws, List<String> service) {

    public TrustPrincipals {
        federated = List.copyOf(federated);
        aws = List.copyOf(aws);
        service = List.copyOf(service);
    }

    /** The principal {@code "*"}. */
    public static TrustPrincipals anyone() {
        return new TrustPrincipals(true, List.of(), List.of(), List.of());
    }

    /** A principal of federated providers only. */
    public static TrustPrincipals federated(List<String> providers) {
        return new TrustPrincipals(false, providers, List.of(), List.of());
    }
}
