package dev.keyless.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkloadIdentityProviderTest {
    static final String NAME = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/github";

    @ParameterizedTest
    @ValueSource(strings = {NAME, "//iam.googleapis.com/" + NAME, "https://iam.googleapis.com/" + NAME, "  " + NAME + "\n"})
    void acceptsTheResourceNameWithOrWithoutPrefix(String given) {
        WorkloadIdentityProvider p = WorkloadIdentityProvider.parse(given);
        assertThat(p.resourceName()).isEqualTo(NAME);
        assertThat(p.stsAudience()).isEqualTo("//iam.googleapis.com/" + NAME);
        assertThat(p.defaultTokenAudience()).isEqualTo("https://iam.googleapis.com/" + NAME);
        assertThat(p.projectNumber()).contains("123456789012");
        assertThat(p.poolId()).isEqualTo("ci-pool");
        assertThat(p.providerId()).isEqualTo("github");
        assertThat(p.isWorkforce()).isFalse();
    }

    @Test
    void derivesIamMembers() {
        WorkloadIdentityProvider p = WorkloadIdentityProvider.of("123456789012", "ci-pool", "github");
        String pool = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool";
        assertThat(p.principal("repo:acme/app:ref:refs/heads/main"))
                .isEqualTo("principal://iam.googleapis.com/" + pool + "/subject/repo:acme/app:ref:refs/heads/main");
        assertThat(p.principalSet("repository", "acme/app"))
                .isEqualTo("principalSet://iam.googleapis.com/" + pool + "/attribute.repository/acme/app");
        assertThat(p.principalSet("attribute.repository", "acme/app")).isEqualTo(p.principalSet("repository", "acme/app"));
        assertThat(p.allIdentities()).isEqualTo("principalSet://iam.googleapis.com/" + pool + "/*");
    }

    @Test
    void projectIdIsRefusedWithTheCommandThatFindsTheNumber() {
        assertThatThrownBy(() -> WorkloadIdentityProvider.parse(NAME.replace("123456789012", "acme-prod")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.diagnosis().code()).isEqualTo("gcp.provider-project-id");
                    assertThat(e.diagnosis().fix()).contains("gcloud projects describe acme-prod --format='value(projectNumber)'");
                });
    }

    @Test
    void poolIsRefusedWithTheProviderToAppend() {
        assertThatThrownBy(() -> WorkloadIdentityProvider.parse(
                "projects/123456789012/locations/global/workloadIdentityPools/ci-pool"))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.diagnosis().code()).isEqualTo("gcp.provider-is-pool");
                    assertThat(e.diagnosis().fix()).contains("workloadIdentityPools/ci-pool/providers/PROVIDER");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "projects/123456789012/locations/global/workloadIdentityPools/github/attribute.repository/acme/app",
            "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci-pool/*"})
    void principalSetIsRefused(String given) {
        assertThatThrownBy(() -> WorkloadIdentityProvider.parse(given))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.diagnosis().code()).isEqualTo("gcp.provider-is-principal"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "github", "projects/1/locations/global/providers/x",
            "projects/123456789012/locations/us-east1/workloadIdentityPools/ci-pool/providers/github",
            "projects/123456789012/locations/global/workloadIdentityPools/CI_POOL/providers/github"})
    void malformedNamesAreRefused(String given) {
        assertThatThrownBy(() -> WorkloadIdentityProvider.parse(given)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void workforceProvidersHaveNoProject() {
        WorkloadIdentityProvider p = WorkloadIdentityProvider.parse("//iam.googleapis.com/locations/global/workforcePools/acme-staff/providers/okta");
        assertThat(p.isWorkforce()).isTrue();
        assertThat(p.projectNumber()).isEmpty();
        assertThat(p.stsAudience()).isEqualTo("//iam.googleapis.com/locations/global/workforcePools/acme-staff/providers/okta");
        assertThat(WorkloadIdentityProvider.workforce("acme-staff", "okta")).isEqualTo(p);
    }
}
