package dev.keyless.aws.trust;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import java.util.Objects;

/**
 * A trust policy document is not valid JSON, has the wrong shape, or uses a feature Keyless does not evaluate.
 *
 * <p>The {@link #diagnosis() diagnosis} says where (statement index and Sid, field) and what is expected;
 * {@link #location()} gives the same place as a path such as {@code Statement[1].Condition.StringLike}.
 * Never retryable: fix the document.
 */
public class TrustPolicyException extends ConfigurationException {
    private static final long serialVersionUID = 1L;

    private final String location;

    public TrustPolicyException(String location, Diagnosis diagnosis) {
        super(diagnosis);
        this.location = Objects.requireNonNull(location, "location");
    }

    /** Where in the document the problem is, e.g. {@code Statement[0].Effect}; {@code $} for the whole document. */
    public String location() {
        return location;
    }
}
