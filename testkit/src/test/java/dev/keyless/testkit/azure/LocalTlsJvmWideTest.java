package dev.keyless.testkit.azure;

import static dev.keyless.testkit.azure.EntraFixture.newId;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.AccessToken;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.identity.ClientAssertionCredentialBuilder;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.LocalTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The JVM-wide way: after {@link LocalTls#installAsJvmDefault()}, the Azure SDK's default Netty client, built with no
 * TLS settings at all, trusts the emulator. (Netty caches its default context, so this must run before any other
 * Netty client in the JVM; the other tests here use the JDK client.)
 */
class LocalTlsJvmWideTest {

    @Test
    void theDefaultNettyClientTrustsTheEmulatorOnceInstalled() throws Exception {
        Path store = LocalTls.get().installAsJvmDefault();
        assertThat(System.getProperty("javax.net.ssl.trustStore")).isEqualTo(store.toString());
        KeyStore written = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            written.load(in, LocalTls.get().trustStorePassword().toCharArray());
        }
        assertThat(written.getCertificateAlias(LocalTls.get().certificate())).isNotNull();
        assertThat(written.size()).as("the JVM's default CAs are kept").isGreaterThan(1);

        try (LocalIssuer issuer = LocalIssuer.start(); LocalEntra entra = LocalEntra.start()) {
            EntraApplication app = entra.registerApplication(newId(), newId());
            app.addFederatedCredential("k8s", issuer.issuerUrl(), "system:serviceaccount:default:default");
            HttpClient netty = new NettyAsyncHttpClientBuilder().build();

            AccessToken token = EntraFixture.storageToken(new ClientAssertionCredentialBuilder()
                    .tenantId(app.tenantId()).clientId(app.clientId())
                    .clientAssertion(() -> issuer.kubernetes().audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue())
                    .authorityHost(entra.authorityHost().toString())
                    .disableInstanceDiscovery()
                    .httpClient(netty)
                    .build());

            assertThat(entra.verifyAccessToken(token.getToken())).containsEntry("appid", app.clientId());
        }
    }
}
