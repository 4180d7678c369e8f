package dev.keyless.samples;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.security.GeneralSecurityException;

/** The local Google setup of the samples: a pool provider for the local issuer and a service account it may use. */
final class LocalGoogleSetup {
    static final String PROJECT_NUMBER = "271828182845";
    static final String SERVICE_ACCOUNT = "keyless-sample@keyless-local.iam.gserviceaccount.com";

    private LocalGoogleSetup() {
    }

    static WorkloadIdentityPoolProvider provider(LocalCloud cloud, LocalGoogle google) {
        google.project("keyless-local", PROJECT_NUMBER);
        WorkloadIdentityPoolProvider p = google.workloadIdentityPoolProvider(PROJECT_NUMBER, "samples", "github")
                .issuer(cloud.issuer())
                .attributeMapping("google.subject", "assertion.sub")
                .attributeMapping("attribute.repository", "assertion.repository")
                .attributeCondition("assertion.repository == '" + LocalCloud.DEMO_REPOSITORY + "'")
                .create();
        google.serviceAccount(SERVICE_ACCOUNT).grant(p.principalSet("repository", LocalCloud.DEMO_REPOSITORY),
                LocalGoogle.WORKLOAD_IDENTITY_USER);
        return p;
    }

    /** google-auth's transport trusting the emulator's self-signed certificate (only this client). */
    static HttpTransportFactory transport(LocalGoogle google) {
        try {
            NetHttpTransport net = new NetHttpTransport.Builder().trustCertificates(google.trustStore()).build();
            return () -> net;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
