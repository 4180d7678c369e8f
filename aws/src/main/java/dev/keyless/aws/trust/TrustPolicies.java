package dev.keyless.aws.trust;

import dev.keyless.aws.internal.trust.JsonText;
import dev.keyless.aws.internal.trust.Providers;
import dev.keyless.core.ConfigurationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Generates least-privilege trust policies for the common CI and cluster identities.
 *
 * <p>Each builder yields one Allow statement for {@code sts:AssumeRoleWithWebIdentity} that trusts one IAM OIDC
 * provider and tests both the audience and the subject: {@code StringEquals} when the subject is exact,
 * {@code StringLike} only when it needs a wildcard. Invalid input fails fast with
 * {@link ConfigurationException#badOption(String, String, String)} naming the option. For example:
 * <pre>{@code
 * String json = TrustPolicies.gitHubActions()
 *         .accountId("123456789012")
 *         .repository("acme/app")
 *         .branch("main")
 *         .build()
 *         .toJson();
 * }</pre>
 */
public final class TrustPolicies {
    static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern HOST_PATH =
            Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(/[A-Za-z0-9._~%-]+)*");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9]{1,100}");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private TrustPolicies() {
    }

    /** A policy for GitHub Actions jobs of one repository. */
    public static GitHubActions gitHubActions() {
        return new GitHubActions();
    }

    /** A policy for GitLab CI jobs of one project. */
    public static GitLab gitLab() {
        return new GitLab();
    }

    /** A policy for one Kubernetes service account (EKS IRSA or any cluster whose issuer IAM trusts). */
    public static Kubernetes kubernetes() {
        return new Kubernetes();
    }

    /** Options shared by every generator: account, partition, provider host, audience, Sid. */
    abstract static class Common<B extends Common<B>> {
        String accountId;
        String partition = "aws";
        String providerHost;
        String audience = DEFAULT_AUDIENCE;
        String sid;

        Common(String providerHost, String sid) {
            this.providerHost = providerHost;
            this.sid = sid;
        }

        abstract B self();

        /** The 12-digit account that holds the role and the IAM OIDC provider. Required. */
        public B accountId(String accountId) {
            if (accountId == null || !ACCOUNT.matcher(accountId.strip()).matches()) {
                throw ConfigurationException.badOption("accountId", "an AWS account id has exactly 12 digits",
                        "Pass the account id of the role, e.g. \"123456789012\" (`aws sts get-caller-identity`).");
            }
            this.accountId = accountId.strip();
            return self();
        }

        /** The AWS partition: {@code aws} (the default), {@code aws-cn} or {@code aws-us-gov}. */
        public B partition(String partition) {
            if (!"aws".equals(partition) && !"aws-cn".equals(partition) && !"aws-us-gov".equals(partition)) {
                throw ConfigurationException.badOption("partition", "'" + partition + "' is not an AWS partition",
                        "Use aws, aws-cn or aws-us-gov.");
            }
            this.partition = partition;
            return self();
        }

        /**
         * The audience the token is requested with; by default {@code sts.amazonaws.com}. It must also be one of
         * the IAM OIDC provider's audiences (client ids).
         */
        public B audience(String audience) {
            if (audience == null || audience.isBlank() || audience.indexOf('*') >= 0 || audience.indexOf('?') >= 0
                    || !audience.equals(audience.strip())) {
                throw ConfigurationException.badOption("audience", "an audience is one exact, non-empty value",
                        "Use the audience the token is requested with, e.g. sts.amazonaws.com.");
            }
            this.audience = audience;
            return self();
        }

        /** The statement's Sid (letters and digits). */
        public B sid(String sid) {
            if (sid == null || !SID.matcher(sid).matches()) {
                throw ConfigurationException.badOption("sid", "a Sid has only letters and digits",
                        "Use a Sid such as \"GitHubDeploy\".");
            }
            this.sid = sid;
            return self();
        }

        String hostOption(String option, String host) {
            if (host == null || host.isBlank()) {
                throw ConfigurationException.badOption(option, "it is empty",
                        "Pass the issuer's host and path, e.g. token.actions.githubusercontent.com.");
            }
            String hp = Providers.normalizeHostPath(host);
            if (!HOST_PATH.matcher(hp).matches()) {
                throw ConfigurationException.badOption(option, "'" + host + "' is not an issuer host (and path)",
                        "Pass the issuer URL's host and path without query or wildcards, e.g. "
                                + "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE.");
            }
            return hp;
        }

        TrustPolicy policy(String subject) {
            if (accountId == null) {
                throw ConfigurationException.badOption("accountId", "it is required",
                        "Call accountId(\"123456789012\") with the account of the role.");
            }
            boolean wildcard = subject.indexOf('*') >= 0 || subject.indexOf('?') >= 0;
            Map<String, Object> statement = new LinkedHashMap<>();
            statement.put("Sid", sid);
            statement.put("Effect", "Allow");
            statement.put("Principal", Map.of("Federated",
                    "arn:" + partition + ":iam::" + accountId + ":oidc-provider/" + providerHost));
            statement.put("Action", TrustRequest.ASSUME_ROLE_WITH_WEB_IDENTITY);
            Map<String, Object> equals = new LinkedHashMap<>();
            equals.put(providerHost + ":aud", audience);
            Map<String, Object> condition = new LinkedHashMap<>();
            condition.put("StringEquals", equals);
            if (wildcard) {
                condition.put("StringLike", Map.of(providerHost + ":sub", subject));
            } else {
                equals.put(providerHost + ":sub", subject);
            }
            statement.put("Condition", condition);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("Version", TrustPolicy.VERSION_2012_10_17);
            doc.put("Statement", List.of(statement));
            return TrustPolicy.parse(JsonText.pretty(doc));
        }
    }

    static String refName(String option, String value, String stripPrefix) {
        if (value == null || value.isBlank()) {
            throw ConfigurationException.badOption(option, "it is empty", "Pass a name such as \"main\".");
        }
        String v = value.startsWith(stripPrefix) ? value.substring(stripPrefix.length()) : value;
        if (v.isEmpty() || v.indexOf(':') >= 0 || !v.equals(v.strip()) || v.chars().anyMatch(Character::isISOControl)
                || v.chars().anyMatch(Character::isWhitespace)) {
            throw ConfigurationException.badOption(option, "'" + value + "' is not a valid " + option + " name",
                    "Pass the " + option + " name without spaces or ':', e.g. \"main\" or \"release/*\".");
        }
        return v;
    }

    /**
     * Builds a GitHub Actions trust policy: account, repository {@code ORG/REPO} and exactly one of
     * {@link #branch}, {@link #tag}, {@link #environment}, {@link #pullRequest()} or {@link #anyRef()}. By default
     * the provider is {@code token.actions.githubusercontent.com}, the audience {@code sts.amazonaws.com} and the
     * subject name-only ({@code repo:ORG/REPO:...}).
     */
    public static final class GitHubActions extends Common<GitHubActions> {
        private String owner;
        private String repo;
        private Long ownerId;
        private Long repositoryId;
        private String scope;
        private String scopeOption;
        private String jobWorkflowRef;

        private GitHubActions() {
            super("token.actions.githubusercontent.com", "GitHubActions");
        }

        @Override
        GitHubActions self() {
            return this;
        }

        /** The repository, {@code ORG/REPO} as on GitHub (the sub keeps GitHub's case). Required. */
        public GitHubActions repository(String repository) {
            String[] parts = repository == null ? new String[0] : repository.strip().split("/", -1);
            if (parts.length != 2 || !OWNER.matcher(parts[0]).matches() || !REPO.matcher(parts[1]).matches()
                    || parts[1].equals(".") || parts[1].equals("..")) {
                throw ConfigurationException.badOption("repository", "'" + repository + "' is not ORG/REPO",
                        "Pass the repository as owner/name, e.g. \"acme/app\", without wildcards or URL.");
            }
            this.owner = parts[0];
            this.repo = parts[1];
            return this;
        }

        /** Trusts jobs running on this branch ({@code main}, or a pattern such as {@code release/*}). */
        public GitHubActions branch(String branch) {
            return scope("branch", "ref:refs/heads/" + refName("branch", branch, "refs/heads/"));
        }

        /** Trusts jobs running on this tag ({@code v1.2.3}, or a pattern such as {@code v*}). */
        public GitHubActions tag(String tag) {
            return scope("tag", "ref:refs/tags/" + refName("tag", tag, "refs/tags/"));
        }

        /**
         * Trusts jobs that reference this GitHub environment (their sub names the environment instead of the ref).
         * Protect the environment with deployment branch rules; the name is compared case-sensitively.
         */
        public GitHubActions environment(String environment) {
            if (environment == null || environment.isBlank() || !environment.equals(environment.strip())
                    || environment.indexOf(':') >= 0 || environment.chars().anyMatch(Character::isISOControl)) {
                throw ConfigurationException.badOption("environment", "'" + environment + "' is not an environment name",
                        "Pass the environment name as in the workflow's `environment:`, e.g. \"production\".");
            }
            return scope("environment", "environment:" + environment);
        }

        /** Trusts workflows run for pull_request events (they run the pull request's code: think twice). */
        public GitHubActions pullRequest() {
            return scope("pullRequest", "pull_request");
        }

        /** Trusts every job of the repository, whatever the branch, tag, environment or event. */
        public GitHubActions anyRef() {
            return scope("anyRef", "*");
        }

        /**
         * Uses the immutable subject form {@code repo:ORG@OWNER_ID/REPO@REPO_ID:...} of repositories created or
         * renamed after 15 July 2026 or opted in (the ids are on the repository's API: {@code owner.id} and
         * {@code id}).
         */
        public GitHubActions immutableIds(long ownerId, long repositoryId) {
            if (ownerId <= 0 || repositoryId <= 0) {
                throw ConfigurationException.badOption("immutableIds", "ids are positive numbers",
                        "Pass owner.id and id from `gh api repos/ORG/REPO`.");
            }
            this.ownerId = ownerId;
            this.repositoryId = repositoryId;
            return this;
        }

        /**
         * Also requires this reusable workflow, e.g. {@code acme/workflows/.github/workflows/deploy.yml@refs/heads/main}.
         * IAM does not evaluate a {@code job_workflow_ref} condition key, so the restriction goes into the sub: the
         * repository must customise its subject with
         * {@code PUT /repos/ORG/REPO/actions/oidc/customization/sub} and
         * {@code {"use_default": false, "include_claim_keys": ["repo", "context", "job_workflow_ref"]}}.
         */
        public GitHubActions jobWorkflowRef(String jobWorkflowRef) {
            if (jobWorkflowRef == null || !jobWorkflowRef.matches("[A-Za-z0-9-]+/[A-Za-z0-9._-]+/\\S+@\\S+")) {
                throw ConfigurationException.badOption("jobWorkflowRef", "'" + jobWorkflowRef + "' is not a workflow ref",
                        "Use OWNER/REPO/PATH@REF, e.g. acme/workflows/.github/workflows/deploy.yml@refs/heads/main.");
            }
            this.jobWorkflowRef = jobWorkflowRef;
            return this;
        }

        /**
         * The provider's host and path; by default {@code token.actions.githubusercontent.com}. GitHub Enterprise
         * Server uses {@code HOST/_services/token}, an enterprise with a custom issuer
         * {@code token.actions.githubusercontent.com/ENTERPRISE}.
         */
        public GitHubActions providerHost(String providerHost) {
            this.providerHost = hostOption("providerHost", providerHost);
            return this;
        }

        private GitHubActions scope(String option, String context) {
            if (scope != null) {
                throw ConfigurationException.badOption(option, "a scope is already set with " + scopeOption + "()",
                        "Choose one of branch, tag, environment, pullRequest or anyRef; one trust policy per scope.");
            }
            this.scope = context;
            this.scopeOption = option;
            return this;
        }

        /** The sub the policy expects, e.g. {@code repo:acme/app:ref:refs/heads/main}. */
        public String subject() {
            if (owner == null) {
                throw ConfigurationException.badOption("repository", "it is required", "Call repository(\"ORG/REPO\").");
            }
            if (scope == null) {
                throw ConfigurationException.badOption("branch", "no scope is set",
                        "Call one of branch(\"main\"), tag(..), environment(..), pullRequest() or anyRef().");
            }
            String prefix = ownerId == null ? "repo:" + owner + "/" + repo
                    : "repo:" + owner + "@" + ownerId + "/" + repo + "@" + repositoryId;
            return prefix + ":" + scope + (jobWorkflowRef == null ? "" : ":job_workflow_ref:" + jobWorkflowRef);
        }

        public TrustPolicy build() {
            return policy(subject());
        }
    }

    /**
     * Builds a GitLab CI trust policy: account, project path and one of {@link #branch}, {@link #tag} or
     * {@link #anyRef()}. By default the host is {@code gitlab.com} and the audience {@code sts.amazonaws.com}, which
     * must be the {@code aud} of the job's {@code id_tokens}.
     */
    public static final class GitLab extends Common<GitLab> {
        private String projectPath;
        private String refType;
        private String ref;

        private GitLab() {
            super("gitlab.com", "GitLabCI");
        }

        @Override
        GitLab self() {
            return this;
        }

        /** The full project path, {@code group/project} or {@code group/subgroup/project}. Required. */
        public GitLab projectPath(String projectPath) {
            if (projectPath == null || !projectPath.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+")) {
                throw ConfigurationException.badOption("projectPath", "'" + projectPath + "' is not a project path",
                        "Pass the path as in the project's URL, e.g. \"acme/platform/app\".");
            }
            this.projectPath = projectPath;
            return this;
        }

        /** Trusts jobs for this branch (or pattern). */
        public GitLab branch(String branch) {
            return ref("branch", "branch", refName("branch", branch, "refs/heads/"));
        }

        /** Trusts jobs for this tag (or pattern). */
        public GitLab tag(String tag) {
            return ref("tag", "tag", refName("tag", tag, "refs/tags/"));
        }

        /** Trusts every job of the project. */
        public GitLab anyRef() {
            return ref("anyRef", "*", null);
        }

        /** The GitLab host (and path), e.g. {@code gitlab.example.com}; by default {@code gitlab.com}. */
        public GitLab host(String host) {
            this.providerHost = hostOption("host", host);
            return this;
        }

        private GitLab ref(String option, String type, String name) {
            if (refType != null) {
                throw ConfigurationException.badOption(option, "a ref is already set",
                        "Choose one of branch, tag or anyRef.");
            }
            this.refType = type;
            this.ref = name;
            return this;
        }

        /** The sub the policy expects, e.g. {@code project_path:acme/app:ref_type:branch:ref:main}. */
        public String subject() {
            if (projectPath == null) {
                throw ConfigurationException.badOption("projectPath", "it is required", "Call projectPath(\"group/project\").");
            }
            if (refType == null) {
                throw ConfigurationException.badOption("branch", "no ref is set",
                        "Call one of branch(\"main\"), tag(..) or anyRef().");
            }
            return "project_path:" + projectPath + (ref == null ? ":*" : ":ref_type:" + refType + ":ref:" + ref);
        }

        public TrustPolicy build() {
            return policy(subject());
        }
    }

    /**
     * Builds a trust policy for a Kubernetes service account: account, cluster issuer, namespace and service
     * account. By default the audience is {@code sts.amazonaws.com} (EKS's IRSA audience).
     */
    public static final class Kubernetes extends Common<Kubernetes> {
        private String namespace;
        private String serviceAccount;

        private Kubernetes() {
            super(null, "KubernetesServiceAccount");
        }

        @Override
        Kubernetes self() {
            return this;
        }

        /**
         * The cluster's OIDC issuer, as URL or host and path, e.g.
         * {@code https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE}. Required.
         */
        public Kubernetes issuer(String issuer) {
            this.providerHost = hostOption("issuer", issuer);
            return this;
        }

        /** The service account's namespace. Required. */
        public Kubernetes namespace(String namespace) {
            if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
                throw ConfigurationException.badOption("namespace", "'" + namespace + "' is not a Kubernetes namespace name",
                        "Use lower-case letters, digits and '-', at most 63 characters.");
            }
            this.namespace = namespace;
            return this;
        }

        /** The service account's name. Required. */
        public Kubernetes serviceAccount(String serviceAccount) {
            if (serviceAccount == null || !DNS_SUBDOMAIN.matcher(serviceAccount).matches()) {
                throw ConfigurationException.badOption("serviceAccount", "'" + serviceAccount
                        + "' is not a service account name", "Use lower-case letters, digits, '-' and '.'.");
            }
            this.serviceAccount = serviceAccount;
            return this;
        }

        /** The sub the policy expects: {@code system:serviceaccount:NAMESPACE:NAME}. */
        public String subject() {
            if (namespace == null) {
                throw ConfigurationException.badOption("namespace", "it is required", "Call namespace(\"...\").");
            }
            if (serviceAccount == null) {
                throw ConfigurationException.badOption("serviceAccount", "it is required", "Call serviceAccount(\"...\").");
            }
            return "system:serviceaccount:" + namespace + ":" + serviceAccount;
        }

        public TrustPolicy build() {
            if (providerHost == null) {
                throw ConfigurationException.badOption("issuer", "it is required",
                        "Call issuer(..) with the cluster's OIDC issuer URL (`aws eks describe-cluster --query "
                                + "cluster.identity.oidc.issuer`).");
            }
            return policy(subject());
        }
    }
}
