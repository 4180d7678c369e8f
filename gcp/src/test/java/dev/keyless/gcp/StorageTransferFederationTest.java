package dev.keyless.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.internal.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageTransferFederationTest {
    static final String AGENT = "{\"accountEmail\":\"project-314159265358@storage-transfer-service.iam.gserviceaccount.com\","
            + "\"subjectId\":\"115094839250998356201\"}";

    @Test
    @SuppressWarnings("unchecked")
    void trustPolicyAllowsOnlyTheAgentsSubject() {
        StorageTransferFederation.ServiceAgent agent = StorageTransferFederation.parseServiceAgent(AGENT);
        Map<String, Object> policy = Json.object(StorageTransferFederation.awsRoleTrustPolicy(agent)).orElseThrow();
        Map<String, Object> st = ((List<Map<String, Object>>) policy.get("Statement")).get(0);
        assertThat(policy).containsEntry("Version", "2012-10-17");
        assertThat(st).containsEntry("Effect", "Allow").containsEntry("Action", "sts:AssumeRoleWithWebIdentity")
                .containsEntry("Principal", Map.of("Federated", "accounts.google.com"))
                .containsEntry("Condition", Map.of("StringEquals", Map.of("accounts.google.com:sub", "115094839250998356201")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void readPolicyIsMinimal() {
        Map<String, Object> policy = Json.object(StorageTransferFederation.s3ReadPolicy("acme-exports", "daily/")).orElseThrow();
        List<Map<String, Object>> st = (List<Map<String, Object>>) policy.get("Statement");
        assertThat(st.get(0)).containsEntry("Action", List.of("s3:ListBucket", "s3:GetBucketLocation"))
                .containsEntry("Resource", "arn:aws:s3:::acme-exports");
        assertThat(st.get(1)).containsEntry("Action", "s3:GetObject").containsEntry("Resource", "arn:aws:s3:::acme-exports/daily/*");
        assertThat(StorageTransferFederation.s3ReadPolicy("acme-exports", "")).doesNotContain("s3:prefix").doesNotContain("Put");
    }

    @Test
    @SuppressWarnings("unchecked")
    void transferJobUsesTheRoleNotKeys() {
        String job = StorageTransferFederation.transferJob("acme-prod", "S3 exports", "acme-exports", "daily/",
                "arn:aws:iam::123456789012:role/gcs-transfer", "acme-exports-gcs");
        Map<String, Object> spec = (Map<String, Object>) Json.object(job).orElseThrow().get("transferSpec");
        assertThat((Map<String, Object>) spec.get("awsS3DataSource")).containsEntry("roleArn", "arn:aws:iam::123456789012:role/gcs-transfer")
                .containsEntry("bucketName", "acme-exports").containsEntry("path", "daily/")
                .doesNotContainKey("awsAccessKey");
        assertThat(spec.get("gcsDataSink")).isEqualTo(Map.of("bucketName", "acme-exports-gcs"));
    }

    @Test
    void refusesWhatIsNotAnAgentOrARole() {
        assertThatThrownBy(() -> StorageTransferFederation.parseServiceAgent("{\"accountEmail\":\"x\"}"))
                .isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> StorageTransferFederation.transferJob("p", "d", "b-1", "", "arn:aws:iam::1:user/x", "g"))
                .hasMessageContaining("roleArn");
        assertThatThrownBy(() -> StorageTransferFederation.s3ReadPolicy("s3://bucket", "")).hasMessageContaining("bucket");
    }
}
