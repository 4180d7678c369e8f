package dev.keyless.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.auth.oauth2.AwsCredentials;
import dev.keyless.core.KeylessException;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AWS credentials to Google, through google-auth's aws4_request subject token, verified by the testkit's STS. */
class AwsWorkloadCredentialsTest {
    static final String ARN = "arn:aws:sts::123456789012:assumed-role/exporter/job-42";
    static final String SA = "aws-sa@keyless-dev.iam.gserviceaccount.com";

    static GoogleFixture f;
    static WorkloadIdentityPoolProvider provider;

    @BeforeAll
    static void start() {
        f = GoogleFixture.start();
        provider = f.google.workloadIdentityPoolProvider(GoogleFixture.PROJECT_NUMBER, "aws-pool", "aws-main")
                .aws("123456789012").create();
        f.google.awsCaller("ASIAEXAMPLEKEY", "example-secret", ARN);
        f.google.serviceAccount(SA).grant(provider.principalSet("aws_account", "123456789012"), LocalGoogle.WORKLOAD_IDENTITY_USER);
        f.google.bucket("aws-landing").grant(provider.principal(ARN), LocalGoogle.STORAGE_OBJECT_ADMIN);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static AwsWorkloadCredentials.Builder creds(AwsKeysSupplier keys) {
        return AwsWorkloadCredentials.builder()
                .provider(provider.resourceName())
                .awsCredentials(keys)
                .region("us-east-1")
                .tokenUrl(f.google.stsUrl())
                .iamCredentialsUrl(f.google.iamCredentialsUrl())
                .httpTransportFactory(f.transport);
    }

    @Test
    void signedGetCallerIdentityIsExchangedForAFederatedToken() {
        AtomicInteger asked = new AtomicInteger();
        AwsWorkloadCredentials creds = creds(() -> {
            asked.incrementAndGet();
            return new AwsKeys("ASIAEXAMPLEKEY", "example-secret", "session-token");
        }).build();

        String token = creds.accessToken().getTokenValue();

        assertThat(creds.googleCredentials()).isInstanceOf(AwsCredentials.class);
        assertThat(asked.get()).isEqualTo(1);
        assertThat(f.google.stsRequests().get(f.google.stsRequests().size() - 1).subjectTokenType())
                .isEqualTo("urn:ietf:params:aws:token-type:aws4_request");
        assertThat(f.status(f.google.storageUrl() + "/b/aws-landing/o", token)).isEqualTo(200);
    }

    @Test
    void impersonatesAServiceAccount() {
        String token = creds(() -> new AwsKeys("ASIAEXAMPLEKEY", "example-secret", null)).serviceAccount(SA).build()
                .accessToken().getTokenValue();
        assertThat(f.body(f.google.tokenInfoUrl() + "?access_token=" + token)).contains("\"email\":\"" + SA + "\"");
    }

    @Test
    void aWrongSecretIsRejectedAndExplained() {
        KeylessException e = null;
        try {
            creds(() -> new AwsKeys("ASIAEXAMPLEKEY", "wrong-secret", null)).build().accessToken();
        } catch (KeylessException thrown) {
            e = thrown;
        }
        assertThat(e).isInstanceOf(GoogleExchangeException.class);
        assertThat(e.diagnosis().evidence().get("error")).startsWith("invalid_grant");
        assertThat(e.getMessage()).doesNotContain("wrong-secret");
        assertThat(new AwsKeys("A", "wrong-secret", "s").toString()).doesNotContain("wrong-secret");
    }
}
