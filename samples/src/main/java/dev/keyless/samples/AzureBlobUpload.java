package dev.keyless.samples;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import dev.keyless.azure.FederatedTokenCredential;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.azure.LocalEntra;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Azure: upload a blob with the federated credential: the job's OIDC token is exchanged at Entra ID for a Storage
 * access token ({@link FederatedTokenCredential}, an azure-core {@code TokenCredential} that every Azure SDK client
 * takes), and the blob is written with it (Blob REST API, {@code Authorization: Bearer}).
 *
 * <p>Real cloud: {@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} (an app with a federated credential for the job, and
 * the Storage Blob Data Contributor role on the container), {@code AZURE_STORAGE_CONTAINER_URL}
 * ({@code https://ACCOUNT.blob.core.windows.net/CONTAINER}). Without {@code AZURE_CLIENT_ID} it runs against the
 * embedded local cloud, which emulates Entra ID but not Blob Storage: there the token is obtained and verified, and the
 * upload is skipped (the azure module's tests exercise it against Azurite).
 */
public final class AzureBlobUpload {
    static final String LOCAL_TENANT = "8a3f2c1e-5b7d-4e9a-9c6b-0d1e2f3a4b5c";
    static final String LOCAL_CLIENT = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    static final String STORAGE_SCOPE = "https://storage.azure.com/.default";

    private AzureBlobUpload() {
    }

    public static void main(String[] args) {
        System.exit(run(Environment.system(), System.out));
    }

    public static int run(Environment env, PrintStream out) {
        if (env.has("AZURE_CLIENT_ID")) {
            try (FederatedTokenCredential credential = FederatedTokenCredential.builder().environment(env).build()) {
                return upload(env, credential, out);
            }
        }
        LocalJob.announce(out, "AZURE_CLIENT_ID");
        // GitHub's iss, served on loopback: federated credentials name https issuers.
        try (LocalCloud cloud = LocalCloud.builder().defaultSetup(true).issuerUrl("https://token.actions.githubusercontent.com")
                .service(LocalEntra.class, c -> LocalEntra.builder().clock(c.clock()).start()).start()) {
            LocalEntra entra = cloud.service(LocalEntra.class).orElseThrow();
            entra.trustIssuer(cloud.issuer());
            String subject = "repo:" + LocalCloud.DEMO_REPOSITORY + ":ref:refs/heads/main";
            entra.registerApplication(LOCAL_TENANT, LOCAL_CLIENT, "keyless-sample")
                    .addFederatedCredential("github-main", cloud.issuer().issuerUrl(), subject);
            Map<String, String> local = new HashMap<>(cloud.githubEnvironment());
            local.put("AZURE_TENANT_ID", LOCAL_TENANT);
            local.put("AZURE_CLIENT_ID", LOCAL_CLIENT);
            local.put("AZURE_AUTHORITY_HOST", entra.authorityHost().toString());
            try (FederatedTokenCredential credential = FederatedTokenCredential.builder()
                    .environment(Environment.of(local))
                    .httpClient(new JdkHttpClientBuilder(HttpClient.newBuilder().sslContext(entra.tls().sslContext())).build())
                    .build()) {
                int code = upload(Environment.of(local), credential, out);
                out.println("(the local cloud has no Blob Storage: set AZURE_STORAGE_CONTAINER_URL against a real account)");
                return code;
            }
        }
    }

    static int upload(Environment env, FederatedTokenCredential credential, PrintStream out) {
        AccessToken token;
        try {
            token = credential.getTokenSync(new TokenRequestContext().addScopes(STORAGE_SCOPE));
        } catch (KeylessException e) {
            out.println("FAILED: " + e.diagnosis().render());
            return 1;
        }
        out.println("Entra ID issued a Storage token for app " + credential.clientId().orElse("?") + ", valid until "
                + token.getExpiresAt().toInstant());
        String container = env.get("AZURE_STORAGE_CONTAINER_URL").orElse(null);
        if (container == null) {
            return 0;
        }
        URI blob = URI.create(container.replaceAll("/$", "") + "/keyless-sample.txt");
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(blob)
                    .header("Authorization", "Bearer " + token.getToken())
                    .header("x-ms-version", "2023-11-03")
                    .header("x-ms-blob-type", "BlockBlob")
                    .PUT(HttpRequest.BodyPublishers.ofString("written by a keyless job\n", StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                out.println("Upload failed: HTTP " + r.statusCode() + " (a 403 AuthorizationPermissionMismatch means the app "
                        + "lacks Storage Blob Data Contributor on the container)");
                return 1;
            }
            out.println("Uploaded " + blob);
            return 0;
        } catch (IOException e) {
            out.println("Upload failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
