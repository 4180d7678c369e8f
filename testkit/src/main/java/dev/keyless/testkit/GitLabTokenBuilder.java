package dev.keyless.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A GitLab CI ID token ({@code id_tokens:}): {@code sub}
 * {@code project_path:GROUP/PROJECT:ref_type:branch:ref:main}, and namespace_path, project_path, ref,
 * ref_type, ref_protected, pipeline_source, environment, user_login... Numeric ids are strings.
 *
 * <p>By default: project {@code keyless-dev/demo}, branch {@code main}, pipeline source {@code push},
 * {@code aud} the issuer URL (GitLab's default when a job names none), a 1-hour lifetime.
 */
public final class GitLabTokenBuilder extends TokenBuilder<GitLabTokenBuilder> {
    private String projectPath = "keyless-dev/demo";
    private String ref = "main";
    private String refType = "branch";
    private boolean refProtected = true;
    private String environment;
    private String pipelineSource = "push";
    private String userLogin = "keyless-bot";
    private String runnerEnvironment = "gitlab-hosted";
    private final LocalIssuer issuer;

    GitLabTokenBuilder(LocalIssuer issuer) {
        super(issuer, Duration.ofHours(1));
        this.issuer = issuer;
    }

    /** {@code GROUP/PROJECT} (groups may nest: {@code a/b/project}). */
    public GitLabTokenBuilder project(String projectPath) {
        if (projectPath.indexOf('/') <= 0 || projectPath.endsWith("/")) {
            throw new IllegalArgumentException("project must look like GROUP/PROJECT: " + projectPath);
        }
        this.projectPath = projectPath;
        return this;
    }

    /** A branch pipeline. */
    public GitLabTokenBuilder branch(String branch) {
        this.ref = Objects.requireNonNull(branch, "branch");
        this.refType = "branch";
        return this;
    }

    /** A tag pipeline. */
    public GitLabTokenBuilder tag(String tag) {
        this.ref = Objects.requireNonNull(tag, "tag");
        this.refType = "tag";
        return this;
    }

    /** {@code ref_protected}. By default, true. */
    public GitLabTokenBuilder refProtected(boolean refProtected) {
        this.refProtected = refProtected;
        return this;
    }

    /** A deployment job's environment. */
    public GitLabTokenBuilder environment(String environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        return this;
    }

    /** {@code pipeline_source}: push, merge_request_event, schedule, web... */
    public GitLabTokenBuilder pipelineSource(String pipelineSource) {
        this.pipelineSource = Objects.requireNonNull(pipelineSource, "pipelineSource");
        return this;
    }

    /** {@code user_login}. */
    public GitLabTokenBuilder userLogin(String userLogin) {
        this.userLogin = Objects.requireNonNull(userLogin, "userLogin");
        return this;
    }

    /** {@code runner_environment}: gitlab-hosted or self-hosted. */
    public GitLabTokenBuilder runnerEnvironment(String runnerEnvironment) {
        this.runnerEnvironment = Objects.requireNonNull(runnerEnvironment, "runnerEnvironment");
        return this;
    }

    private String namespacePath() {
        return projectPath.substring(0, projectPath.lastIndexOf('/'));
    }

    @Override
    List<String> defaultAudience() {
        return List.of(issuer.issuerUrl());
    }

    @Override
    String defaultSubject() {
        return "project_path:" + projectPath + ":ref_type:" + refType + ":ref:" + ref;
    }

    @Override
    void providerClaims(Map<String, Object> c) {
        String host = java.net.URI.create(issuer.issuerUrl()).getAuthority();
        String refPath = (refType.equals("tag") ? "refs/tags/" : "refs/heads/") + ref;
        c.put("namespace_id", Ids.numeric("ns:" + namespacePath(), 6));
        c.put("namespace_path", namespacePath());
        c.put("project_id", Ids.numeric("project:" + projectPath, 8));
        c.put("project_path", projectPath);
        c.put("user_id", Ids.numeric("user:" + userLogin, 7));
        c.put("user_login", userLogin);
        c.put("user_email", userLogin + "@example.com");
        c.put("user_access_level", "developer");
        c.put("pipeline_id", Ids.numeric("pipeline:" + projectPath + ref, 9));
        c.put("pipeline_source", pipelineSource);
        c.put("job_id", Ids.numeric("job:" + projectPath + ref, 10));
        c.put("ref", ref);
        c.put("ref_type", refType);
        c.put("ref_path", refPath);
        c.put("ref_protected", String.valueOf(refProtected));
        if (environment != null) {
            c.put("environment", environment);
            c.put("environment_protected", "false");
            c.put("deployment_tier", "other");
        }
        c.put("runner_id", 1);
        c.put("runner_environment", runnerEnvironment);
        c.put("sha", Ids.hex("sha:" + projectPath + "@" + ref, 40));
        c.put("project_visibility", "private");
        c.put("ci_config_ref_uri", host + "/" + projectPath + "//.gitlab-ci.yml@" + refPath);
        c.put("ci_config_sha", Ids.hex("sha:" + projectPath + "@" + ref, 40));
    }
}
