package dev.keyless.azure;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.azure.internal.ClaimsExpressions;
import dev.keyless.core.internal.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A federated identity credential to register on an Entra application or a user-assigned managed identity: the
 * exact JSON for {@code az ad app federated-credential create --parameters}, Microsoft Graph and ARM, made from a
 * token, from a GitHub repository and trigger, or by hand.
 *
 * <p>Entra matches a presented token when its {@code iss} equals {@link #issuer()} exactly (a trailing slash matters),
 * its {@code sub} equals {@link #subject()} exactly and case-sensitively (or satisfies the flexible
 * {@link #claimsMatchingExpression()}), and its {@code aud} contains the audience.
 *
 * <p>GitHub Actions subjects (issuer {@code https://token.actions.githubusercontent.com}):
 * <ul>
 *   <li>branch: {@code repo:ORG/REPO:ref:refs/heads/BRANCH}</li>
 *   <li>tag: {@code repo:ORG/REPO:ref:refs/tags/TAG}</li>
 *   <li>environment (any job with {@code environment:}, which wins over the others): {@code repo:ORG/REPO:environment:NAME}</li>
 *   <li>pull request: {@code repo:ORG/REPO:pull_request}</li>
 *   <li>the immutable form, which survives renames of the owner or repository:
 *       {@code repo:ORG@OWNER_ID/REPO@REPO_ID:...} with the numeric {@code repository_owner_id} and
 *       {@code repository_id} of the token, followed by the same suffixes</li>
 *   <li>a repository or organisation that customised its subject template produces other shapes: register what
 *       {@link #fromToken(IdentityToken)} reads from a real token.</li>
 * </ul>
 * Other issuers: GitLab {@code project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH}; Kubernetes
 * {@code system:serviceaccount:NAMESPACE:NAME}; HCP Terraform
 * {@code organization:ORG:project:PROJECT:workspace:WS:run_phase:plan|apply}.
 *
 * <p>A flexible credential ({@link Builder#claimsMatchingExpression(String)}, e.g.
 * {@code claims['sub'] matches 'repo:org/app:ref:refs/heads/*'}) has no subject; Entra supports it for GitHub, GitLab
 * and HCP Terraform issuers, on applications through Microsoft Graph and on user-assigned identities through ARM
 * api-version {@code 2025-01-31-preview} or later.
 *
 * <p>Validated as Graph validates: a name of 3 to 120 letters, digits, '-' or '_' starting with a letter or digit; an
 * https issuer; exactly one of subject and expression; exactly one audience. By default the audience is
 * {@code api://AzureADTokenExchange}. Immutable.
 */
public final class FederatedCredentialSpec {
    /** The public cloud's recommended audience. */
    public static final String DEFAULT_AUDIENCE = "api://AzureADTokenExchange";
    /** The issuer of GitHub Actions tokens on github.com. */
    public static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,119}");
    private static final List<String> EXCHANGE_AUDIENCES = List.of("api://AzureADTokenExchange",
            "api://AzureADTokenExchangeChina", "api://AzureADTokenExchangeUSGov");

    private final String name;
    private final String issuer;
    private final String subject;
    private final String claimsMatchingExpression;
    private final List<String> audiences;
    private final String description;

    private FederatedCredentialSpec(Builder b) {
        this.name = b.name;
        this.issuer = b.issuer;
        this.subject = b.subject;
        this.claimsMatchingExpression = b.claimsMatchingExpression;
        this.audiences = List.of(b.audience);
        this.description = b.description;
    }

    /** Starts a spec with the given name. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The credential that matches exactly this token: its issuer, subject and, when the token carries one of the
     * token-exchange audiences, that audience (otherwise {@code api://AzureADTokenExchange}: request the token with it).
     * The name is derived from the subject.
     */
    public static FederatedCredentialSpec fromToken(IdentityToken token) {
        Objects.requireNonNull(token, "token");
        if (token.issuer() == null || token.subject() == null) {
            throw ConfigurationException.badOption("token", "it has no iss or no sub claim",
                    "Use an OIDC identity token with both claims; Entra matches on them.");
        }
        String audience = token.audience().stream().filter(EXCHANGE_AUDIENCES::contains).findFirst().orElse(DEFAULT_AUDIENCE);
        return builder(nameFrom(token.subject())).issuer(token.issuer()).subject(token.subject()).audience(audience)
                .description("Created by Keyless from a token of " + token.issuer()).build();
    }

    /** A GitHub Actions credential for {@code ORG/REPO}: pick the trigger with the returned builder. */
    public static GitHub github(String repository) {
        return new GitHub(repository);
    }

    /** The credential's name (unique per application or identity). */
    public String name() {
        return name;
    }

    public String issuer() {
        return issuer;
    }

    /** The exact subject; empty for a flexible credential. */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The flexible expression (languageVersion 1); empty for an exact-subject credential. */
    public Optional<String> claimsMatchingExpression() {
        return Optional.ofNullable(claimsMatchingExpression);
    }

    /** The audiences (exactly one). */
    public List<String> audiences() {
        return audiences;
    }

    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    /**
     * The Microsoft Graph {@code federatedIdentityCredential} JSON, as {@code az ad app federated-credential create
     * --parameters} takes it: {@code name}, {@code issuer}, {@code subject} (or {@code claimsMatchingExpression}),
     * {@code description}, {@code audiences}.
     */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("issuer", issuer);
        if (subject != null) {
            json.put("subject", subject);
        } else {
            json.put("claimsMatchingExpression", expressionJson());
        }
        if (description != null) {
            json.put("description", description);
        }
        json.put("audiences", audiences);
        return Json.write(json);
    }

    /**
     * An ARM template resource for a user-assigned managed identity named {@code identityName}
     * ({@code Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials}; api-version
     * {@code 2023-01-31}, or {@code 2025-01-31-preview} for a flexible credential).
     */
    public String toArmJson(String identityName) {
        if (identityName == null || identityName.isBlank()) {
            throw ConfigurationException.badOption("identityName", "it is empty", "Pass the user-assigned identity's name.");
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("issuer", issuer);
        if (subject != null) {
            properties.put("subject", subject);
        } else {
            properties.put("claimsMatchingExpression", expressionJson());
        }
        properties.put("audiences", audiences);
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("type", "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials");
        resource.put("apiVersion", subject != null ? "2023-01-31" : "2025-01-31-preview");
        resource.put("name", identityName.strip() + "/" + name);
        resource.put("properties", properties);
        return Json.write(resource);
    }

    /** {@code az ad app federated-credential create --id APP --parameters '<json>'}, for an application (client) id. */
    public String azAppCommand(String applicationId) {
        if (applicationId == null || applicationId.isBlank()) {
            throw ConfigurationException.badOption("applicationId", "it is empty", "Pass the application (client) id.");
        }
        return "az ad app federated-credential create --id " + applicationId.strip() + " --parameters '"
                + toJson().replace("'", "'\\''") + "'";
    }

    /**
     * {@code az identity federated-credential create ...} for a user-assigned managed identity (exact-subject
     * credentials only: the CLI takes no expression).
     */
    public String azIdentityCommand(String identityName, String resourceGroup) {
        if (subject == null) {
            throw ConfigurationException.badOption("claimsMatchingExpression", "az identity federated-credential create takes "
                    + "no expression", "Deploy the flexible credential with toArmJson(identityName) instead.");
        }
        return "az identity federated-credential create --name " + name + " --identity-name " + identityName
                + " --resource-group " + resourceGroup + " --issuer '" + issuer + "' --subject '" + subject
                + "' --audiences '" + audiences.get(0) + "'";
    }

    private Map<String, Object> expressionJson() {
        Map<String, Object> expression = new LinkedHashMap<>();
        expression.put("value", claimsMatchingExpression);
        expression.put("languageVersion", 1);
        return expression;
    }

    /** Whether a token would match this credential in Entra: issuer, subject (exact) or expression, audience. */
    public boolean matches(IdentityToken token) {
        if (!issuer.equals(token.issuer()) || token.audience().stream().noneMatch(audiences::contains)) {
            return false;
        }
        if (subject != null) {
            return subject.equals(token.subject());
        }
        return ClaimsExpressions.matches(claimsMatchingExpression, token.claims());
    }

    static String nameFrom(String subject) {
        String cleaned = subject.replaceAll("[^A-Za-z0-9_-]+", "-").replaceAll("-{2,}", "-").replaceAll("^[-_]+|[-_]+$", "");
        if (cleaned.length() < 3) {
            cleaned = "federated-" + cleaned;
        }
        return cleaned.length() > 120 ? cleaned.substring(0, 120).replaceAll("[-_]+$", "") : cleaned;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FederatedCredentialSpec && toJson().equals(((FederatedCredentialSpec) o).toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "FederatedCredentialSpec" + toJson();
    }

    /** Configures a {@link FederatedCredentialSpec}. */
    public static final class Builder {
        private final String name;
        private String issuer;
        private String subject;
        private String claimsMatchingExpression;
        private String audience = DEFAULT_AUDIENCE;
        private String description;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The issuer, exactly as in the tokens' {@code iss}. */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The exact, case-sensitive subject. */
        public Builder subject(String subject) {
            this.subject = Objects.requireNonNull(subject, "subject");
            return this;
        }

        /** A flexible expression instead of a subject, e.g. {@code claims['sub'] matches 'repo:org/app:ref:refs/heads/*'}. */
        public Builder claimsMatchingExpression(String expression) {
            this.claimsMatchingExpression = Objects.requireNonNull(expression, "claimsMatchingExpression");
            return this;
        }

        /** The audience. By default, {@code api://AzureADTokenExchange}. */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** A free-text description (at most 600 characters). By default, none. */
        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /**
         * Builds the spec.
         *
         * @throws ConfigurationException naming the invalid field, as Graph would reject it
         */
        public FederatedCredentialSpec build() {
            if (!NAME.matcher(name).matches()) {
                throw ConfigurationException.badOption("name", "'" + name + "' is not 3 to 120 letters, digits, '-' or '_' "
                        + "starting with a letter or digit", "Pick a name such as github-main.");
            }
            if (issuer == null || !issuer.strip().toLowerCase(Locale.ROOT).startsWith("https://")) {
                throw ConfigurationException.badOption("issuer", issuer == null ? "it is missing" : "'" + issuer + "' is not https",
                        "Pass the token's iss exactly, e.g. " + GITHUB_ISSUER + ".");
            }
            if ((subject == null) == (claimsMatchingExpression == null)) {
                throw ConfigurationException.badOption(subject == null ? "subject" : "claimsMatchingExpression",
                        subject == null ? "neither a subject nor an expression is set" : "both a subject and an expression are set",
                        "Set exactly one: an exact subject, or a flexible claimsMatchingExpression.");
            }
            if (subject != null && (subject.isBlank() || subject.length() > 600)) {
                throw ConfigurationException.badOption("subject", "it must be 1 to 600 characters", "Pass the token's sub exactly.");
            }
            if (claimsMatchingExpression != null) {
                ClaimsExpressions.validate(claimsMatchingExpression);
            }
            if (audience.isBlank() || audience.length() > 600) {
                throw ConfigurationException.badOption("audience", "it must be 1 to 600 characters",
                        "Use api://AzureADTokenExchange (public cloud) unless your tokens carry another audience.");
            }
            if (description != null && description.length() > 600) {
                throw ConfigurationException.badOption("description", "it is longer than 600 characters", "Shorten it.");
            }
            return new FederatedCredentialSpec(this);
        }
    }

    /**
     * A GitHub Actions credential for one repository: exactly one trigger (branch, tag, environment, pull request, or a
     * flexible any-branch / any-tag match). By default the github.com issuer, the mutable {@code repo:ORG/REPO} form and
     * the name {@code github-ORG-REPO-TRIGGER}.
     */
    public static final class GitHub {
        private final String owner;
        private final String repo;
        private String issuer = GITHUB_ISSUER;
        private String ownerId;
        private String repoId;
        private String suffix;
        private String flexibleSuffix;
        private String trigger;
        private String name;
        private String audience = DEFAULT_AUDIENCE;

        private GitHub(String repository) {
            Objects.requireNonNull(repository, "repository");
            String[] parts = repository.strip().split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw ConfigurationException.badOption("repository", "'" + repository + "' is not ORG/REPO",
                        "Pass the repository as ORG/REPO, e.g. acme/app.");
            }
            this.owner = parts[0];
            this.repo = parts[1];
        }

        /** Jobs on a branch: {@code ...:ref:refs/heads/BRANCH}. */
        public GitHub branch(String branch) {
            return exact(":ref:refs/heads/" + text(branch, "branch"), "branch-" + branch);
        }

        /** Jobs on a tag: {@code ...:ref:refs/tags/TAG}. */
        public GitHub tag(String tag) {
            return exact(":ref:refs/tags/" + text(tag, "tag"), "tag-" + tag);
        }

        /** Jobs with {@code environment: NAME}: {@code ...:environment:NAME}. */
        public GitHub environment(String environment) {
            return exact(":environment:" + text(environment, "environment"), "env-" + environment);
        }

        /** {@code pull_request} jobs: {@code ...:pull_request}. */
        public GitHub pullRequest() {
            return exact(":pull_request", "pull-request");
        }

        /** Any branch, as a flexible credential: {@code claims['sub'] matches '...:ref:refs/heads/*'}. */
        public GitHub anyBranch() {
            return flexible(":ref:refs/heads/*", "any-branch");
        }

        /** Any tag, as a flexible credential: {@code claims['sub'] matches '...:ref:refs/tags/*'}. */
        public GitHub anyTag() {
            return flexible(":ref:refs/tags/*", "any-tag");
        }

        /**
         * The immutable subject form {@code repo:ORG@OWNER_ID/REPO@REPO_ID:...}, with the numeric
         * {@code repository_owner_id} and {@code repository_id} (both in every GitHub token).
         */
        public GitHub immutableIds(String ownerId, String repositoryId) {
            this.ownerId = digits(ownerId, "ownerId");
            this.repoId = digits(repositoryId, "repositoryId");
            return this;
        }

        /**
         * Another issuer: GitHub Enterprise Server ({@code https://HOST/_services/token}) or an enterprise's unique
         * issuer ({@code https://token.actions.githubusercontent.com/ENTERPRISE}). By default, github.com's.
         */
        public GitHub issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The audience. By default, {@code api://AzureADTokenExchange}. */
        public GitHub audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** The credential's name. By default, {@code github-ORG-REPO-TRIGGER}, cleaned to Graph's alphabet. */
        public GitHub name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The subject prefix: {@code repo:ORG/REPO} or {@code repo:ORG@OWNER_ID/REPO@REPO_ID}. */
        private String prefix() {
            return ownerId == null ? "repo:" + owner + "/" + repo : "repo:" + owner + "@" + ownerId + "/" + repo + "@" + repoId;
        }

        /**
         * Builds the spec.
         *
         * @throws ConfigurationException when no trigger was chosen
         */
        public FederatedCredentialSpec build() {
            if (trigger == null) {
                throw ConfigurationException.badOption("trigger", "no branch, tag, environment or pull request was chosen",
                        "Call branch(..), tag(..), environment(..), pullRequest(), anyBranch() or anyTag().");
            }
            Builder b = builder(name != null ? name : nameFrom("github-" + owner + "-" + repo + "-" + trigger))
                    .issuer(issuer).audience(audience)
                    .description("GitHub Actions " + owner + "/" + repo + " (" + trigger + ")");
            if (suffix != null) {
                b.subject(prefix() + suffix);
            } else {
                b.claimsMatchingExpression("claims['sub'] matches '" + prefix() + flexibleSuffix + "'");
            }
            return b.build();
        }

        private GitHub exact(String subjectSuffix, String triggerName) {
            once();
            this.suffix = subjectSuffix;
            this.trigger = triggerName;
            return this;
        }

        private GitHub flexible(String subjectSuffix, String triggerName) {
            once();
            this.flexibleSuffix = subjectSuffix;
            this.trigger = triggerName;
            return this;
        }

        private void once() {
            if (trigger != null) {
                throw ConfigurationException.badOption("trigger", "a trigger (" + trigger + ") is already chosen",
                        "Make one credential per trigger: Entra matches one subject per credential.");
            }
        }

        private static String text(String value, String option) {
            if (value == null || value.isBlank() || value.contains("'")) {
                throw ConfigurationException.badOption(option, "it is empty or contains a quote", "Pass the plain " + option + " name.");
            }
            return value;
        }

        private static String digits(String value, String option) {
            if (value == null || !value.matches("[0-9]+")) {
                throw ConfigurationException.badOption(option, "'" + value + "' is not numeric",
                        "Use the numeric id from the token's repository_owner_id / repository_id claim.");
            }
            return value;
        }
    }
}
