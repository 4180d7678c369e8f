package dev.keyless.testkit.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ClientAssertionCredentialBuilder;
import java.util.UUID;
import java.util.function.Supplier;

/** Shared helpers: azure-identity pointed at a {@link LocalEntra} over HTTPS, trusting it per client. */
final class EntraFixture {
    static final String STORAGE_SCOPE = "https://storage.azure.com/.default";

    private EntraFixture() {
    }

    /** azure-core's JDK HTTP client, trusting the emulator's certificate only: nothing JVM-wide changes. */
    static HttpClient httpClient(LocalEntra entra) {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(entra.tls().sslContext())).build();
    }

    /** The real azure-identity ClientAssertionCredential against the emulator. */
    static TokenCredential credential(LocalEntra entra, HttpClient http, String tenant, String clientId, Supplier<String> assertion) {
        return new ClientAssertionCredentialBuilder()
                .tenantId(tenant)
                .clientId(clientId)
                .clientAssertion(assertion)
                .authorityHost(entra.authorityHost().toString())
                // MSAL sends instance discovery for unknown hosts to login.microsoftonline.com: never leave loopback.
                .disableInstanceDiscovery()
                .httpClient(http)
                .build();
    }

    static AccessToken storageToken(TokenCredential credential) {
        return credential.getTokenSync(new TokenRequestContext().addScopes(STORAGE_SCOPE));
    }

    /** A fresh GUID-shaped id, so that tests do not share tenants or applications. */
    static String newId() {
        return UUID.randomUUID().toString();
    }

    /** The messages of a throwable and its causes, to look for an AADSTS code wherever the SDK wrapped it. */
    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
