package dev.keyless.aws.internal.sts;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import java.util.regex.Pattern;

/** Validates IAM role ARNs before any call, so a typo fails at build time with the expected shape. */
public final class RoleArns {
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");

    private RoleArns() {
    }

    public static String validate(String arn, String option) {
        if (arn == null || arn.isBlank()) {
            throw ConfigurationException.badOption(option, "it is not set",
                    "Pass the ARN of the role to assume, e.g. arn:aws:iam::123456789012:role/deploy (or set AWS_ROLE_ARN).");
        }
        String a = arn.strip();
        if (!ROLE_ARN.matcher(a).matches()) {
            String hint = a.matches("\\d{12}") ? " It looks like an account id alone."
                    : a.contains(":user/") ? " It is a user ARN, not a role."
                    : a.contains(":assumed-role/") ? " It is an assumed-role (session) ARN; pass the role's ARN (arn:aws:iam::ACCOUNT:role/NAME)."
                    : a.startsWith("arn:aws:iam::") && !a.contains(":role/") ? " It names no role."
                    : "";
            throw new ConfigurationException(Diagnosis.builder("Invalid option '" + option + "': '" + a + "' is not an IAM role ARN." + hint)
                    .code("aws.invalid-role-arn")
                    .evidence("option", option)
                    .evidence("value", a)
                    .fix("Use the form arn:aws:iam::<12-digit account id>:role/<role name>, as shown on the role's page in the IAM console.")
                    .build());
        }
        return a;
    }

    /** The account id inside a role ARN. */
    public static String accountOf(String roleArn) {
        return roleArn.split(":")[4];
    }
}
