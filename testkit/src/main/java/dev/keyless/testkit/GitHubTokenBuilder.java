package dev.keyless.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A GitHub Actions OIDC token: {@code sub} {@code repo:ORG/REPO:ref:refs/heads/BRANCH} (or
 * {@code :environment:NAME}, {@code :pull_request}, {@code :ref:refs/tags/TAG}), and the claims GitHub adds
 * (repository, repository_id, repository_owner, repository_owner_id, ref, ref_type, sha, workflow,
 * job_workflow_ref, run_id, run_attempt, actor, event_name, environment, runner_environment...).
 *
 * <p>As on GitHub, an environment wins over the pull request form, which wins over the ref form. Numeric ids
 * are strings, derived from the names so that they are stable. By default: repository {@code keyless-dev/demo},
 * branch {@code main}, event {@code push}, {@code aud} {@code https://github.com/<owner>}, a 5-minute lifetime,
 * and {@code nbf} 5 minutes before {@code iat}.
 */
public final class GitHubTokenBuilder extends TokenBuilder<GitHubTokenBuilder> {
    private String owner = "keyless-dev";
    private String repo = "demo";
    private String ownerId;
    private String repoId;
    private String ref = "refs/heads/main";
    private String refType = "branch";
    private String environment;
    private String eventName = "push";
    private Integer pullRequest;
    private String sha;
    private String runId;
    private String runNumber = "1";
    private String runAttempt = "1";
    private String actor = "keyless-bot";
    private String workflow = "CI";
    private String workflowFile = ".github/workflows/ci.yml";
    private String jobWorkflowRef;
    private String runnerEnvironment = "github-hosted";
    private String visibility = "private";
    private boolean immutableSubject;

    GitHubTokenBuilder(LocalIssuer issuer) {
        super(issuer, Duration.ofMinutes(5));
    }

    /** {@code ORG/REPO}. */
    public GitHubTokenBuilder repository(String repository) {
        int slash = repository.indexOf('/');
        if (slash <= 0 || slash == repository.length() - 1 || repository.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("repository must look like OWNER/REPO: " + repository);
        }
        this.owner = repository.substring(0, slash);
        this.repo = repository.substring(slash + 1);
        return this;
    }

    /** The numeric owner id ({@code repository_owner_id}). By default, derived from the owner's name. */
    public GitHubTokenBuilder repositoryOwnerId(String ownerId) {
        this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
        return this;
    }

    /** The numeric repository id ({@code repository_id}). By default, derived from the repository's name. */
    public GitHubTokenBuilder repositoryId(String repoId) {
        this.repoId = Objects.requireNonNull(repoId, "repoId");
        return this;
    }

    /** A push to a branch: ref {@code refs/heads/BRANCH}. */
    public GitHubTokenBuilder branch(String branch) {
        this.ref = "refs/heads/" + branch;
        this.refType = "branch";
        return this;
    }

    /** A tag: ref {@code refs/tags/TAG}. */
    public GitHubTokenBuilder tag(String tag) {
        this.ref = "refs/tags/" + tag;
        this.refType = "tag";
        return this;
    }

    /** A deployment job: sub {@code repo:ORG/REPO:environment:NAME}. */
    public GitHubTokenBuilder environment(String environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        return this;
    }

    /** A {@code pull_request} event for PR number {@code number}: sub {@code repo:ORG/REPO:pull_request}. */
    public GitHubTokenBuilder pullRequest(int number) {
        this.pullRequest = number;
        this.eventName = "pull_request";
        this.ref = "refs/pull/" + number + "/merge";
        this.refType = "branch";
        return this;
    }

    /** A {@code pull_request} event for PR number 1. */
    public GitHubTokenBuilder pullRequest() {
        return pullRequest(1);
    }

    /** {@code event_name}, e.g. workflow_dispatch, schedule. */
    public GitHubTokenBuilder eventName(String eventName) {
        this.eventName = Objects.requireNonNull(eventName, "eventName");
        return this;
    }

    /** The commit ({@code sha}). By default, derived from the repository and ref. */
    public GitHubTokenBuilder sha(String sha) {
        this.sha = Objects.requireNonNull(sha, "sha");
        return this;
    }

    /** {@code run_id}. */
    public GitHubTokenBuilder runId(String runId) {
        this.runId = Objects.requireNonNull(runId, "runId");
        return this;
    }

    /** {@code run_number}. */
    public GitHubTokenBuilder runNumber(String runNumber) {
        this.runNumber = Objects.requireNonNull(runNumber, "runNumber");
        return this;
    }

    /** {@code run_attempt}. */
    public GitHubTokenBuilder runAttempt(String runAttempt) {
        this.runAttempt = Objects.requireNonNull(runAttempt, "runAttempt");
        return this;
    }

    /** {@code actor}. */
    public GitHubTokenBuilder actor(String actor) {
        this.actor = Objects.requireNonNull(actor, "actor");
        return this;
    }

    /** The workflow's name ({@code workflow}) and file under .github/workflows, e.g. ("Deploy", "deploy.yml"). */
    public GitHubTokenBuilder workflow(String name, String file) {
        this.workflow = Objects.requireNonNull(name, "name");
        this.workflowFile = ".github/workflows/" + Objects.requireNonNull(file, "file");
        return this;
    }

    /** {@code job_workflow_ref}, for a reusable workflow, e.g. {@code org/shared/.github/workflows/d.yml@refs/heads/main}. */
    public GitHubTokenBuilder jobWorkflowRef(String jobWorkflowRef) {
        this.jobWorkflowRef = Objects.requireNonNull(jobWorkflowRef, "jobWorkflowRef");
        return this;
    }

    /** {@code runner_environment}: {@code github-hosted} (default) or {@code self-hosted}. */
    public GitHubTokenBuilder runnerEnvironment(String runnerEnvironment) {
        this.runnerEnvironment = Objects.requireNonNull(runnerEnvironment, "runnerEnvironment");
        return this;
    }

    /** {@code repository_visibility}: private (default), internal or public. */
    public GitHubTokenBuilder visibility(String visibility) {
        this.visibility = Objects.requireNonNull(visibility, "visibility");
        return this;
    }

    /** The immutable subject form {@code repo:ORG@OWNER_ID/REPO@REPO_ID:...}, which survives renames. */
    public GitHubTokenBuilder immutableSubject() {
        this.immutableSubject = true;
        return this;
    }

    String repositoryName() {
        return owner + "/" + repo;
    }

    String ownerId() {
        return ownerId != null ? ownerId : Ids.numeric("owner:" + owner, 8);
    }

    String repoId() {
        return repoId != null ? repoId : Ids.numeric("repo:" + owner + "/" + repo, 9);
    }

    String shaValue() {
        return sha != null ? sha : Ids.hex("sha:" + owner + "/" + repo + "@" + ref, 40);
    }

    String runIdValue() {
        return runId != null ? runId : Ids.numeric("run:" + owner + "/" + repo, 10);
    }

    String ref() {
        return ref;
    }

    String refType() {
        return refType;
    }

    String eventNameValue() {
        return eventName;
    }

    String actorValue() {
        return actor;
    }

    String workflowValue() {
        return workflow;
    }

    String workflowRef() {
        return owner + "/" + repo + "/" + workflowFile + "@" + ref;
    }

    String runNumberValue() {
        return runNumber;
    }

    String runAttemptValue() {
        return runAttempt;
    }

    String runnerEnvironmentValue() {
        return runnerEnvironment;
    }

    @Override
    List<String> defaultAudience() {
        return List.of("https://github.com/" + owner);
    }

    @Override
    String defaultSubject() {
        String prefix = immutableSubject
                ? "repo:" + owner + "@" + ownerId() + "/" + repo + "@" + repoId()
                : "repo:" + owner + "/" + repo;
        if (environment != null) {
            return prefix + ":environment:" + environment;
        }
        if ("pull_request".equals(eventName)) {
            return prefix + ":pull_request";
        }
        return prefix + ":ref:" + ref;
    }

    @Override
    Duration notBeforeLead() {
        return Duration.ofMinutes(5);
    }

    @Override
    void providerClaims(Map<String, Object> c) {
        c.put("ref", ref);
        c.put("sha", shaValue());
        c.put("repository", owner + "/" + repo);
        c.put("repository_owner", owner);
        c.put("repository_owner_id", ownerId());
        c.put("run_id", runIdValue());
        c.put("run_number", runNumber);
        c.put("run_attempt", runAttempt);
        c.put("repository_visibility", visibility);
        c.put("repository_id", repoId());
        c.put("actor_id", Ids.numeric("actor:" + actor, 8));
        c.put("actor", actor);
        c.put("workflow", workflow);
        c.put("head_ref", pullRequest != null ? "feature-" + pullRequest : "");
        c.put("base_ref", pullRequest != null ? "main" : "");
        c.put("event_name", eventName);
        c.put("ref_protected", String.valueOf(ref.equals("refs/heads/main")));
        c.put("ref_type", refType);
        c.put("workflow_ref", workflowRef());
        c.put("workflow_sha", shaValue());
        c.put("job_workflow_ref", jobWorkflowRef != null ? jobWorkflowRef : workflowRef());
        c.put("job_workflow_sha", shaValue());
        c.put("runner_environment", runnerEnvironment);
        if (environment != null) {
            c.put("environment", environment);
        }
    }
}
