package dev.keyless.gcp;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.internal.Endpoints;
import dev.keyless.core.internal.Json;
import dev.keyless.gcp.internal.ConfigFiles;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@code external_account} credential configuration: the JSON file that gcloud, Terraform and every Google client
 * library read ({@code GOOGLE_APPLICATION_CREDENTIALS}), so that non-Java tools in the same job are keyless too.
 *
 * <p>Three credential sources: a token file ({@link Builder#fileSource(Path)}), a URL
 * ({@link Builder#gitHubActionsSource(Environment, String)} builds GitHub's: the request URL with the audience, the
 * request token as a bearer header and the {@code value} field of the JSON answer), or an executable
 * ({@link Builder#executableSource(String)}, e.g. {@code keyless gcp executable ...}; Google's libraries run it
 * only when {@code GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1}).
 *
 * <p>{@link #write()} writes it readable by its owner only ({@code rw-------}), by default in {@code $RUNNER_TEMP}
 * or the system temporary directory, and refuses any path inside the checked-out workspace ({@code GITHUB_WORKSPACE},
 * or a directory with {@code .git} above it): such files end up in commits, artifacts and images. A URL source file
 * holds GitHub's request token, which is a secret for the job's lifetime: {@link #toString()} never shows headers.
 *
 * <p>By default: subject token type {@code jwt}, universe {@code googleapis.com}, no impersonation.
 */
public final class CredentialConfiguration {
    private final Map<String, Object> json;
    private final Environment environment;
    private final boolean allowWorkspace;
    private final String summary;

    private CredentialConfiguration(Map<String, Object> json, Environment environment, boolean allowWorkspace, String summary) {
        this.json = json;
        this.environment = environment;
        this.allowWorkspace = allowWorkspace;
        this.summary = summary;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The JSON document (the URL source's headers included: treat it as a secret). */
    public String toJson() {
        return Json.write(json);
    }

    /** Writes the file in the default directory ({@code $RUNNER_TEMP}, else the system temporary directory) with a random name. */
    public Path write() {
        return ConfigFiles.writeDefault(toJson(), environment, allowWorkspace);
    }

    /**
     * Writes the file at {@code file} (replacing it), owner-only.
     *
     * @throws ConfigurationException when {@code file} is inside the checked-out workspace and that was not allowed
     */
    public Path writeTo(Path file) {
        return ConfigFiles.write(file, toJson(), environment, allowWorkspace);
    }

    @Override
    public String toString() {
        return "CredentialConfiguration{" + summary + "}";
    }

    /**
     * Configures a {@link CredentialConfiguration}; a provider and one credential source are required. The options it
     * shares with the other Google builders are {@link GoogleExchangeBuilder}'s: the service account becomes
     * {@code service_account_impersonation_url}, the lifetime
     * {@code service_account_impersonation.token_lifetime_seconds} (by default left out: 1 hour), the token URL
     * {@code token_url}.
     */
    public static final class Builder extends GoogleExchangeBuilder<Builder> {
        private SubjectTokenType subjectTokenType = SubjectTokenType.JWT;
        private String workforceUserProject;
        private String quotaProject;
        private Map<String, Object> source;
        private String sourceSummary;
        private Environment environment = Environment.system();
        private boolean allowWorkspace;

        private Builder() {
            super(null); // no lifetime unless set: the file leaves it out and Google's libraries use 1 hour
        }

        /** By default, {@link SubjectTokenType#JWT}. */
        public Builder subjectTokenType(SubjectTokenType type) {
            this.subjectTokenType = Objects.requireNonNull(type, "subjectTokenType");
            return this;
        }

        /** {@code workforce_pool_user_project}, for workforce providers only. */
        public Builder workforceUserProject(String project) {
            this.workforceUserProject = Objects.requireNonNull(project, "workforceUserProject");
            return this;
        }

        /** {@code quota_project_id}. By default, none. */
        public Builder quotaProject(String project) {
            this.quotaProject = Objects.requireNonNull(project, "quotaProject");
            return this;
        }

        /** A token file, re-read by the library at every exchange (e.g. a projected Kubernetes token). */
        public Builder fileSource(Path tokenFile) {
            Path abs = tokenFile.toAbsolutePath();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("file", abs.toString());
            s.put("format", Map.of("type", "text"));
            this.source = s;
            this.sourceSummary = "file " + abs;
            return this;
        }

        /**
         * A URL answered with JSON whose {@code fieldName} holds the token, with request headers (which are written to
         * the file: a bearer token there is a secret).
         */
        public Builder urlSource(String url, Map<String, String> headers, String fieldName) {
            Endpoints.requireSafe(url, "url");
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("url", url);
            if (!headers.isEmpty()) {
                s.put("headers", new LinkedHashMap<>(headers));
            }
            s.put("format", Map.of("type", "json", "subject_token_field_name", Objects.requireNonNull(fieldName, "fieldName")));
            this.source = s;
            this.sourceSummary = "url " + url.replaceAll("\\?.*", "?...") + " (headers hidden)";
            return this;
        }

        /**
         * GitHub Actions' token endpoint: {@code ACTIONS_ID_TOKEN_REQUEST_URL} with {@code &audience=}, the header
         * {@code Authorization: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN}, and the {@code value} field.
         *
         * @param audience the audience of the token, usually {@link WorkloadIdentityProvider#defaultTokenAudience()}
         * @throws ConfigurationException when the job lacks the variables ({@code permissions: id-token: write})
         */
        public Builder gitHubActionsSource(Environment env, String audience) {
            String url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL").orElse(null);
            String token = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN").orElse(null);
            if (url == null || token == null) {
                throw new ConfigurationException(Diagnosis.builder(
                                "GitHub Actions' OIDC request variables are not set, so no URL source can be written.")
                        .code("github.missing-id-token-permission")
                        .likelyCause("The job lacks `permissions: id-token: write`, or this is not a GitHub Actions job.")
                        .evidence("ACTIONS_ID_TOKEN_REQUEST_URL", url == null ? "(unset)" : "(set)")
                        .evidence("ACTIONS_ID_TOKEN_REQUEST_TOKEN", token == null ? "(unset)" : "(set)")
                        .fix("Add to the job:\n  permissions:\n    id-token: write\n    contents: read")
                        .build());
            }
            String full = url + (url.contains("?") ? "&" : "?") + "audience="
                    + URLEncoder.encode(Objects.requireNonNull(audience, "audience"), StandardCharsets.UTF_8);
            urlSource(full, Map.of("Authorization", "Bearer " + token), "value");
            this.sourceSummary = "GitHub Actions token endpoint, audience " + audience;
            return this;
        }

        /**
         * An executable that prints Google's executable-sourced response (see {@link ExecutableResponse}); its first
         * word must be an absolute path. Timeout 30 seconds.
         */
        public Builder executableSource(String command) {
            return executableSource(command, Duration.ofSeconds(30), null);
        }

        /** An executable with a timeout (5 to 120 s) and an optional output file where it caches its response. */
        public Builder executableSource(String command, Duration timeout, Path outputFile) {
            Objects.requireNonNull(command, "command");
            String program = command.strip().split("\\s+")[0];
            if (!Path.of(program).isAbsolute()) {
                throw ConfigurationException.badOption("executableSource", "the program '" + program
                        + "' is not an absolute path; Google's libraries require one",
                        "Pass the full path, e.g. /usr/local/bin/keyless gcp executable --provider ...");
            }
            long ms = timeout.toMillis();
            if (ms < 5000 || ms > 120000) {
                throw ConfigurationException.badOption("timeout", "must be 5 to 120 seconds, got " + timeout,
                        "Pass a timeout between 5 and 120 seconds.");
            }
            Map<String, Object> exec = new LinkedHashMap<>();
            exec.put("command", command.strip());
            exec.put("timeout_millis", ms);
            if (outputFile != null) {
                exec.put("output_file", outputFile.toAbsolutePath().toString());
            }
            this.source = Map.of("executable", exec);
            this.sourceSummary = "executable " + program;
            return this;
        }

        /** The environment for the default directory and the workspace check. By default, {@link Environment#system()}. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Allows writing inside the checked-out workspace. By default, false. */
        public Builder allowInsideWorkspace(boolean allow) {
            this.allowWorkspace = allow;
            return this;
        }

        public CredentialConfiguration build() {
            requireProvider();
            if (source == null) {
                throw ConfigurationException.badOption("credential source", "none is set",
                        "Call fileSource(...), gitHubActionsSource(...), urlSource(...) or executableSource(...).");
            }
            if (workforceUserProject != null && !provider.isWorkforce()) {
                throw ConfigurationException.badOption("workforceUserProject",
                        "a user project belongs to workforce pool providers only", "Remove it.");
            }
            if (lifetime != null && serviceAccount == null) {
                throw ConfigurationException.badOption("lifetime", "it applies to impersonation, and no service account is set",
                        "Set serviceAccount(...) or remove lifetime(...).");
            }
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("universe_domain", universeDomain);
            j.put("type", "external_account");
            j.put("audience", provider.stsAudience());
            j.put("subject_token_type", subjectTokenType.urn());
            j.put("token_url", stsTokenUrl());
            if (serviceAccount != null) {
                j.put("service_account_impersonation_url", impersonationUrl());
                if (lifetime != null) {
                    j.put("service_account_impersonation", Map.of("token_lifetime_seconds", lifetime.getSeconds()));
                }
            }
            if (workforceUserProject != null) {
                j.put("workforce_pool_user_project", workforceUserProject);
            }
            if (quotaProject != null) {
                j.put("quota_project_id", quotaProject);
            }
            j.put("credential_source", source);
            String summary = "provider=" + provider + ", source=" + sourceSummary
                    + (serviceAccount == null ? "" : ", serviceAccount=" + serviceAccount);
            return new CredentialConfiguration(j, environment, allowWorkspace, summary);
        }
    }
}
