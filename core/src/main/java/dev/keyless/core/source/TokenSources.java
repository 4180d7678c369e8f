package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.DetectionReport.Candidate;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Ambient detection: finds the identity token source of the environment the code runs in.
 *
 * <p>Candidates are looked at in this order, and the first one that is here wins:
 * <ol>
 *   <li>an explicit override: {@code KEYLESS_TOKEN_SOURCE} (one of {@code github-actions}, {@code gitlab},
 *       {@code circleci}, {@code buildkite}, {@code bitbucket}, {@code azure-pipelines}, {@code terraform},
 *       {@code file}, {@code google-metadata}; case-insensitive) forces that source without checking its CI
 *       flag (what it needs must still be there: a forced source that cannot work is broken), and
 *       {@code KEYLESS_TOKEN_FILE} forces a {@link FileTokenSource} on that path (with
 *       {@code KEYLESS_TOKEN_SOURCE=file}, or alone);</li>
 *   <li>GitHub Actions: {@code GITHUB_ACTIONS=true} ({@link GitHubActionsTokenSource});</li>
 *   <li>GitLab CI: {@code GITLAB_CI=true}; the {@code id_tokens} variable named by
 *       {@code KEYLESS_GITLAB_TOKEN_VARIABLE}, else the first set of {@code GITLAB_OIDC_TOKEN},
 *       {@code ID_TOKEN}, {@code KEYLESS_ID_TOKEN};</li>
 *   <li>CircleCI: {@code CIRCLECI=true}; {@code CIRCLE_OIDC_TOKEN_V2}, else {@code CIRCLE_OIDC_TOKEN};</li>
 *   <li>Buildkite: {@code BUILDKITE=true}; runs {@code buildkite-agent oidc request-token}
 *       ({@link CommandTokenSource#buildkite()});</li>
 *   <li>Bitbucket Pipelines: {@code BITBUCKET_BUILD_NUMBER} set; {@code BITBUCKET_STEP_OIDC_TOKEN};</li>
 *   <li>Azure Pipelines: {@link AzurePipelinesTokenSource#fromEnvironment(Environment)};</li>
 *   <li>HCP Terraform: {@code TFC_WORKLOAD_IDENTITY_TOKEN} set;</li>
 *   <li>token files: {@code AWS_WEB_IDENTITY_TOKEN_FILE}, then {@code AZURE_FEDERATED_TOKEN_FILE};</li>
 *   <li>the Google metadata server: {@link GoogleMetadataTokenSource#fromEnvironment(Environment)}.</li>
 * </ol>
 *
 * <p>Each candidate is <em>not here</em> (its flag or variable is absent: try the next one), <em>found</em>,
 * or <em>here but broken</em> (for example {@code GITLAB_CI=true} without an {@code id_tokens} variable, or
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE} naming a missing file): detection then stops with that candidate's
 * {@link ConfigurationException}, whose diagnosis says how to fix it, rather than silently falling through to
 * a source the user did not mean. When nothing is here, it throws a {@link ConfigurationException} with code
 * {@code detect.nothing-found} listing what it looked at. Detection reads only environment variables and file
 * metadata (through java.nio): it never calls the network and never reads a token. By default, the process
 * environment ({@link Environment#system()}) is used.
 */
public final class TokenSources {
    /** Forces one source by name. */
    public static final String TOKEN_SOURCE_VARIABLE = "KEYLESS_TOKEN_SOURCE";
    /** Forces a file source on this path. */
    public static final String TOKEN_FILE_VARIABLE = "KEYLESS_TOKEN_FILE";
    /** Names the GitLab {@code id_tokens} variable to read. */
    public static final String GITLAB_TOKEN_VARIABLE = "KEYLESS_GITLAB_TOKEN_VARIABLE";
    /** The GitLab {@code id_tokens} variable names tried, in order, when {@code KEYLESS_GITLAB_TOKEN_VARIABLE} is unset. */
    public static final List<String> GITLAB_DEFAULT_VARIABLES = List.of("GITLAB_OIDC_TOKEN", "ID_TOKEN", "KEYLESS_ID_TOKEN");
    /** The values {@code KEYLESS_TOKEN_SOURCE} accepts. */
    public static final List<String> SOURCE_NAMES = List.of("github-actions", "gitlab", "circleci", "buildkite",
            "bitbucket", "azure-pipelines", "terraform", "file", "google-metadata");

    static final String AWS_TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE";
    static final String AZURE_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";
    private static final String AWS_FILE_AUDIENCE_HINT = "On EKS, the audience of the token in "
            + AWS_TOKEN_FILE + " is set by the service account annotation `eks.amazonaws.com/audience` (default "
            + "sts.amazonaws.com); elsewhere by `serviceAccountToken.audience` in the pod spec's projected volume.";
    private static final String AZURE_FILE_AUDIENCE_HINT = "On AKS, workload identity projects the token in "
            + AZURE_TOKEN_FILE + " for the audience api://AzureADTokenExchange; elsewhere the audience is "
            + "`serviceAccountToken.audience` in the pod spec's projected volume.";

    private static final List<Probe> PROBES = List.of(
            new Probe("override", TokenSources::override),
            new Probe("github-actions", TokenSources::gitHubActions),
            new Probe("gitlab", TokenSources::gitLab),
            new Probe("circleci", TokenSources::circleCi),
            new Probe("buildkite", TokenSources::buildkite),
            new Probe("bitbucket", TokenSources::bitbucket),
            new Probe("azure-pipelines", TokenSources::azurePipelines),
            new Probe("terraform", TokenSources::terraform),
            new Probe("aws-web-identity-token-file", env -> tokenFile(env, AWS_TOKEN_FILE, AWS_FILE_AUDIENCE_HINT)),
            new Probe("azure-federated-token-file", env -> tokenFile(env, AZURE_TOKEN_FILE, AZURE_FILE_AUDIENCE_HINT)),
            new Probe("google-metadata", TokenSources::googleMetadata));

    private TokenSources() {
    }

    /**
     * The source of the process environment.
     *
     * @throws ConfigurationException when the first candidate that is here is broken, or nothing is here
     */
    public static TokenSource detect() {
        return detect(Environment.system());
    }

    /**
     * The source of the given environment: the first candidate found, in the documented order.
     *
     * @throws ConfigurationException the failure of the first candidate that is here but broken, met before any
     *                                found one; or code {@code detect.nothing-found} when nothing is here
     */
    public static TokenSource detect(Environment env) {
        requireEnv(env);
        List<Candidate> seen = new ArrayList<>();
        for (Probe probe : PROBES) {
            Candidate c = probe.look(env);
            seen.add(c);
            if (c.outcome() != DetectionReport.Outcome.NOT_HERE) {
                return new DetectionReport(seen).source();
            }
        }
        throw nothingFound(seen);
    }

    /** What detection finds in the process environment, candidate by candidate. */
    public static DetectionReport report() {
        return report(Environment.system());
    }

    /**
     * What detection finds in the given environment: every candidate, in order, with its outcome, including those
     * after the one {@link #detect(Environment)} would decide on. Never throws for a broken candidate.
     */
    public static DetectionReport report(Environment env) {
        requireEnv(env);
        List<Candidate> all = new ArrayList<>();
        for (Probe probe : PROBES) {
            all.add(probe.look(env));
        }
        return new DetectionReport(all);
    }

    private static void requireEnv(Environment env) {
        if (env == null) {
            throw ConfigurationException.badOption("env", "it is null",
                    "Pass Environment.system(), or Environment.of(map) in tests.");
        }
    }

    static ConfigurationException nothingFound(List<Candidate> looked) {
        Diagnosis.Builder d = Diagnosis.builder("No identity token source was found in this environment.")
                .code("detect.nothing-found")
                .likelyCause("The code does not run in a supported CI job or workload, or the variables that show "
                        + "it are not passed into this process (a container, a sub-shell with a cleaned environment).");
        for (Candidate c : looked) {
            d.evidence(c.name(), c.reason());
        }
        return new ConfigurationException(d.fix("Choose a source explicitly: set " + TOKEN_FILE_VARIABLE
                        + "=/path/to/token, or " + TOKEN_SOURCE_VARIABLE + " to one of " + String.join(", ", SOURCE_NAMES)
                        + "; or build one in code, e.g. FileTokenSource.of(path), "
                        + "EnvironmentVariableTokenSource.of(\"MY_TOKEN\"), "
                        + "CommandTokenSource.of(\"my-helper\", \"--audience\", \"{audience}\").")
                .build());
    }

    // ---- candidates -------------------------------------------------------------------------------------

    private static Candidate override(Environment env) {
        Optional<String> forced = env.get(TOKEN_SOURCE_VARIABLE).map(s -> s.strip().toLowerCase(Locale.ROOT));
        Optional<String> file = env.get(TOKEN_FILE_VARIABLE).map(String::strip);
        if (forced.isEmpty() && file.isEmpty()) {
            return Candidate.notHere("override", TOKEN_SOURCE_VARIABLE + " and " + TOKEN_FILE_VARIABLE + " are not set");
        }
        if (forced.isPresent()) {
            String name = forced.get();
            if (!SOURCE_NAMES.contains(name)) {
                throw new ConfigurationException(Diagnosis.builder(TOKEN_SOURCE_VARIABLE + " is '" + name
                                + "', which is not a token source Keyless knows.")
                        .code("detect.unknown-source")
                        .evidence(TOKEN_SOURCE_VARIABLE, name)
                        .evidence("known sources", String.join(", ", SOURCE_NAMES))
                        .fix("Set " + TOKEN_SOURCE_VARIABLE + " to one of " + String.join(", ", SOURCE_NAMES)
                                + ", or unset it to detect the source.")
                        .build());
            }
            if (file.isPresent() && !name.equals("file")) {
                throw new ConfigurationException(Diagnosis.builder(TOKEN_SOURCE_VARIABLE + " is '" + name + "' but "
                                + TOKEN_FILE_VARIABLE + " is also set: the two overrides contradict each other.")
                        .code("detect.conflicting-override")
                        .evidence(TOKEN_SOURCE_VARIABLE, name)
                        .evidence(TOKEN_FILE_VARIABLE, file.get())
                        .fix("Unset " + TOKEN_FILE_VARIABLE + " to use " + name + ", or set " + TOKEN_SOURCE_VARIABLE
                                + "=file (or unset it) to use the file.")
                        .build());
            }
            return Candidate.found("override", TOKEN_SOURCE_VARIABLE + "=" + name, forced(name, env));
        }
        return Candidate.found("override", TOKEN_FILE_VARIABLE + "=" + file.get(),
                fileSource(file.get(), TOKEN_FILE_VARIABLE, FileTokenSource.DEFAULT_AUDIENCE_HINT));
    }

    private static TokenSource forced(String name, Environment env) {
        switch (name) {
            case "github-actions":
                return GitHubActionsTokenSource.fromEnvironment(env)
                        .orElseGet(() -> GitHubActionsTokenSource.builder().environment(env).build());
            case "gitlab":
                return gitLabSource(env);
            case "circleci":
                return circleCiSource(env);
            case "buildkite":
                return CommandTokenSource.buildkite();
            case "bitbucket":
                return bitbucketSource(env);
            case "azure-pipelines":
                return AzurePipelinesTokenSource.fromEnvironment(env)
                        .orElseGet(() -> AzurePipelinesTokenSource.builder().environment(env).build());
            case "terraform":
                return terraformSource(env);
            case "file":
                return forcedFile(env);
            case "google-metadata":
                return GoogleMetadataTokenSource.fromEnvironment(env)
                        .orElseGet(() -> GoogleMetadataTokenSource.builder().environment(env).build());
            default:
                throw new IllegalStateException("unhandled source " + name);
        }
    }

    private static TokenSource forcedFile(Environment env) {
        for (String variable : List.of(TOKEN_FILE_VARIABLE, AWS_TOKEN_FILE, AZURE_TOKEN_FILE)) {
            Optional<String> path = env.get(variable);
            if (path.isPresent()) {
                String hint = variable.equals(AWS_TOKEN_FILE) ? AWS_FILE_AUDIENCE_HINT
                        : variable.equals(AZURE_TOKEN_FILE) ? AZURE_FILE_AUDIENCE_HINT
                        : FileTokenSource.DEFAULT_AUDIENCE_HINT;
                return fileSource(path.get().strip(), variable, hint);
            }
        }
        throw new ConfigurationException(Diagnosis.builder(TOKEN_SOURCE_VARIABLE + "=file, but no token file path "
                        + "is set.")
                .code("detect.file-path-missing")
                .evidence("variables looked at", String.join(", ", TOKEN_FILE_VARIABLE, AWS_TOKEN_FILE, AZURE_TOKEN_FILE))
                .fix("Set " + TOKEN_FILE_VARIABLE + " to the token file's path.")
                .build());
    }

    private static Candidate gitHubActions(Environment env) {
        if (!env.isTrue(GitHubActionsTokenSource.GITHUB_ACTIONS)) {
            return Candidate.notHere("github-actions", GitHubActionsTokenSource.GITHUB_ACTIONS + " is not true");
        }
        return GitHubActionsTokenSource.fromEnvironment(env)
                .map(s -> Candidate.found("github-actions", GitHubActionsTokenSource.GITHUB_ACTIONS + "=true", s))
                .orElseGet(() -> Candidate.notHere("github-actions", "GitHubActionsTokenSource found no GitHub Actions job"));
    }

    private static Candidate gitLab(Environment env) {
        if (!env.isTrue("GITLAB_CI")) {
            return Candidate.notHere("gitlab", "GITLAB_CI is not true");
        }
        EnvironmentVariableTokenSource source = gitLabSource(env);
        return Candidate.found("gitlab", "GITLAB_CI=true, token in " + source.variables().get(0), source);
    }

    static EnvironmentVariableTokenSource gitLabSource(Environment env) {
        Optional<String> named = env.get(GITLAB_TOKEN_VARIABLE).map(String::strip);
        if (named.isPresent()) {
            String variable = named.get();
            if (!variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw ConfigurationException.badOption(GITLAB_TOKEN_VARIABLE, "'" + variable
                        + "' is not a variable name", "Set it to the name under `id_tokens:` in .gitlab-ci.yml.");
            }
            if (!env.has(variable)) {
                throw gitLabMissing(GITLAB_TOKEN_VARIABLE + " names " + variable + ", which is not set in this job.",
                        variable, List.of(variable));
            }
            return EnvironmentVariableTokenSource.gitLab(variable, env);
        }
        for (String variable : GITLAB_DEFAULT_VARIABLES) {
            if (env.has(variable)) {
                return EnvironmentVariableTokenSource.gitLab(variable, env);
            }
        }
        throw gitLabMissing("This is a GitLab CI job, but it has no ID token variable.", GITLAB_DEFAULT_VARIABLES.get(0),
                GITLAB_DEFAULT_VARIABLES);
    }

    private static ConfigurationException gitLabMissing(String problem, String variable, List<String> lookedAt) {
        return new ConfigurationException(Diagnosis.builder(problem)
                .code("gitlab.missing-id-token")
                .likelyCause("The job declares no `id_tokens:` (GitLab removed the old CI_JOB_JWT variables in 17.0), "
                        + "or it names the token variable something Keyless does not look for.")
                .evidence("variables looked at", String.join(", ", lookedAt))
                .fix("Declare an ID token in the job in .gitlab-ci.yml, with the audience your cloud expects:\n"
                        + EnvironmentVariableTokenSource.gitLabYaml(variable, "sts.amazonaws.com")
                        + "\nand, if you name it otherwise, set " + GITLAB_TOKEN_VARIABLE + " to its name.")
                .build());
    }

    private static Candidate circleCi(Environment env) {
        if (!env.isTrue("CIRCLECI")) {
            return Candidate.notHere("circleci", "CIRCLECI is not true");
        }
        return Candidate.found("circleci", "CIRCLECI=true", circleCiSource(env));
    }

    private static EnvironmentVariableTokenSource circleCiSource(Environment env) {
        if (!env.has(EnvironmentVariableTokenSource.CIRCLECI_V2) && !env.has(EnvironmentVariableTokenSource.CIRCLECI_V1)) {
            throw new ConfigurationException(Diagnosis.builder("This is a CircleCI job, but it has no OIDC token "
                            + "(neither " + EnvironmentVariableTokenSource.CIRCLECI_V2 + " nor "
                            + EnvironmentVariableTokenSource.CIRCLECI_V1 + " is set).")
                    .code("circleci.missing-oidc-token")
                    .likelyCause("The job does not run in a context/project where CircleCI issues OIDC tokens.")
                    .evidence("variables looked at", EnvironmentVariableTokenSource.CIRCLECI_V2 + ", "
                            + EnvironmentVariableTokenSource.CIRCLECI_V1)
                    .fix(EnvironmentVariableTokenSource.CIRCLECI_MISSING_HINT)
                    .build());
        }
        return EnvironmentVariableTokenSource.circleCi(env);
    }

    private static Candidate buildkite(Environment env) {
        if (!env.isTrue("BUILDKITE")) {
            return Candidate.notHere("buildkite", "BUILDKITE is not true");
        }
        return Candidate.found("buildkite", "BUILDKITE=true", CommandTokenSource.buildkite());
    }

    private static Candidate bitbucket(Environment env) {
        if (!env.has("BITBUCKET_BUILD_NUMBER")) {
            return Candidate.notHere("bitbucket", "BITBUCKET_BUILD_NUMBER is not set");
        }
        return Candidate.found("bitbucket", "BITBUCKET_BUILD_NUMBER is set", bitbucketSource(env));
    }

    private static EnvironmentVariableTokenSource bitbucketSource(Environment env) {
        if (!env.has(EnvironmentVariableTokenSource.BITBUCKET)) {
            throw new ConfigurationException(Diagnosis.builder("This is a Bitbucket Pipelines step, but "
                            + EnvironmentVariableTokenSource.BITBUCKET + " is not set.")
                    .code("bitbucket.missing-oidc-token")
                    .likelyCause("The step does not enable OIDC.")
                    .evidence("variable", EnvironmentVariableTokenSource.BITBUCKET)
                    .fix(EnvironmentVariableTokenSource.BITBUCKET_MISSING_HINT)
                    .build());
        }
        return EnvironmentVariableTokenSource.bitbucket(env);
    }

    private static Candidate azurePipelines(Environment env) {
        Optional<AzurePipelinesTokenSource> source = AzurePipelinesTokenSource.fromEnvironment(env);
        if (source.isPresent()) {
            return Candidate.found("azure-pipelines", AzurePipelinesTokenSource.TF_BUILD + "=True and "
                    + AzurePipelinesTokenSource.REQUEST_URI_VARIABLE + " is set", source.get());
        }
        return Candidate.notHere("azure-pipelines", !env.isTrue(AzurePipelinesTokenSource.TF_BUILD)
                ? AzurePipelinesTokenSource.TF_BUILD + " is not True"
                : AzurePipelinesTokenSource.REQUEST_URI_VARIABLE + " is not set");
    }

    private static Candidate terraform(Environment env) {
        if (!env.has(EnvironmentVariableTokenSource.TERRAFORM)) {
            return Candidate.notHere("terraform", EnvironmentVariableTokenSource.TERRAFORM + " is not set");
        }
        return Candidate.found("terraform", EnvironmentVariableTokenSource.TERRAFORM + " is set",
                EnvironmentVariableTokenSource.terraform(env));
    }

    private static EnvironmentVariableTokenSource terraformSource(Environment env) {
        EnvironmentVariableTokenSource source = EnvironmentVariableTokenSource.terraform(env);
        if (!env.has(EnvironmentVariableTokenSource.TERRAFORM)) {
            throw source.missingVariable(); // Now, at detection time, rather than at the first token().
        }
        return source;
    }

    private static Candidate tokenFile(Environment env, String variable, String audienceHint) {
        String name = variable.equals(AWS_TOKEN_FILE) ? "aws-web-identity-token-file" : "azure-federated-token-file";
        Optional<String> path = env.get(variable);
        if (path.isEmpty()) {
            return Candidate.notHere(name, variable + " is not set");
        }
        return Candidate.found(name, variable + "=" + path.get().strip(),
                fileSource(path.get().strip(), variable, audienceHint));
    }

    /** A file source for a path taken from a variable; throws when the file is missing, a directory or unreadable. */
    private static FileTokenSource fileSource(String path, String variable, String audienceHint) {
        Path parsed;
        try {
            parsed = Path.of(path);
        } catch (InvalidPathException e) {
            throw ConfigurationException.badOption(variable, "it is not a valid path (" + e.getReason() + ")",
                    "Set " + variable + " to the token file's path.");
        }
        FileTokenSource source = FileTokenSource.builder().path(parsed).configuredBy(variable)
                .audienceHint(audienceHint).build();
        Optional<ConfigurationException> problem = source.locationProblem();
        if (problem.isPresent()) {
            throw problem.get();
        }
        return source;
    }

    private static Candidate googleMetadata(Environment env) {
        return GoogleMetadataTokenSource.fromEnvironment(env)
                .map(s -> Candidate.found("google-metadata", env.has(GoogleMetadataTokenSource.HOST_VARIABLE)
                        ? GoogleMetadataTokenSource.HOST_VARIABLE + " is set"
                        : GoogleMetadataTokenSource.ENABLE_VARIABLE + "=true", s))
                .orElseGet(() -> Candidate.notHere("google-metadata", GoogleMetadataTokenSource.HOST_VARIABLE
                        + " is not set and " + GoogleMetadataTokenSource.ENABLE_VARIABLE + " is not true"));
    }

    /** One candidate: looks at the environment and turns "here but broken" exceptions into a BROKEN entry. */
    private static final class Probe {
        private final String name;
        private final Function<Environment, Candidate> look;

        Probe(String name, Function<Environment, Candidate> look) {
            this.name = name;
            this.look = look;
        }

        Candidate look(Environment env) {
            try {
                return look.apply(env);
            } catch (ConfigurationException e) {
                return Candidate.broken(name, e);
            } catch (KeylessException e) {
                // Detection promises configuration errors; keep the diagnosis and the original as the cause.
                return Candidate.broken(name, new ConfigurationException(e.diagnosis(), e));
            }
        }
    }
}
