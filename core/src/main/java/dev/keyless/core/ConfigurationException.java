package dev.keyless.core;

/**
 * A setting is missing, malformed or contradicts another: never retryable, fix the configuration.
 *
 * <p>Builders throw it for a bad option (naming the option), and token sources throw it when the
 * environment is "here but broken", for example a GitHub Actions job without {@code id-token: write}.
 */
public class ConfigurationException extends KeylessException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(Diagnosis diagnosis) {
        super(diagnosis, false);
    }

    public ConfigurationException(Diagnosis diagnosis, Throwable cause) {
        super(diagnosis, false, cause);
    }

    /**
     * Checks a text option: returns it stripped, or throws {@link #badOption} ("it is empty", with {@code fix})
     * when it is null or blank.
     */
    public static String requireText(String option, String value, String fix) {
        if (value == null || value.isBlank()) {
            throw badOption(option, "it is empty", fix);
        }
        return value.strip();
    }

    /** A builder option has a bad value: names the option, says what is allowed. Never pass a secret value. */
    public static ConfigurationException badOption(String option, String problem, String fix) {
        return new ConfigurationException(Diagnosis.builder("Invalid option '" + option + "': " + problem)
                .code("config.invalid-option")
                .evidence("option", option)
                .fix(fix)
                .build());
    }
}
