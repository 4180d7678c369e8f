package dev.keyless.testkit.internal.aws;

import java.time.Instant;

/** Temporary credentials STS issued, remembered to authenticate later calls signed with them. */
public final class SessionRecord {
    public final String accessKeyId;
    public final String secretAccessKey;
    public final String sessionToken;
    public final String roleArn;
    public final String roleName;
    public final String sessionName;
    public final String assumedRoleArn;
    public final String assumedRoleId;
    public final String accountId;
    public final Instant expiration;
    public final String issuedBy; // the action
    public final String subject; // sub of the web identity token, or the calling session's ARN
    public final int durationSeconds;

    SessionRecord(String accessKeyId, String secretAccessKey, String sessionToken, String roleArn, String roleName,
            String sessionName, String accountId, String roleUniqueId, Instant expiration, String issuedBy,
            String subject, int durationSeconds) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
        this.roleArn = roleArn;
        this.roleName = roleName;
        this.sessionName = sessionName;
        this.accountId = accountId;
        this.assumedRoleArn = "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + sessionName;
        this.assumedRoleId = roleUniqueId + ":" + sessionName;
        this.expiration = expiration;
        this.issuedBy = issuedBy;
        this.subject = subject;
        this.durationSeconds = durationSeconds;
    }
}
