package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The demo setup of Google and Entra that `keyless demo` and `keyless local-cloud` rely on. */
class LocalCloudDemoSetupTest {

    @Test
    void googleAndEntraJoinTheDefaultSetupOnTheCloudsIssuer() {
        try (LocalCloud cloud = LocalCloud.builder().defaultSetup(true).withGoogle().withEntra().start()) {
            assertThat(cloud.demoGoogleProvider())
                    .isEqualTo("projects/271828182845/locations/global/workloadIdentityPools/keyless-pool/providers/github");
            assertThat(cloud.google().stsUrl()).startsWith("https://127.0.0.1:");
            var app = cloud.entra().application(LocalCloud.DEMO_TENANT, LocalCloud.DEMO_CLIENT).orElseThrow();
            assertThat(app.federatedCredentials()).singleElement().satisfies(fic -> {
                assertThat(fic.issuer()).isEqualTo(cloud.issuer().issuerUrl());
                assertThat(fic.subject()).contains("repo:keyless-dev/demo:ref:refs/heads/main");
            });
        }
    }

    @Test
    void askingForAnEmulatorThatWasNotAddedSaysHowToAddIt() {
        try (LocalCloud cloud = LocalCloud.start()) {
            assertThatThrownBy(cloud::google).hasMessageContaining("withGoogle()");
            assertThatThrownBy(cloud::entra).hasMessageContaining("withEntra()");
        }
    }
}
