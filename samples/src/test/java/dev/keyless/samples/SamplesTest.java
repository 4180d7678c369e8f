package dev.keyless.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.StsSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** Every sample, run as its main would run it with no cloud configured: against the embedded local cloud. */
class SamplesTest {
    private static final String JWT = "eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+";

    private static String run(Function<PrintStream, Integer> sample, int expectedExit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = sample.apply(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(expectedExit);
        assertThat(text).doesNotContainPattern(JWT);
        return text;
    }

    private static final Environment NOTHING = Environment.of(Map.of());

    @Test
    void deployPreflightAssumesTheRoleAndPrintsTheCallerIdentity() {
        String out = run(o -> DeployPreflight.run(NOTHING, o), 0);

        assertThat(out).contains("AWS_ROLE_ARN is not set: running against the embedded local cloud")
                .contains("Preflight OK: this job deploys as arn:aws:sts::123456789012:assumed-role/keyless-demo/gha-keyless-dev-demo-");
    }

    @Test
    void deployPreflightFailsWithTheFixWhenTheJobLacksIdTokenPermission() {
        try (LocalCloud cloud = LocalCloud.startDefault()) {
            Map<String, String> env = new HashMap<>(LocalJob.environment(cloud));
            env.remove("ACTIONS_ID_TOKEN_REQUEST_URL");
            env.remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

            String out = run(o -> DeployPreflight.run(Environment.of(env), o), 1);

            assertThat(out).contains("Preflight FAILED").contains("id-token: write").contains("keyless doctor aws");
        }
    }

    @Test
    void theWorkflowExampleGrantsIdTokenAndUsesTheCli() throws Exception {
        String yaml = Files.readString(Path.of(".github/workflows/deploy.yml"));

        assertThat(yaml).contains("id-token: write").contains("keyless doctor aws").contains("keyless aws credential-process");
    }

    @Test
    void corporateIdpClientAssumesTheReadOnlyRole() {
        String out = run(o -> CorporateIdpToAws.run(NOTHING, o), 0);

        assertThat(out).contains("IdP client analytics-team is, in AWS: "
                + "arn:aws:sts::123456789012:assumed-role/analytics-readonly/analytics-analytics-team");
        assertThat(out).doesNotContain("local-secret-");
    }

    @Test
    void credentialChainUsesKeylessWhenConfigured() {
        String out = run(o -> {
            try (LocalCloud cloud = LocalCloud.startDefault()) {
                return CredentialChain.run(Environment.of(LocalJob.environment(cloud)),
                        StaticCredentialsProvider.create(AwsSessionCredentials.create("AKIAFALLBACK", "x", "y")), o);
            }
        }, 0);

        assertThat(out).contains("Credentials from Keyless (web identity, arn:aws:iam::123456789012:role/keyless-demo)")
                .contains("Caller: arn:aws:sts::123456789012:assumed-role/keyless-demo/");
    }

    @Test
    void credentialChainFallsBackWhenKeylessIsNotConfigured() {
        String out = run(o -> {
            try (LocalCloud cloud = LocalCloud.startDefault()) {
                // The "developer's own" credentials: a session the local STS issued, as a profile would hold.
                Map<String, String> job = LocalJob.environment(cloud);
                StsSession session;
                try (WebIdentityCredentialsProvider p = WebIdentityCredentialsProvider.builder().roleArn(cloud.demoRoleArn())
                        .environment(Environment.of(job)).region(Region.US_EAST_1).stsEndpoint(cloud.sts().endpoint())
                        .roleSessionName("developer").build()) {
                    p.resolveCredentials();
                    session = cloud.sts().sessions().get(cloud.sts().sessions().size() - 1);
                }
                Map<String, String> laptop = new HashMap<>(job);
                laptop.remove("AWS_ROLE_ARN");
                return CredentialChain.run(Environment.of(laptop), StaticCredentialsProvider.create(
                        AwsSessionCredentials.create(session.accessKeyId(), session.secretAccessKey(), session.sessionToken())), o);
            }
        }, 0);

        assertThat(out).contains("Credentials from the fallback chain").contains("assumed-role/keyless-demo/developer");
    }

    @Test
    void s3ToCloudStorageWritesTheObjectWithKeylessGoogleCredentialsAndPrintsTheTransferSetup() {
        String out = run(o -> S3ToCloudStorage.run(NOTHING, o), 0);

        assertThat(out).contains("AWS side: arn:aws:sts::123456789012:assumed-role/keyless-demo/")
                .contains("S3 is not emulated locally")
                .contains("Google side: wrote gs://keyless-sample-reports/reports/daily.csv as " + LocalGoogleSetup.SERVICE_ACCOUNT)
                .contains("\"accounts.google.com:sub\"").contains("\"roleArn\"");
    }

    @Test
    void azureGetsAStorageTokenWithTheFederatedCredential() {
        String out = run(o -> AzureBlobUpload.run(NOTHING, o), 0);

        assertThat(out).contains("Entra ID issued a Storage token for app " + AzureBlobUpload.LOCAL_CLIENT)
                .contains("the local cloud has no Blob Storage");
    }
}
