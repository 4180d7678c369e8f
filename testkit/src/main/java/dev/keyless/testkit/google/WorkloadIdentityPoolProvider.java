package dev.keyless.testkit.google;

import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.google.internal.CelEngine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A workload (or workforce) identity pool provider registered with a {@link LocalGoogle}: the issuer it trusts,
 * the audiences it accepts, its attribute mapping and its attribute condition.
 *
 * <p>Mappings and the condition are CEL, checked when the provider is created (as Google's API does) and run by
 * the reference CEL implementation at every exchange. By default: the mapping {@code google.subject=assertion.sub},
 * no condition, and the allowed audiences Google uses when none are configured: the provider's full resource name
 * with {@code https://iam.googleapis.com/} and with {@code //iam.googleapis.com/} in front. The condition and the
 * enabled state may be changed while the emulator runs, to test a change of configuration.
 */
public final class WorkloadIdentityPoolProvider {
    private final String projectNumber;
    private final String poolId;
    private final String providerId;
    private final boolean workforce;
    private final String issuerUri;
    private final Supplier<String> jwks;
    private final String awsAccountId;
    private final List<String> allowedAudiences;
    private final Map<String, String> attributeMapping;
    private volatile String attributeCondition;
    private volatile boolean disabled;

    private WorkloadIdentityPoolProvider(Builder b) {
        this.projectNumber = b.projectNumber;
        this.poolId = b.poolId;
        this.providerId = b.providerId;
        this.workforce = b.workforce;
        this.issuerUri = b.issuerUri;
        this.jwks = b.jwks;
        this.awsAccountId = b.awsAccountId;
        this.attributeMapping = Collections.unmodifiableMap(new LinkedHashMap<>(b.mapping));
        this.attributeCondition = b.condition;
        this.allowedAudiences = b.allowedAudiences.isEmpty()
                ? List.of("https://iam.googleapis.com/" + resourceName(), "//iam.googleapis.com/" + resourceName())
                : List.copyOf(b.allowedAudiences);
    }

    /**
     * {@code projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER}, or for a workforce
     * pool {@code locations/global/workforcePools/POOL/providers/PROVIDER}.
     */
    public String resourceName() {
        return poolResourceName() + "/providers/" + providerId;
    }

    /** {@code projects/NUMBER/locations/global/workloadIdentityPools/POOL} (or the workforce pool's name). */
    public String poolResourceName() {
        return workforce ? "locations/global/workforcePools/" + poolId
                : "projects/" + projectNumber + "/locations/global/workloadIdentityPools/" + poolId;
    }

    /** The STS {@code audience} parameter: {@code //iam.googleapis.com/} + {@link #resourceName()}. */
    public String stsAudience() {
        return "//iam.googleapis.com/" + resourceName();
    }

    /** The audience a subject token carries by default: {@code https://iam.googleapis.com/} + {@link #resourceName()}. */
    public String defaultTokenAudience() {
        return "https://iam.googleapis.com/" + resourceName();
    }

    /** An IAM principal for one federated subject: {@code principal://iam.googleapis.com/<pool>/subject/SUBJECT}. */
    public String principal(String subject) {
        return "principal://iam.googleapis.com/" + poolResourceName() + "/subject/" + Objects.requireNonNull(subject);
    }

    /** An IAM principal set by mapped attribute: {@code principalSet://iam.googleapis.com/<pool>/attribute.NAME/VALUE}. */
    public String principalSet(String attributeName, String value) {
        String name = attributeName.startsWith("attribute.") ? attributeName.substring("attribute.".length()) : attributeName;
        return "principalSet://iam.googleapis.com/" + poolResourceName() + "/attribute." + name + "/" + value;
    }

    /** Every identity of the pool: {@code principalSet://iam.googleapis.com/<pool>/*}. */
    public String allIdentities() {
        return "principalSet://iam.googleapis.com/" + poolResourceName() + "/*";
    }

    public String projectNumber() {
        return projectNumber;
    }

    public String poolId() {
        return poolId;
    }

    public String providerId() {
        return providerId;
    }

    public boolean isWorkforce() {
        return workforce;
    }

    /** The AWS account an AWS provider trusts, or null for an OIDC provider. */
    public String awsAccountId() {
        return awsAccountId;
    }

    /** The issuer the provider trusts (compared with {@code iss}); null for an AWS provider. */
    public String issuerUri() {
        return issuerUri;
    }

    public List<String> allowedAudiences() {
        return allowedAudiences;
    }

    public Map<String, String> attributeMapping() {
        return attributeMapping;
    }

    /** The attribute condition, or null. */
    public String attributeCondition() {
        return attributeCondition;
    }

    /** Replaces the attribute condition (null removes it). */
    public void attributeCondition(String condition) {
        if (condition != null) {
            checkCel("attributeCondition", condition);
        }
        this.attributeCondition = condition;
    }

    /** Disables or re-enables the provider: a disabled provider answers invalid_target, as Google does. */
    public void disabled(boolean disabled) {
        this.disabled = disabled;
    }

    public boolean isDisabled() {
        return disabled;
    }

    String jwksJson() {
        return jwks.get();
    }

    @Override
    public String toString() {
        return "WorkloadIdentityPoolProvider{" + resourceName() + ", issuer=" + issuerUri + "}";
    }

    private static void checkCel(String what, String expression) {
        try {
            CelEngine.check(expression);
        } catch (CelEngine.CelException e) {
            throw new IllegalArgumentException("The " + what + " is not a valid CEL expression: " + expression
                    + "\n" + e.getMessage());
        }
    }

    /** Configures an OIDC provider; {@link #create()} registers it with the emulator. */
    public static final class Builder {
        private final LocalGoogle google;
        private final String projectNumber;
        private final String poolId;
        private final String providerId;
        private final boolean workforce;
        private String issuerUri;
        private Supplier<String> jwks;
        private String awsAccountId;
        private final List<String> allowedAudiences = new ArrayList<>();
        private final Map<String, String> mapping = new LinkedHashMap<>();
        private String condition;

        Builder(LocalGoogle google, String projectNumber, String poolId, String providerId, boolean workforce) {
            this.google = google;
            this.projectNumber = projectNumber;
            this.poolId = requireId("poolId", poolId);
            this.providerId = requireId("providerId", providerId);
            this.workforce = workforce;
        }

        /** Trusts a {@link LocalIssuer}: its {@code iss} and its live JWKS (key rotation included). */
        public Builder issuer(LocalIssuer issuer) {
            Objects.requireNonNull(issuer, "issuer");
            this.issuerUri = issuer.issuerUrl();
            this.jwks = issuer::jwksJson;
            return this;
        }

        /** Trusts an issuer by URI with uploaded keys (Google's {@code jwksJson} option). */
        public Builder issuer(String issuerUri, String jwksJson) {
            this.issuerUri = Objects.requireNonNull(issuerUri, "issuerUri");
            Objects.requireNonNull(jwksJson, "jwksJson");
            this.jwks = () -> jwksJson;
            return this;
        }

        /** The accepted {@code aud} values. By default, the provider's resource name with either prefix. */
        public Builder allowedAudiences(String... audiences) {
            allowedAudiences.addAll(List.of(audiences));
            return this;
        }

        /**
         * One mapping, e.g. {@code attributeMapping("attribute.repository", "assertion.repository")}. Keys are
         * {@code google.subject}, {@code google.groups} or {@code attribute.NAME}; values are CEL over {@code assertion}.
         */
        public Builder attributeMapping(String key, String expression) {
            if (!key.equals("google.subject") && !key.equals("google.groups") && !key.matches("attribute\\.[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("Attribute mapping keys are google.subject, google.groups or "
                        + "attribute.NAME (lowercase letters, digits, underscores), not " + key);
            }
            checkCel("attribute mapping for " + key, expression);
            mapping.put(key, expression);
            return this;
        }

        /** The attribute condition: CEL over {@code assertion}, {@code google} and {@code attribute}. */
        public Builder attributeCondition(String condition) {
            checkCel("attributeCondition", condition);
            this.condition = condition;
            return this;
        }

        /**
         * Makes this an AWS provider trusting the 12-digit AWS account: subject tokens are signed GetCallerIdentity
         * requests ({@code aws4_request}), verified against the keys registered with
         * {@link LocalGoogle#awsCaller(String, String, String)}. Default mapping {@code google.subject=assertion.arn},
         * {@code attribute.aws_account=assertion.account}.
         */
        public Builder aws(String accountId) {
            if (accountId == null || !accountId.matches("[0-9]{12}")) {
                throw new IllegalArgumentException("An AWS account id has 12 digits: " + accountId);
            }
            this.awsAccountId = accountId;
            return this;
        }

        /** Registers the provider. */
        public WorkloadIdentityPoolProvider create() {
            if (awsAccountId != null) {
                if (mapping.isEmpty()) {
                    mapping.put("google.subject", "assertion.arn");
                    mapping.put("attribute.aws_account", "assertion.account");
                }
                WorkloadIdentityPoolProvider p = new WorkloadIdentityPoolProvider(this);
                google.register(p);
                return p;
            }
            if (issuerUri == null) {
                throw new IllegalStateException("An OIDC provider needs an issuer: call issuer(LocalIssuer) or issuer(uri, jwks)");
            }
            if (mapping.isEmpty()) {
                mapping.put("google.subject", "assertion.sub");
            }
            if (!mapping.containsKey("google.subject")) {
                throw new IllegalArgumentException("The attribute mapping must map google.subject");
            }
            WorkloadIdentityPoolProvider p = new WorkloadIdentityPoolProvider(this);
            google.register(p);
            return p;
        }

        private static String requireId(String what, String id) {
            if (id == null || !id.matches("[a-z0-9-]{4,32}") || id.startsWith("gcp-")) {
                throw new IllegalArgumentException(what + " must be 4 to 32 lowercase letters, digits or hyphens "
                        + "(and not start with gcp-): " + id);
            }
            return id;
        }
    }
}
