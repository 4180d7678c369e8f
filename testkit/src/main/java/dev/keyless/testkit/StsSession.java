package dev.keyless.testkit;

import java.time.Instant;

/**
 * Temporary credentials that {@link LocalSts} issued: which role, which session, until when. The secret
 * key and session token are readable for tests that sign by hand, but never shown by {@link #toString()}.
 */
public final class StsSession {
    private final String accessKeyId;
    private final String secretAccessKey;
    private final String sessionToken;
    private final String roleArn;
    private final String sessionName;
    private final String assumedRoleArn;
    private final String assumedRoleId;
    private final Instant expiration;
    private final String action;
    private final String subject;
    private final int durationSeconds;

    StsSession(String accessKeyId, String secretAccessKey, String sessionToken, String roleArn, String sessionName,
            String assumedRoleArn, String assumedRoleId, Instant expiration, String action, String subject,
            int durationSeconds) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
        this.roleArn = roleArn;
        this.sessionName = sessionName;
        this.assumedRoleArn = assumedRoleArn;
        this.assumedRoleId = assumedRoleId;
        this.expiration = expiration;
        this.action = action;
        this.subject = subject;
        this.durationSeconds = durationSeconds;
    }

    /** {@code ASIA...}. */
    public String accessKeyId() {
        return accessKeyId;
    }

    /** The secret access key. A secret: never log it. */
    public String secretAccessKey() {
        return secretAccessKey;
    }

    /** The session token. A secret: never log it. */
    public String sessionToken() {
        return sessionToken;
    }

    /** The assumed role, {@code arn:aws:iam::ACCOUNT:role/NAME}. */
    public String roleArn() {
        return roleArn;
    }

    /** RoleSessionName. */
    public String sessionName() {
        return sessionName;
    }

    /** {@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}. */
    public String assumedRoleArn() {
        return assumedRoleArn;
    }

    /** {@code AROA...:SESSION}. */
    public String assumedRoleId() {
        return assumedRoleId;
    }

    /** When the credentials expire. */
    public Instant expiration() {
        return expiration;
    }

    /** The STS action that issued them: AssumeRoleWithWebIdentity or AssumeRole. */
    public String action() {
        return action;
    }

    /** The web identity token's {@code sub}, or for AssumeRole the calling session's ARN. */
    public String subject() {
        return subject;
    }

    /** The granted duration in seconds. */
    public int durationSeconds() {
        return durationSeconds;
    }

    @Override
    public String toString() {
        return "StsSession{accessKeyId=" + accessKeyId + ", assumedRoleArn=" + assumedRoleArn + ", expiration="
                + expiration + ", action=" + action + ", subject=" + subject + "}";
    }
}
