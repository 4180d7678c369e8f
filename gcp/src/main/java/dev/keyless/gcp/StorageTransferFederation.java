package dev.keyless.gcp;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.internal.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What Storage Transfer Service needs to copy from Amazon S3 to Cloud Storage with no AWS access key: the AWS
 * role's trust policy for the project's transfer service agent, the minimal S3 read policy, and a transfer job
 * that names the role ({@code roleArn}) instead of keys.
 *
 * <p>The agent is the Google service account {@code project-NUMBER@storage-transfer-service.iam.gserviceaccount.com};
 * AWS sees it as the web identity {@code accounts.google.com} with {@code sub} = its numeric {@code subjectId}, which
 * {@code googleServiceAccounts.get} returns ({@link #parseServiceAgent(String)}). The trust policy therefore allows
 * {@code sts:AssumeRoleWithWebIdentity} for {@code Federated: accounts.google.com} under
 * {@code StringEquals accounts.google.com:sub = subjectId}: nothing else can assume the role.
 */
public final class StorageTransferFederation {
    private StorageTransferFederation() {
    }

    /**
     * The Storage Transfer service agent of a project.
     *
     * @param accountEmail {@code project-NUMBER@storage-transfer-service.iam.gserviceaccount.com}
     * @param subjectId    the numeric id AWS sees as {@code accounts.google.com:sub}
     */
    public record ServiceAgent(String accountEmail, String subjectId) {
        public ServiceAgent {
            Objects.requireNonNull(accountEmail, "accountEmail");
            if (subjectId == null || !subjectId.matches("[0-9]{10,30}")) {
                throw ConfigurationException.badOption("subjectId", "'" + subjectId + "' is not the agent's numeric subjectId",
                        "Read it with: curl -H \"Authorization: Bearer $(gcloud auth print-access-token)\" "
                                + "https://storagetransfer.googleapis.com/v1/googleServiceAccounts/PROJECT_ID");
            }
        }
    }

    /** Reads the answer of {@code GET https://storagetransfer.googleapis.com/v1/googleServiceAccounts/PROJECT_ID}. */
    public static ServiceAgent parseServiceAgent(String json) {
        Map<String, Object> o = Json.object(json).orElseThrow(() -> new ConfigurationException(
                Diagnosis.builder("The googleServiceAccounts.get answer is not JSON.")
                        .code("gcp.transfer-agent-unreadable")
                        .fix("Pass the body returned by https://storagetransfer.googleapis.com/v1/googleServiceAccounts/PROJECT_ID.")
                        .build()));
        String email = Json.string(o, "accountEmail").orElse(null);
        String subject = Json.string(o, "subjectId").orElse(null);
        if (email == null || subject == null) {
            throw new ConfigurationException(Diagnosis.builder(
                            "The googleServiceAccounts.get answer has no accountEmail or subjectId.")
                    .code("gcp.transfer-agent-unreadable")
                    .evidence("fields", o.keySet())
                    .fix("Call googleServiceAccounts.get for the project that runs the transfer.")
                    .build());
        }
        return new ServiceAgent(email, subject);
    }

    /** The AWS IAM role trust policy that lets only this agent assume the role, through web identity federation. */
    public static String awsRoleTrustPolicy(ServiceAgent agent) {
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("Sid", "StorageTransferServiceAgent");
        statement.put("Effect", "Allow");
        statement.put("Principal", Map.of("Federated", "accounts.google.com"));
        statement.put("Action", "sts:AssumeRoleWithWebIdentity");
        statement.put("Condition", Map.of("StringEquals", Map.of("accounts.google.com:sub", agent.subjectId())));
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("Version", "2012-10-17");
        policy.put("Statement", List.of(statement));
        return Json.write(policy);
    }

    /**
     * The minimal permissions policy for reading a bucket (or a prefix of it): s3:ListBucket and
     * s3:GetBucketLocation on the bucket, s3:GetObject on its objects.
     *
     * @param prefix a key prefix such as {@code exports/}, or empty for the whole bucket
     */
    public static String s3ReadPolicy(String bucket, String prefix) {
        requireBucket(bucket);
        String p = prefix == null ? "" : prefix;
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("Sid", "ListSource");
        list.put("Effect", "Allow");
        list.put("Action", List.of("s3:ListBucket", "s3:GetBucketLocation"));
        list.put("Resource", "arn:aws:s3:::" + bucket);
        if (!p.isEmpty()) {
            list.put("Condition", Map.of("StringLike", Map.of("s3:prefix", List.of(p + "*"))));
        }
        Map<String, Object> read = new LinkedHashMap<>();
        read.put("Sid", "ReadSourceObjects");
        read.put("Effect", "Allow");
        read.put("Action", "s3:GetObject");
        read.put("Resource", "arn:aws:s3:::" + bucket + "/" + p + "*");
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("Version", "2012-10-17");
        policy.put("Statement", List.of(list, read));
        return Json.write(policy);
    }

    /**
     * A {@code transferJobs.create} body copying {@code s3://bucket/prefix} to {@code gs://gcsBucket}, authenticated by
     * the role (no keys), enabled and without a schedule: start it with {@code transferJobs.run}.
     */
    public static String transferJob(String projectId, String description, String s3Bucket, String prefix,
            String roleArn, String gcsBucket) {
        requireBucket(s3Bucket);
        if (roleArn == null || !roleArn.matches("arn:aws[a-z-]*:iam::[0-9]{12}:role/.+")) {
            throw ConfigurationException.badOption("roleArn", "'" + roleArn + "' is not an IAM role ARN",
                    "Pass arn:aws:iam::ACCOUNT_ID:role/ROLE_NAME, the role with the trust policy from awsRoleTrustPolicy.");
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("bucketName", s3Bucket);
        if (prefix != null && !prefix.isEmpty()) {
            source.put("path", prefix);
        }
        source.put("roleArn", roleArn);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("awsS3DataSource", source);
        spec.put("gcsDataSink", Map.of("bucketName", Objects.requireNonNull(gcsBucket, "gcsBucket")));
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("description", Objects.requireNonNull(description, "description"));
        job.put("projectId", Objects.requireNonNull(projectId, "projectId"));
        job.put("status", "ENABLED");
        job.put("transferSpec", spec);
        return Json.write(job);
    }

    private static void requireBucket(String bucket) {
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw ConfigurationException.badOption("bucket", "'" + bucket + "' is not an S3 bucket name",
                    "Pass the bucket name only (no s3:// and no key), e.g. my-exports.");
        }
    }
}
