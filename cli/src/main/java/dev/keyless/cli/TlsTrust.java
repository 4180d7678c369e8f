package dev.keyless.cli;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust for the local cloud's HTTPS emulators (Google, Entra ID), whose certificates are self-signed: a PEM file
 * (written by {@code keyless local-cloud}) becomes a trust store for one client. Nothing JVM-wide changes.
 */
final class TlsTrust {
    private TlsTrust() {
    }

    /** A trust store holding every certificate of the PEM file. */
    static KeyStore keyStore(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("no certificate in the file");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException(Diagnosis.builder("Cannot use the CA file " + pem + " as a trust store.")
                    .code("cli.invalid-ca-file")
                    .evidence("file", pem)
                    .evidence("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                    .fix("Pass a PEM file with the emulator's certificate (keyless local-cloud writes them and exports "
                            + "KEYLESS_GCP_CA_FILE and KEYLESS_AZURE_CA_FILE), or leave the option out for real clouds.")
                    .build());
        }
    }

    /** An SSL context trusting exactly the certificates of the PEM file. */
    static SSLContext sslContext(Path pem) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keyStore(pem));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build an SSL context", e);
        }
    }
}
