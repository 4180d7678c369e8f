package dev.keyless.testkit;

import dev.keyless.testkit.internal.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;

/**
 * The trust material of the testkit's HTTPS emulators (local Google, local Entra ID): one self-signed certificate per
 * JVM, valid for {@code 127.0.0.1}, {@code ::1} and {@code localhost}, and ways to make a client trust it.
 *
 * <p>Two ways, pick one:
 * <ul>
 *   <li><b>Per client (preferred)</b>: pass {@link #sslContext()} to the HTTP client. For the Azure SDK, use azure-core's
 *       JDK HTTP client: {@code new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(tls.sslContext())).build()}
 *       and give it to the credential builder's {@code httpClient(...)}. For google-auth,
 *       {@code new NetHttpTransport.Builder().trustCertificates(tls.trustStore()).build()}. Nothing global changes.</li>
 *   <li><b>JVM-wide</b>: {@link #installAsJvmDefault()} writes a trust store holding this certificate plus the JVM's
 *       default CAs, points {@code javax.net.ssl.trustStore} at it and makes it the default {@link SSLContext}. Clients
 *       that build their SSL context from the defaults (the Azure SDK's default Netty client among them) then trust the
 *       emulator. Call it before the first such client is built: Netty caches its default context.</li>
 * </ul>
 * Because there is one certificate per JVM, either choice keeps working for every emulator started afterwards.
 */
public final class LocalTls {
    private static final LocalTls INSTANCE = new LocalTls(SelfSignedCertificate.get());
    private static Path installedTrustStore;

    private final SelfSignedCertificate certificate;

    private LocalTls(SelfSignedCertificate certificate) {
        this.certificate = certificate;
    }

    /** The trust material of this JVM. */
    public static LocalTls get() {
        return INSTANCE;
    }

    /** The emulators' certificate. */
    public X509Certificate certificate() {
        return certificate.certificate();
    }

    /**
     * The certificate in PEM, for tools outside the JVM ({@code curl --cacert}) or a child process's
     * {@code REQUESTS_CA_BUNDLE} or {@code NODE_EXTRA_CA_CERTS}.
     */
    public String certificatePem() {
        return certificate.pem();
    }

    /**
     * Writes the server certificate and its private key (PKCS#8), both PEM, so that a local child process (e.g. the
     * Azurite storage emulator, {@code --cert CERT --key KEY}) serves HTTPS with the certificate clients already trust.
     * The key is a throwaway made for this JVM's tests; never use it elsewhere.
     */
    public void writeServerPem(Path certificateFile, Path privateKeyFile) {
        try {
            Files.writeString(certificateFile, certificate.pem());
            Files.writeString(privateKeyFile, certificate.privateKeyPem());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the testkit server certificate", e);
        }
    }

    /** A client context that trusts the emulators only. */
    public SSLContext sslContext() {
        return certificate.clientContext(false);
    }

    /** A client context that trusts the emulators and every CA the JVM trusts by default. */
    public SSLContext sslContextWithDefaults() {
        return certificate.clientContext(true);
    }

    /** A trust store (PKCS#12, in memory) with the emulators' certificate only. */
    public KeyStore trustStore() {
        return certificate.trustStore(false);
    }

    /**
     * Writes a PKCS#12 trust store with the certificate (and, when {@code withDefaults}, the JVM's default CAs) to
     * {@code file}; its password is {@link #trustStorePassword()}.
     */
    public Path writeTrustStore(Path file, boolean withDefaults) {
        return certificate.writeTrustStore(file, withDefaults);
    }

    /** The password of written trust stores ({@code changeit}: they hold public certificates only). */
    public String trustStorePassword() {
        return SelfSignedCertificate.TRUST_STORE_PASSWORD;
    }

    /**
     * Makes the whole JVM trust the emulators as well as its default CAs: writes a trust store to a temporary file,
     * sets {@code javax.net.ssl.trustStore}, {@code javax.net.ssl.trustStorePassword} and
     * {@code javax.net.ssl.trustStoreType}, and sets the default {@link SSLContext}. Idempotent.
     *
     * @return the trust store file
     */
    public synchronized Path installAsJvmDefault() {
        if (installedTrustStore == null) {
            try {
                Path file = Files.createTempFile("keyless-testkit-truststore", ".p12");
                file.toFile().deleteOnExit();
                writeTrustStore(file, true);
                System.setProperty("javax.net.ssl.trustStore", file.toString());
                System.setProperty("javax.net.ssl.trustStorePassword", trustStorePassword());
                System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
                SSLContext.setDefault(sslContextWithDefaults());
                installedTrustStore = file;
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write the testkit trust store", e);
            }
        }
        return installedTrustStore;
    }

    @Override
    public String toString() {
        return "LocalTls{subject=" + certificate().getSubjectX500Principal().getName() + ", sans=127.0.0.1, ::1, localhost}";
    }
}
