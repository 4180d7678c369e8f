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
 * The Google and Entra parts of the local cloud's default setup, shared by {@code local-cloud}, {@code demo} and
 * {@code doctor}: a workload identity pool provider trusting the issuer whose condition admits the demo repository,
 * a service account it may impersonate, an Entra application whose federated credential trusts the job's subject,
 * and clients that trust the emulators' self-signed certificates (per client: nothing JVM-wide changes).
 */
final class LocalSetup {
    static final String GOOGLE_PROJECT_ID = "keyless-local";
    static final String GOOGLE_PROJECT_NUMBER = "271828182845";
    static final String GOOGLE_POOL = "keyless-pool";
    static final String GOOGLE_PROVIDER = "github";
    static final String GOOGLE_SERVICE_ACCOUNT = "keyless-deploy@keyless-local.iam.gserviceaccount.com";
    /** The Entra tenant and application of the default setup (fixed, so that scripts can rely on them). */
    static final String ENTRA_TENANT = "8a3f2c1e-5b7d-4e9a-9c6b-0d1e2f3a4b5c";
    static final String ENTRA_CLIENT = "4b2e9d1c-7f3a-4c8e-b5d6-1a2b3c4d5e6f";
    static final String ENTRA_CREDENTIAL = "github-job";

    private LocalSetup() {
    }

    /** Registers the default pool provider and service account; returns the provider. */
    static WorkloadIdentityPoolProvider google(LocalGoogle g, LocalIssuer issuer) {
        g.project(GOOGLE_PROJECT_ID, GOOGLE_PROJECT_NUMBER);
        WorkloadIdentityPoolProvider provider = g.workloadIdentityPoolProvider(GOOGLE_PROJECT_NUMBER, GOOGLE_POOL, GOOGLE_PROVIDER)
                .issuer(issuer)
                .attributeMapping("google.subject", "assertion.sub")
                .attributeMapping("attribute.repository", "assertion.repository")
                .attributeCondition("assertion.repository == '" + LocalCloud.DEMO_REPOSITORY + "'")
                .create();
        g.serviceAccount(GOOGLE_SERVICE_ACCOUNT).grant(provider.principalSet("repository", LocalCloud.DEMO_REPOSITORY),
                LocalGoogle.WORKLOAD_IDENTITY_USER);
        return provider;
    }

    /** Registers the default application with a federated credential for {@code subject}; returns it. */
    static EntraApplication entra(LocalEntra e, LocalIssuer issuer, String subject) {
        e.trustIssuer(issuer);
        EntraApplication app = e.registerApplication(ENTRA_TENANT, ENTRA_CLIENT, "keyless-demo");
        app.addFederatedCredential(ENTRA_CREDENTIAL, issuer.issuerUrl(), subject);
        return app;
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
