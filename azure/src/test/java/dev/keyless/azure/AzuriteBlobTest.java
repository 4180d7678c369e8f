package dev.keyless.azure;

import static dev.keyless.azure.AzureFixture.newId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import dev.keyless.azure.AzureFixture.GitHubSource;
import dev.keyless.core.Environment;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.LocalTls;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.LocalEntra;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-plane peer: azure-storage-blob with Keyless's credential against Azurite (the Azure Storage emulator,
 * installed by the build from the npm registry) started with {@code --oauth basic} over HTTPS. Azurite checks the
 * bearer token's issuer ({@code https://sts.windows.net/TENANT/}), audience and lifetime as Azure Storage does (it skips
 * the signature), so a token for another audience and an expired token fail there too, with 403 AuthenticationFailed.
 *
 * <p>Azurite serves with the testkit's certificate, which the clients already trust. If the build did not install
 * Azurite, this test fails saying so: it is never skipped silently.
 */
class AzuriteBlobTest {
    static Process azurite;
    static String blobEndpoint;
    static final List<String> OUTPUT = new CopyOnWriteArrayList<>();
    static LocalIssuer github;
    static LocalEntra entra;

    @BeforeAll
    static void startAzurite(@TempDir Path dir) throws Exception {
        String home = System.getProperty("keyless.azurite.home");
        Path bin = home == null ? null : Path.of(home, "node_modules", ".bin", "azurite-blob");
        if (bin == null || !Files.isExecutable(bin)) {
            throw new IllegalStateException("Azurite is not installed at " + bin + ": the build installs it with npm in the "
                    + "process-test-resources phase (exec-maven-plugin in azure/pom.xml); run the tests through Maven.");
        }
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        LocalTls.get().writeServerPem(cert, key);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        azurite = new ProcessBuilder(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                "--oauth", "basic", "--cert", cert.toString(), "--key", key.toString(), "--inMemoryPersistence",
                "--skipApiVersionCheck", "--disableTelemetry", "--silent")
                .directory(dir.toFile()) // in memory; anything Azurite still writes stays in the temporary folder
                .redirectErrorStream(true).start();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(azurite.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    OUTPUT.add(line);
                    if (line.contains("successfully listens")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.completeExceptionally(new IllegalStateException("Azurite exited: " + OUTPUT));
        }, "azurite-output");
        reader.setDaemon(true);
        reader.start();
        listening.get(60, TimeUnit.SECONDS);
        blobEndpoint = "https://127.0.0.1:" + port + "/devstoreaccount1";

        github = LocalIssuer.builder().issuerUrl(FederatedCredentialSpec.GITHUB_ISSUER).start();
        entra = LocalEntra.start();
        entra.trustIssuer(github);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (azurite != null) {
            azurite.destroy();
            if (!azurite.waitFor(10, TimeUnit.SECONDS)) {
                azurite.destroyForcibly();
            }
        }
        if (entra != null) {
            entra.close();
        }
        if (github != null) {
            github.close();
        }
    }

    private static FederatedTokenCredential credential(LocalEntra entra, Clock clock) {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("github-main", github.issuerUrl(), "repo:acme/app:ref:refs/heads/main");
        return FederatedTokenCredential.builder().environment(Environment.of(Map.of()))
                .tenantId(app.tenantId()).clientId(app.clientId()).authorityHost(entra.authorityHost().toString())
                .tokenSource(new GitHubSource(github, b -> b.repository("acme/app").branch("main")))
                .clock(clock).httpClient(AzureFixture.httpClient(entra)).build();
    }

    private static BlobServiceClient blobs(TokenCredential credential) {
        return new BlobServiceClientBuilder().endpoint(blobEndpoint).credential(credential)
                .httpClient(AzureFixture.httpClient(entra)).buildClient();
    }

    @Test
    void aKeylessCredentialWritesAndReadsBlobs() {
        try (FederatedTokenCredential credential = credential(entra, Clock.systemUTC())) {
            BlobContainerClient container = blobs(credential).getBlobContainerClient("c" + newId().replace("-", ""));
            container.create();
            container.getBlobClient("hello.txt").upload(BinaryData.fromString("hello from keyless"));

            assertThat(container.getBlobClient("hello.txt").downloadContent().toString()).isEqualTo("hello from keyless");
        }
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        try (FederatedTokenCredential credential = credential(entra, Clock.systemUTC())) {
            // A credential that answers every request with a Key Vault token, as a misconfigured scope would.
            TokenCredential vaultTokens = request -> credential.getToken(new TokenRequestContext().addScopes(AzureFixture.VAULT));

            BlobStorageException e = catchThrowableOfType(
                    () -> blobs(vaultTokens).getBlobContainerClient("c" + newId().replace("-", "")).create(),
                    BlobStorageException.class);

            assertThat(e.getStatusCode()).isEqualTo(403);
            assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.getMessage()).contains("Invalid token audience");
        }
    }

    @Test
    void anExpiredTokenIsRefused() {
        // An Entra whose clock runs two hours behind issues tokens that expired an hour ago by the real clock, while
        // azure-identity, trusting expires_in, believes them valid: Storage (Azurite) must refuse them.
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
        try (LocalIssuer oldIssuer = LocalIssuer.builder().clock(behind).issuerUrl(FederatedCredentialSpec.GITHUB_ISSUER).start();
                LocalEntra oldEntra = LocalEntra.builder().clock(behind).start()) {
            oldEntra.trustIssuer(oldIssuer);
            EntraApplication app = oldEntra.registerApplication(newId(), newId());
            app.addFederatedCredential("github-main", oldIssuer.issuerUrl(), "repo:acme/app:ref:refs/heads/main");
            try (FederatedTokenCredential credential = FederatedTokenCredential.builder().environment(Environment.of(Map.of()))
                    .tenantId(app.tenantId()).clientId(app.clientId()).authorityHost(oldEntra.authorityHost().toString())
                    .tokenSource(new GitHubSource(oldIssuer, b -> b.repository("acme/app").branch("main")))
                    .httpClient(AzureFixture.httpClient(oldEntra)).build()) {

                BlobStorageException e = catchThrowableOfType(
                        () -> blobs(credential).getBlobContainerClient("c" + newId().replace("-", "")).create(),
                        BlobStorageException.class);

                assertThat(e.getStatusCode()).isEqualTo(403);
                assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.AUTHENTICATION_FAILED);
                assertThat(e.getMessage()).contains("The token is expired");
            }
        }
    }
}
