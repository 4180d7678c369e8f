package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the identity token from an environment variable on every call: GitLab {@code id_tokens}, CircleCI,
 * Bitbucket Pipelines, HCP Terraform, or any variable a CI system fills.
 *
 * <p>When several variables are given, the first one set wins (CircleCI's {@code CIRCLE_OIDC_TOKEN_V2}
 * before {@code CIRCLE_OIDC_TOKEN}). A missing or blank variable is a {@link ConfigurationException} naming
 * it. The audience is fixed where the CI system mints the token, so {@link #supportsRequestedAudience()} is
 * false and a request for an audience the token lacks fails (code {@code token.audience-fixed}) with a hint
 * on where that CI configures it. By default, variables are read from {@link Environment#system()}.
 * Instances are immutable and thread-safe.
 */
public final class EnvironmentVariableTokenSource implements TokenSource {
    /** CircleCI's OIDC token, version 2 (richer claims); preferred. */
    public static final String CIRCLECI_V2 = "CIRCLE_OIDC_TOKEN_V2";
    /** CircleCI's OIDC token, version 1. */
    public static final String CIRCLECI_V1 = "CIRCLE_OIDC_TOKEN";
    /** Bitbucket Pipelines' OIDC token, present in steps with {@code oidc: true}. */
    public static final String BITBUCKET = "BITBUCKET_STEP_OIDC_TOKEN";
    /** HCP Terraform's workload identity token; {@code _<TAG>} is appended for a tagged token. */
    public static final String TERRAFORM = "TFC_WORKLOAD_IDENTITY_TOKEN";

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    static final String GENERIC_AUDIENCE_HINT = "The audience of a token taken from an environment variable is set "
            + "by the system that fills the variable.";
    static final String CIRCLECI_AUDIENCE_HINT = "CircleCI sets the audience of CIRCLE_OIDC_TOKEN(_V2) to the "
            + "organization id and it cannot be changed; for a custom audience use the CircleCI CLI through "
            + "CommandTokenSource.circleCi() (`circleci run oidc get --claims '{\"aud\":\"...\"}'`).";
    static final String BITBUCKET_AUDIENCE_HINT = "Bitbucket fixes the audience of BITBUCKET_STEP_OIDC_TOKEN to the "
            + "workspace (ari:cloud:bitbucket::workspace/{uuid}, shown under Repository settings > OpenID Connect); "
            + "it cannot be changed per step, so configure the cloud to trust that audience.";

    private final List<String> variables;
    private final Environment environment;
    private final String audienceHint;
    private final String missingHint;
    private final String name;

    private EnvironmentVariableTokenSource(Builder b) {
        this.variables = List.copyOf(b.variables);
        this.environment = b.environment;
        this.audienceHint = b.audienceHint;
        this.missingHint = b.missingHint;
        this.name = b.name != null ? b.name : "env:" + String.join("|", variables);
    }

    /** A source reading the given variable from the process environment. */
    public static EnvironmentVariableTokenSource of(String variable) {
        return builder().variable(variable).build();
    }

    /** A source reading the given variable from the given environment. */
    public static EnvironmentVariableTokenSource of(String variable, Environment environment) {
        return builder().variable(variable).environment(environment).build();
    }

    /** A builder; at least one variable is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** GitLab CI: the variable the job's {@code id_tokens:} section names (the name is the user's choice). */
    public static EnvironmentVariableTokenSource gitLab(String variable) {
        return gitLab(variable, Environment.system());
    }

    /** GitLab CI, reading from the given environment. */
    public static EnvironmentVariableTokenSource gitLab(String variable, Environment environment) {
        Builder b = builder().variable(variable).environment(environment);
        String yaml = gitLabYaml(b.variables.get(0), "<audience>");
        return b.name("gitlab:" + b.variables.get(0))
                .audienceHint("GitLab sets the audience in the job's YAML, under `id_tokens: "
                        + b.variables.get(0) + ": aud: ...`.")
                .missingHint("Declare the token in the job's .gitlab-ci.yml:\n" + yaml)
                .build();
    }

    /** CircleCI: {@code CIRCLE_OIDC_TOKEN_V2}, else {@code CIRCLE_OIDC_TOKEN}, from the process environment. */
    public static EnvironmentVariableTokenSource circleCi() {
        return circleCi(Environment.system());
    }

    /** CircleCI, reading from the given environment. */
    public static EnvironmentVariableTokenSource circleCi(Environment environment) {
        return builder().variables(CIRCLECI_V2, CIRCLECI_V1).environment(environment)
                .name("circleci")
                .audienceHint(CIRCLECI_AUDIENCE_HINT)
                .missingHint(CIRCLECI_MISSING_HINT)
                .build();
    }

    /** Bitbucket Pipelines: {@code BITBUCKET_STEP_OIDC_TOKEN}, from the process environment. */
    public static EnvironmentVariableTokenSource bitbucket() {
        return bitbucket(Environment.system());
    }

    /** Bitbucket Pipelines, reading from the given environment. */
    public static EnvironmentVariableTokenSource bitbucket(Environment environment) {
        return builder().variable(BITBUCKET).environment(environment)
                .name("bitbucket")
                .audienceHint(BITBUCKET_AUDIENCE_HINT)
                .missingHint(BITBUCKET_MISSING_HINT)
                .build();
    }

    /** HCP Terraform: {@code TFC_WORKLOAD_IDENTITY_TOKEN}, from the process environment. */
    public static EnvironmentVariableTokenSource terraform() {
        return terraform(Environment.system());
    }

    /** HCP Terraform, reading from the given environment. */
    public static EnvironmentVariableTokenSource terraform(Environment environment) {
        return terraformSource(TERRAFORM, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "terraform", environment);
    }

    /** HCP Terraform, a tagged token: {@code TFC_WORKLOAD_IDENTITY_TOKEN_<TAG>}, from the process environment. */
    public static EnvironmentVariableTokenSource terraform(String tag) {
        return terraform(tag, Environment.system());
    }

    /** HCP Terraform, a tagged token, reading from the given environment. */
    public static EnvironmentVariableTokenSource terraform(String tag, Environment environment) {
        if (tag == null || !tag.matches("[A-Za-z0-9_]+")) {
            throw ConfigurationException.badOption("tag", tag == null ? "it is null" : "it is not letters, digits "
                            + "and underscores",
                    "Pass the tag that suffixes TFC_WORKLOAD_IDENTITY_AUDIENCE_<TAG> in the workspace, e.g. AWS.");
        }
        return terraformSource(TERRAFORM + "_" + tag, "TFC_WORKLOAD_IDENTITY_AUDIENCE_" + tag, "terraform:" + tag,
                environment);
    }

    private static EnvironmentVariableTokenSource terraformSource(String variable, String audienceVariable,
            String name, Environment environment) {
        return builder().variable(variable).environment(environment)
                .name(name)
                .audienceHint("HCP Terraform sets the audience from the workspace variable " + audienceVariable + ".")
                .missingHint("Set the environment variable " + audienceVariable + " (to the audience the cloud "
                        + "expects) in the HCP Terraform workspace or variable set; HCP Terraform then puts the token "
                        + "in " + variable + " for each run.")
                .build();
    }

    static final String CIRCLECI_MISSING_HINT = "Run the job in a context/project with OIDC: CircleCI injects "
            + "CIRCLE_OIDC_TOKEN and CIRCLE_OIDC_TOKEN_V2 into every job of such a project (some setups only into jobs "
            + "that use at least one context, so add a context to the job's workflow entry).";
    static final String BITBUCKET_MISSING_HINT = "Add `oidc: true` to the step in bitbucket-pipelines.yml:\n"
            + "- step:\n    oidc: true\n    script: ...";

    static String gitLabYaml(String variable, String audience) {
        return "job:\n  id_tokens:\n    " + variable + ":\n      aud: " + audience;
    }

    /** A builder pre-filled with this source's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.variables.addAll(variables);
        b.environment = environment;
        b.audienceHint = audienceHint;
        b.missingHint = missingHint;
        b.name = name;
        return b;
    }

    /** The variables looked at, in order; the first one set is used. */
    public List<String> variables() {
        return variables;
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        for (String variable : variables) {
            Optional<String> value = environment.get(variable);
            if (value.isPresent()) {
                IdentityToken token = IdentityToken.parse(value.get(), "environment variable " + variable);
                FixedAudience.check(token, request, name, audienceHint);
                return token;
            }
        }
        throw missingVariable();
    }

    /** The failure for "no variable set", with this source's hint on how to set it. */
    ConfigurationException missingVariable() {
        String names = String.join(", ", variables);
        String problem = variables.size() == 1
                ? "The environment variable " + names + " is not set (or is blank)."
                : "None of the environment variables " + names + " is set (or they are blank).";
        return new ConfigurationException(Diagnosis.builder(problem)
                .code("env.variable-missing")
                .likelyCause("The CI system did not put an identity token in this job's environment, or the token is "
                        + "in a variable with another name.")
                .evidence("variables", names)
                .evidence("source", name)
                .fix(missingHint != null ? missingHint
                        : "Make the job export the identity token in " + variables.get(0)
                                + ", or read it from the variable that holds it.")
                .build());
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code false}: the audience is fixed by the system that fills the variable. */
    @Override
    public boolean supportsRequestedAudience() {
        return false;
    }

    @Override
    public String toString() {
        return "EnvironmentVariableTokenSource{name=" + name + ", variables=" + variables + "}";
    }

    /** Builds an {@link EnvironmentVariableTokenSource}; at least one variable is required. */
    public static final class Builder {
        private final List<String> variables = new ArrayList<>();
        private Environment environment = Environment.system();
        private String audienceHint = GENERIC_AUDIENCE_HINT;
        private String missingHint;
        private String name;

        private Builder() {
        }

        /** Adds a variable to look at; variables are tried in the order added. */
        public Builder variable(String variable) {
            if (variable == null || !VARIABLE_NAME.matcher(variable).matches()) {
                throw ConfigurationException.badOption("variable", variable == null ? "it is null"
                                : "'" + variable + "' is not a variable name",
                        "Pass the name of an environment variable: letters, digits and underscores, not a digit first.");
            }
            variables.add(variable);
            return this;
        }

        /** Adds variables to look at, in order of preference. */
        public Builder variables(String... variables) {
            Objects.requireNonNull(variables, "variables");
            for (String v : variables) {
                variable(v);
            }
            return this;
        }

        /** Where variables are read. By default, {@link Environment#system()}. */
        public Builder environment(Environment environment) {
            if (environment == null) {
                throw ConfigurationException.badOption("environment", "it is null",
                        "Pass an Environment such as Environment.system() or Environment.of(map).");
            }
            this.environment = environment;
            return this;
        }

        /** Where the token's audience is configured, shown when a request asks for another audience. */
        public Builder audienceHint(String whereAudienceIsSet) {
            this.audienceHint = ConfigurationException.requireText("audienceHint", whereAudienceIsSet, "Pass a non-blank text, or leave the default.");
            return this;
        }

        /** How to make the variable present, shown when it is missing. By default, a generic sentence. */
        public Builder missingHint(String howToSetIt) {
            this.missingHint = ConfigurationException.requireText("missingHint", howToSetIt, "Pass a non-blank text, or leave the default.");
            return this;
        }

        /** The name in reports and errors. By default, {@code env:} and the variable names. */
        public Builder name(String name) {
            this.name = ConfigurationException.requireText("name", name, "Pass a non-blank text, or leave the default.");
            return this;
        }

        /** The source. */
        public EnvironmentVariableTokenSource build() {
            if (variables.isEmpty()) {
                throw ConfigurationException.badOption("variable", "no variable is set",
                        "Call variable(\"NAME\") with the variable that holds the identity token.");
            }
            return new EnvironmentVariableTokenSource(this);
        }
    }
}
