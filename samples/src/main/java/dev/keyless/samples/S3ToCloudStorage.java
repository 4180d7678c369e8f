package dev.keyless.samples;

import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.gcp.StorageTransferFederation;
import dev.keyless.gcp.WorkloadIdentityCredentials;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * S3 → Cloud Storage without keys, both sides keyless in one job: the job's OIDC token becomes AWS credentials (to read
 * from S3) and Google credentials (to write to Cloud Storage), and the app copies the object. It then prints the other
 * way, where Google copies by itself: the Storage Transfer Service federation setup (the AWS role trust policy for the
 * project's transfer agent, and a transfer job that names the role instead of keys).
 *
 * <p>Real clouds: {@code AWS_ROLE_ARN}, {@code AWS_REGION}, {@code S3_BUCKET}, {@code S3_KEY}, {@code KEYLESS_GCP_PROVIDER},
 * {@code KEYLESS_GCP_SERVICE_ACCOUNT}, {@code GCS_BUCKET}, in a job with {@code id-token: write}. Without
 * {@code GCS_BUCKET} it runs against the embedded local cloud, which emulates AWS STS and Cloud Storage but not S3:
 * there the AWS side is proved with GetCallerIdentity and the copied content is generated.
 */
public final class S3ToCloudStorage {
    /** The local destination bucket. */
    static final String LOCAL_BUCKET = "keyless-sample-reports";

    private S3ToCloudStorage() {
    }

    public static void main(String[] args) {
        System.exit(run(Environment.system(), System.out));
    }

    public static int run(Environment env, PrintStream out) {
        if (env.has("GCS_BUCKET")) {
            return copy(env, null, out);
        }
        LocalJob.announce(out, "GCS_BUCKET");
        try (LocalCloud cloud = LocalCloud.builder().defaultSetup(true)
                .service(LocalGoogle.class, c -> LocalGoogle.builder().clock(c.clock()).start()).start()) {
            LocalGoogle google = cloud.service(LocalGoogle.class).orElseThrow();
            WorkloadIdentityPoolProvider provider = LocalGoogleSetup.provider(cloud, google);
            google.bucket(LOCAL_BUCKET).grant("serviceAccount:" + LocalGoogleSetup.SERVICE_ACCOUNT, LocalGoogle.STORAGE_OBJECT_ADMIN);
            Map<String, String> local = new HashMap<>(LocalJob.environment(cloud));
            local.put("KEYLESS_GCP_PROVIDER", provider.resourceName());
            local.put("KEYLESS_GCP_SERVICE_ACCOUNT", LocalGoogleSetup.SERVICE_ACCOUNT);
            local.put("GCS_BUCKET", LOCAL_BUCKET);
            local.put("S3_KEY", "reports/daily.csv");
            return copy(Environment.of(local), google, out);
        }
    }

    /** Copies S3_BUCKET/S3_KEY to GCS_BUCKET; {@code localGoogle} is the emulator, or null for the real clouds. */
    static int copy(Environment env, LocalGoogle localGoogle, PrintStream out) {
        String key = env.get("S3_KEY").orElse("reports/daily.csv");
        byte[] content;
        WebIdentityCredentialsProvider.Builder awsBuilder = WebIdentityCredentialsProvider.builder()
                .roleArn(env.get("AWS_ROLE_ARN").orElseThrow(() -> new IllegalArgumentException("Set AWS_ROLE_ARN")))
                .environment(env)
                .region(Region.of(env.get("AWS_REGION").orElse("us-east-1")));
        env.get("KEYLESS_AWS_STS_ENDPOINT").ifPresent(e -> awsBuilder.stsEndpoint(URI.create(e)));
        try (WebIdentityCredentialsProvider aws = awsBuilder.build()) {
            try (StsClient sts = Aws.sts(env, aws.borrowed())) {
                out.println("AWS side: " + sts.getCallerIdentity().arn());
            }
            if (localGoogle == null) {
                try (S3Client s3 = S3Client.builder().region(Region.of(env.get("AWS_REGION").orElse("us-east-1")))
                        .credentialsProvider(aws.borrowed()).build()) {
                    content = s3.getObjectAsBytes(b -> b.bucket(env.get("S3_BUCKET").orElseThrow()).key(key)).asByteArray();
                }
                out.println("Read s3://" + env.get("S3_BUCKET").orElseThrow() + "/" + key + " (" + content.length + " bytes)");
            } else {
                content = "date,visits\n2026-01-01,42\n".getBytes(StandardCharsets.UTF_8);
                out.println("(S3 is not emulated locally: copying a generated " + content.length + "-byte report)");
            }
        }

        WorkloadIdentityCredentials.Builder gb = WorkloadIdentityCredentials.builder()
                .provider(env.get("KEYLESS_GCP_PROVIDER").orElseThrow(() -> new IllegalArgumentException("Set KEYLESS_GCP_PROVIDER")))
                .environment(env);
        env.get("KEYLESS_GCP_SERVICE_ACCOUNT").ifPresent(gb::serviceAccount);
        String uploadRoot = "https://storage.googleapis.com/upload/storage/v1";
        HttpClient http = HttpClient.newHttpClient();
        if (localGoogle != null) {
            gb.tokenUrl(localGoogle.stsUrl()).iamCredentialsUrl(localGoogle.iamCredentialsUrl())
                    .httpTransportFactory(LocalGoogleSetup.transport(localGoogle));
            uploadRoot = localGoogle.baseUrl() + "/upload/storage/v1";
            http = HttpClient.newBuilder().sslContext(localGoogle.sslContext()).build();
        }
        String accessToken = gb.build().accessToken().getTokenValue();
        String bucket = env.get("GCS_BUCKET").orElseThrow();
        URI upload = URI.create(uploadRoot + "/b/" + bucket + "/o?uploadType=media&name="
                + URLEncoder.encode(key, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(upload)
                    .header("Authorization", "Bearer " + accessToken)
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                out.println("Upload to gs://" + bucket + " failed: HTTP " + r.statusCode() + " " + r.body());
                return 1;
            }
        } catch (IOException e) {
            out.println("Upload to gs://" + bucket + " failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        out.println("Google side: wrote gs://" + bucket + "/" + key + " as " + env.get("KEYLESS_GCP_SERVICE_ACCOUNT").orElse("the federated identity"));

        // The other way: Storage Transfer Service copies by itself, its agent assuming the AWS role (no keys either).
        StorageTransferFederation.ServiceAgent agent = new StorageTransferFederation.ServiceAgent(
                "project-" + "271828182845" + "@storage-transfer-service.iam.gserviceaccount.com", "112233445566778899001");
        out.println();
        out.println("Or let Storage Transfer Service copy (replace the agent with googleServiceAccounts.get's answer):");
        out.println("AWS role trust policy for the transfer agent:");
        out.println(StorageTransferFederation.awsRoleTrustPolicy(agent));
        out.println("transferJobs.create body:");
        out.println(StorageTransferFederation.transferJob("keyless-local", "keyless sample", "example-source-bucket",
                "reports/", env.get("AWS_ROLE_ARN").orElseThrow(), bucket));
        return 0;
    }
}
