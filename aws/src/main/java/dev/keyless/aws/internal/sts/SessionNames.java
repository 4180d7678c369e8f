package dev.keyless.aws.internal.sts;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import java.time.Clock;
import java.util.regex.Pattern;

/** Role session names: validation against STS's rules and a default that says which job is calling. */
public final class SessionNames {
    private static final Pattern VALID = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final Pattern INVALID_CHARS = Pattern.compile("[^\\w+=,.@-]+");

    private SessionNames() {
    }

    /** Checks a user-supplied name: 2 to 64 characters of {@code [\w+=,.@-]}. */
    public static String validate(String name, String option) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw ConfigurationException.badOption(option,
                    "'" + name + "' is not a valid role session name (2 to 64 characters of letters, digits and + = , . @ - _)",
                    "Use only those characters, e.g. replace '/' and spaces with '-', or leave the option unset for a derived name.");
        }
        return name;
    }

    /** Makes any text a valid session name: invalid runs become '-', cut to 64, padded to 2. */
    public static String sanitise(String text) {
        String s = INVALID_CHARS.matcher(text).replaceAll("-");
        if (s.length() > 64) {
            s = s.substring(0, 64);
        }
        while (s.length() < 2) {
            s = s + "-";
        }
        return s;
    }

    /**
     * A default name from the environment, so CloudTrail shows which job assumed the role: the GitHub repository
     * and run (GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT), a GitLab project and job (CI_PROJECT_PATH,
     * CI_JOB_ID), else {@code keyless-<epoch seconds>}.
     */
    public static String derive(Environment env, Clock clock) {
        var repo = env.get("GITHUB_REPOSITORY");
        if (repo.isPresent()) {
            String run = env.get("GITHUB_RUN_ID").map(id -> "-" + id + env.get("GITHUB_RUN_ATTEMPT").map(a -> "-" + a).orElse(""))
                    .orElse("");
            return sanitise("gha-" + repo.get() + run);
        }
        var project = env.get("CI_PROJECT_PATH");
        if (project.isPresent()) {
            return sanitise("gitlab-" + project.get() + env.get("CI_JOB_ID").map(id -> "-" + id).orElse(""));
        }
        return sanitise("keyless-" + clock.instant().getEpochSecond());
    }
}
