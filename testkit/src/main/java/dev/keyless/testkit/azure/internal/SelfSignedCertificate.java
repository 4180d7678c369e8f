package dev.keyless.testkit.azure.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One self-signed TLS server certificate (EC P-256) for {@code 127.0.0.1}, {@code ::1} and {@code localhost}, made
 * once per JVM with BouncyCastle's certificate builder; the JDK's own providers do the cryptography.
 *
 * <p>One per JVM on purpose: a trust decision made once (a trust store written, {@code javax.net.ssl.trustStore}
 * set, Netty's default SSL context built) keeps working for every emulator started later in the same JVM.
 * Validity uses the real clock, because TLS peers check it against the real clock, not a test's.
 */
public final class SelfSignedCertificate {
    private static final char[] KEY_PASSWORD = "keyless-testkit".toCharArray();
    /** The password of written trust stores: trust stores hold only public certificates. */
    public static final String TRUST_STORE_PASSWORD = "changeit";

    private final X509Certificate certificate;
    private final java.security.PrivateKey privateKey;
    private final SSLContext serverContext;

    private SelfSignedCertificate(X509Certificate certificate, java.security.PrivateKey privateKey, SSLContext serverContext) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.serverContext = serverContext;
    }

    /** The certificate of this JVM, generated on first use. */
    public static SelfSignedCertificate get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final SelfSignedCertificate INSTANCE = generate();
    }

    private static SelfSignedCertificate generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=Keyless testkit local Entra ID, O=Keyless testkit");
            Instant now = Clock.systemUTC().instant();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(63, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(825))),
                    name, keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));

            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", keys.getPrivate(), KEY_PASSWORD, new java.security.cert.Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, KEY_PASSWORD);
            SSLContext server = SSLContext.getInstance("TLS");
            server.init(kmf.getKeyManagers(), null, null);
            return new SelfSignedCertificate(cert, keys.getPrivate(), server);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("Could not generate the testkit's self-signed TLS certificate", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The server side: presents the certificate. */
    public SSLContext serverContext() {
        return serverContext;
    }

    /** The certificate in PEM. */
    public String pem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key in PKCS#8 PEM: a throwaway test key, for a child process (e.g. Azurite) to serve with. */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A trust store with this certificate and, when {@code withDefaults}, every CA the JVM trusts by default. */
    public KeyStore trustStore(boolean withDefaults) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("keyless-testkit", certificate);
            if (withDefaults) {
                int i = 0;
                for (X509Certificate ca : defaultTrustManager().getAcceptedIssuers()) {
                    store.setCertificateEntry("default-" + i++, ca);
                }
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Could not build a trust store", e);
        }
    }

    /** A client context that trusts this certificate (and, when {@code withDefaults}, the JVM's default CAs). */
    public SSLContext clientContext(boolean withDefaults) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(withDefaults));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not build a client SSL context", e);
        }
    }

    /** Writes a PKCS#12 trust store (password {@link #TRUST_STORE_PASSWORD}) to {@code file}. */
    public Path writeTrustStore(Path file, boolean withDefaults) {
        KeyStore store = trustStore(withDefaults);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the trust store " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not write the trust store " + file, e);
        }
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (javax.net.ssl.TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager) {
                return (X509TrustManager) tm;
            }
        }
        throw new GeneralSecurityException("The JVM has no default X509TrustManager");
    }
}
