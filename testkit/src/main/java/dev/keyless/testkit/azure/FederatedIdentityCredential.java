package dev.keyless.testkit.azure;

import dev.keyless.testkit.azure.internal.ClaimsExpression;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A federated identity credential registered on a {@link EntraApplication} of a {@link LocalEntra}: which external
 * tokens (issuer, subject or flexible claims expression, audience) the application trusts.
 *
 * <p>Validated as Microsoft Graph validates it: a name of 3 to 120 letters, digits, '-' or '_' starting with a letter
 * or digit; an issuer; exactly one of a subject or a {@code claimsMatchingExpression}; exactly one audience. By
 * default the audience is {@value #DEFAULT_AUDIENCE}. Immutable.
 */
public final class FederatedIdentityCredential {
    /** The audience Entra recommends for federated credentials in the public cloud. */
    public static final String DEFAULT_AUDIENCE = "api://AzureADTokenExchange";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,119}");

    private final String name;
    private final String issuer;
    private final String subject;
    private final List<String> audiences;
    private final String claimsMatchingExpression;

    private FederatedIdentityCredential(Builder b) {
        this.name = b.name;
        this.issuer = b.issuer;
        this.subject = b.subject;
        this.audiences = b.audiences;
        this.claimsMatchingExpression = b.claimsMatchingExpression;
    }

    /** A credential matching exactly this issuer and subject, with the default audience. */
    public static FederatedIdentityCredential of(String name, String issuer, String subject) {
        return builder(name).issuer(issuer).subject(subject).build();
    }

    /** Starts a credential with the given name. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public String issuer() {
        return issuer;
    }

    /** The exact (case-sensitive) subject, empty for a flexible credential. */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The audiences (Graph allows exactly one). */
    public List<String> audiences() {
        return audiences;
    }

    /** The flexible matching expression, e.g. {@code claims['sub'] matches 'repo:org/app:ref:refs/heads/*'}. */
    public Optional<String> claimsMatchingExpression() {
        return Optional.ofNullable(claimsMatchingExpression);
    }

    /** Whether this is a flexible credential (matched by expression rather than exact subject). */
    public boolean isFlexible() {
        return claimsMatchingExpression != null;
    }

    @Override
    public String toString() {
        return "FederatedIdentityCredential{name=" + name + ", issuer=" + issuer
                + (subject != null ? ", subject=" + subject : ", claimsMatchingExpression=" + claimsMatchingExpression)
                + ", audiences=" + audiences + "}";
    }

    /** Configures a {@link FederatedIdentityCredential}. */
    public static final class Builder {
        private final String name;
        private String issuer;
        private String subject;
        private List<String> audiences = List.of(DEFAULT_AUDIENCE);
        private String claimsMatchingExpression;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The issuer URL, compared exactly (a trailing slash matters, as in Entra). */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The exact subject, compared case-sensitively. */
        public Builder subject(String subject) {
            this.subject = Objects.requireNonNull(subject, "subject");
            return this;
        }

        /** The audience. By default, {@value #DEFAULT_AUDIENCE}. */
        public Builder audience(String audience) {
            this.audiences = List.of(Objects.requireNonNull(audience, "audience"));
            return this;
        }

        /** The audiences; Graph accepts exactly one. */
        public Builder audiences(List<String> audiences) {
            this.audiences = List.copyOf(audiences);
            return this;
        }

        /** A flexible expression instead of a subject, e.g. {@code claims['sub'] matches 'repo:o/r:ref:refs/heads/*'}. */
        public Builder claimsMatchingExpression(String expression) {
            this.claimsMatchingExpression = Objects.requireNonNull(expression, "claimsMatchingExpression");
            return this;
        }

        /**
         * Builds the credential.
         *
         * @throws IllegalArgumentException as Graph answers 400 for an invalid credential
         */
        public FederatedIdentityCredential build() {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("Federated identity credential name '" + name
                        + "' must be 3 to 120 characters of letters, digits, '-' or '_', starting with a letter or digit");
            }
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalArgumentException("Federated identity credential '" + name + "' needs an issuer");
            }
            if ((subject == null) == (claimsMatchingExpression == null)) {
                throw new IllegalArgumentException("Federated identity credential '" + name
                        + "' needs exactly one of subject and claimsMatchingExpression");
            }
            if (subject != null && subject.isBlank()) {
                throw new IllegalArgumentException("Federated identity credential '" + name + "' has a blank subject");
            }
            if (claimsMatchingExpression != null) {
                ClaimsExpression.parse(claimsMatchingExpression); // rejects a malformed expression now, as Graph does
            }
            if (audiences.size() != 1 || audiences.get(0).isBlank()) {
                throw new IllegalArgumentException("Federated identity credential '" + name
                        + "' needs exactly one audience, got " + audiences);
            }
            return new FederatedIdentityCredential(this);
        }
    }
}
