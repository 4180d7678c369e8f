package dev.keyless.aws.trust;

import dev.keyless.aws.internal.trust.Providers;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a trust policy is evaluated against: the identity provider, the action and the token's claims.
 *
 * <p>The provider is given as an IAM OIDC provider ARN ({@code arn:aws:iam::123456789012:oidc-provider/HOST}),
 * as the issuer host and path ({@code token.actions.githubusercontent.com}) or as the issuer URL; by default it
 * is taken from the token's {@code iss} claim, which is what STS does. Condition keys are matched against
 * {@code HOST/PATH:claim}. By default the action is {@code sts:AssumeRoleWithWebIdentity}. Claims are never
 * secret; the token value is not kept.
 */
public final class TrustRequest {
    /** The action STS checks for a web identity exchange. */
    public static final String ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";

    private final String providerArn;
    private final String providerHostPath;
    private final String accountId;
    private final String action;
    private final Map<String, Object> claims;
    private final Map<String, List<String>> contextKeys;

    private TrustRequest(Builder b) {
        this.claims = Collections.unmodifiableMap(new LinkedHashMap<>(b.claims));
        this.action = b.action;
        this.contextKeys = Collections.unmodifiableMap(new LinkedHashMap<>(b.contextKeys));
        if (b.provider != null) {
            Optional<Providers.ProviderArn> arn = Providers.parseArn(b.provider);
            if (arn.isPresent()) {
                this.providerArn = b.provider;
                this.providerHostPath = arn.get().hostPath();
                this.accountId = b.accountId != null ? b.accountId : arn.get().accountId();
            } else {
                this.providerArn = null;
                this.providerHostPath = Providers.normalizeHostPath(b.provider);
                this.accountId = b.accountId;
            }
        } else {
            this.providerArn = null;
            this.providerHostPath = Providers.issuerHostPath(claims.get("iss")).orElse(null);
            this.accountId = b.accountId;
        }
    }

    /** A request for the token's claims, the provider taken from its {@code iss}. */
    public static TrustRequest of(IdentityToken token) {
        return builder().token(token).build();
    }

    /** A request for these claims (as decoded from a JWT), the provider taken from {@code iss}. */
    public static TrustRequest of(Map<String, ?> claims) {
        return builder().claims(claims).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The provider ARN, when one was given. */
    public Optional<String> providerArn() {
        return Optional.ofNullable(providerArn);
    }

    /**
     * The provider's host and path without scheme ({@code token.actions.githubusercontent.com}), which prefixes
     * the condition keys; empty when neither a provider nor an {@code iss} claim is known.
     */
    public Optional<String> providerHostPath() {
        return Optional.ofNullable(providerHostPath);
    }

    /** The account of the role (from the provider ARN or {@link Builder#accountId}), if known. */
    public Optional<String> accountId() {
        return Optional.ofNullable(accountId);
    }

    /** The action evaluated; by default {@code sts:AssumeRoleWithWebIdentity}. */
    public String action() {
        return action;
    }

    /** The token's claims, unmodifiable. */
    public Map<String, Object> claims() {
        return claims;
    }

    /** Extra request-context keys (such as {@code sts:RoleSessionName}), keyed in lower case. */
    public Map<String, List<String>> contextKeys() {
        return contextKeys;
    }

    /** The token's issuer host and path (from {@code iss}), if present. */
    public Optional<String> issuerHostPath() {
        return Providers.issuerHostPath(claims.get("iss"));
    }

    @Override
    public String toString() {
        return "TrustRequest{provider=" + (providerArn != null ? providerArn : providerHostPath)
                + ", action=" + action + ", claims=" + claims.keySet() + "}";
    }

    /** Builds a {@link TrustRequest}; claims or a token are required. */
    public static final class Builder {
        private final Map<String, Object> claims = new LinkedHashMap<>();
        private final Map<String, List<String>> contextKeys = new LinkedHashMap<>();
        private String provider;
        private String accountId;
        private String action = ASSUME_ROLE_WITH_WEB_IDENTITY;

        private Builder() {
        }

        /** Uses the token's claims. */
        public Builder token(IdentityToken token) {
            Objects.requireNonNull(token, "token");
            return claims(token.claims());
        }

        /** Uses these claims; entries with a null key are ignored. */
        public Builder claims(Map<String, ?> claims) {
            Objects.requireNonNull(claims, "claims");
            this.claims.clear();
            claims.forEach((k, v) -> {
                if (k != null) {
                    this.claims.put(k, v);
                }
            });
            return this;
        }

        /**
         * The identity provider: an IAM OIDC provider ARN, a host and path, or an https URL. By default the
         * token's {@code iss}.
         */
        public Builder provider(String provider) {
            if (provider == null || provider.isBlank()) {
                throw ConfigurationException.badOption("provider", "it is empty",
                        "Pass the IAM OIDC provider ARN (arn:aws:iam::ACCOUNT:oidc-provider/HOST) or the issuer "
                                + "host, e.g. token.actions.githubusercontent.com, or leave it unset to use the token's iss.");
            }
            String p = provider.strip();
            if (p.startsWith("arn:") && Providers.parseArn(p).isEmpty()) {
                throw ConfigurationException.badOption("provider", "'" + p + "' is not an IAM OIDC provider ARN",
                        "Use the form arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com.");
            }
            this.provider = p;
            return this;
        }

        /** The 12-digit account of the role, to check the account of the provider ARN in the policy. */
        public Builder accountId(String accountId) {
            if (accountId == null || !accountId.matches("\\d{12}")) {
                throw ConfigurationException.badOption("accountId", "an AWS account id has exactly 12 digits",
                        "Pass the account id of the role, e.g. 123456789012.");
            }
            this.accountId = accountId;
            return this;
        }

        /** The action to evaluate; by default {@code sts:AssumeRoleWithWebIdentity}. */
        public Builder action(String action) {
            if (action == null || action.isBlank()) {
                throw ConfigurationException.badOption("action", "it is empty",
                        "Use sts:AssumeRoleWithWebIdentity (the default).");
            }
            this.action = action.strip();
            return this;
        }

        /** Adds a request-context key that is not a claim, e.g. {@code sts:RoleSessionName}. */
        public Builder contextKey(String key, String... values) {
            if (key == null || key.isBlank()) {
                throw ConfigurationException.badOption("contextKey", "the key is empty",
                        "Pass a key such as sts:RoleSessionName.");
            }
            List<String> list = new ArrayList<>(Arrays.asList(values));
            list.removeIf(Objects::isNull);
            contextKeys.put(key.strip().toLowerCase(Locale.ROOT), List.copyOf(list));
            return this;
        }

        public TrustRequest build() {
            return new TrustRequest(this);
        }
    }
}
