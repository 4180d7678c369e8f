package dev.keyless.cli;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.LocalEntra;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.security.GeneralSecurityException;

/**
 * The Google and Entra parts of the local cloud's default setup as the commands use them ({@code local-cloud},
 * {@code demo}, {@code doctor}): the testkit's demo registrations, and clients that trust the emulators'
 * self-signed certificate (per client: nothing JVM-wide changes).
 */
final class LocalSetup {
    static final String GOOGLE_PROJECT_NUMBER = LocalCloud.DEMO_GOOGLE_PROJECT_NUMBER;
    static final String GOOGLE_POOL = LocalCloud.DEMO_GOOGLE_POOL;
    static final String GOOGLE_PROVIDER = LocalCloud.DEMO_GOOGLE_PROVIDER;
    static final String GOOGLE_SERVICE_ACCOUNT = LocalCloud.DEMO_SERVICE_ACCOUNT;
    static final String ENTRA_TENANT = LocalCloud.DEMO_TENANT;
    static final String ENTRA_CLIENT = LocalCloud.DEMO_CLIENT;

    private LocalSetup() {
    }

    /** Registers the default pool provider and service account (the testkit's demo setup); returns the provider. */
    static WorkloadIdentityPoolProvider google(LocalGoogle g, LocalIssuer issuer) {
        return LocalCloud.registerDemoGoogle(g, issuer);
    }

    /** Registers the default application with a federated credential for {@code subject}; returns it. */
    static EntraApplication entra(LocalEntra e, LocalIssuer issuer, String subject) {
        return LocalCloud.registerDemoEntra(e, issuer, subject);
    }

    /** google-auth's transport trusting the emulator's certificate. */
    static HttpTransportFactory googleTransport(LocalGoogle g) {
        try {
            NetHttpTransport net = new NetHttpTransport.Builder().trustCertificates(g.trustStore()).build();
            return () -> net;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot trust the local Google emulator's certificate", e);
        }
    }

    /** azure-core's JDK HTTP client trusting the emulator's certificate. */
    static HttpClient entraHttpClient(LocalEntra e) {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(e.tls().sslContext())).build();
    }
}
