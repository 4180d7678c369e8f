package dev.keyless.testkit.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The testkit's one self-signed TLS server certificate (EC P-256) for {@code 127.0.0.1}, {@code ::1} and
 * {@code localhost}, made once per JVM with the JDK alone.
 *
 * <p>One per JVM on purpose: a trust decision made once (a trust store written, {@code javax.net.ssl.trustStore}
 * set, Netty's default SSL context built) keeps working for every emulator started later in the same JVM.
 * The JDK has no public API to make a certificate, hence the small DER encoder here: a v3 certificate with
 * subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost, basicConstraints CA:false, keyUsage digitalSignature and
 * extendedKeyUsage serverAuth, valid from a day ago for 825 days, signed SHA256withECDSA with its own key.
 * Validity uses the real clock, because TLS peers check it against the real clock, not a test's.
 */
public final class SelfSignedCertificate {
    private static final char[] KEY_PASSWORD = "keyless-testkit".toCharArray();
    /** The password of written trust stores: trust stores hold only public certificates. */
    public static final String TRUST_STORE_PASSWORD = "changeit";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final SSLContext serverContext;

    private SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey, SSLContext serverContext) {
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
            // EC P-256: as good for TLS as RSA, and its key is made in milliseconds where RSA-2048 takes seconds.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(encode(keys)));
            cert.verify(keys.getPublic());

            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", keys.getPrivate(), KEY_PASSWORD, new java.security.cert.Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, KEY_PASSWORD);
            SSLContext server = SSLContext.getInstance("TLS");
            server.init(kmf.getKeyManagers(), null, null);
            return new SelfSignedCertificate(cert, keys.getPrivate(), server);
        } catch (GeneralSecurityException | IOException e) {
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
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
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
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager) {
                return (X509TrustManager) tm;
            }
        }
        throw new GeneralSecurityException("The JVM has no default X509TrustManager");
    }

    // ---- DER, just enough for one certificate ----

    private static final int BOOLEAN = 0x01;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OCTET_STRING = 0x04;
    private static final int UTF8_STRING = 0x0c;
    private static final int UTC_TIME = 0x17;
    private static final byte[] TRUE = {BOOLEAN, 0x01, (byte) 0xff};

    private static byte[] encode(KeyPair keys) throws GeneralSecurityException {
        byte[] ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
        // RDNs in DER order O then CN, so that Java shows the subject as "CN=Keyless testkit,O=Keyless testkit".
        byte[] name = sequence(
                set(sequence(oid("2.5.4.10"), tlv(UTF8_STRING, "Keyless testkit".getBytes(StandardCharsets.UTF_8)))),
                set(sequence(oid("2.5.4.3"), tlv(UTF8_STRING, "Keyless testkit".getBytes(StandardCharsets.UTF_8)))));
        // Real time, not an injected clock: the TLS peer checks validity against the machine's clock.
        Instant now = Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS);
        byte[] validity = sequence(utcTime(now.minus(Duration.ofDays(1))), utcTime(now.plus(Duration.ofDays(825))));
        byte[] subjectAltName = sequence(
                tlv(0x87, new byte[] {127, 0, 0, 1}),
                tlv(0x87, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)));
        byte[] extensions = tlv(0xa3, sequence(
                sequence(oid("2.5.29.17"), tlv(OCTET_STRING, subjectAltName)),
                // basicConstraints, critical: an end-entity certificate (cA FALSE is the DER default, so left out).
                sequence(oid("2.5.29.19"), TRUE, tlv(OCTET_STRING, sequence())),
                // keyUsage, critical: digitalSignature only (bit 0; 7 unused bits).
                sequence(oid("2.5.29.15"), TRUE, tlv(OCTET_STRING, tlv(BIT_STRING, new byte[] {0x07, (byte) 0x80}))),
                // extendedKeyUsage: id-kp-serverAuth.
                sequence(oid("2.5.29.37"), tlv(OCTET_STRING, sequence(oid("1.3.6.1.5.5.7.3.1"))))));
        byte[] serial = tlv(INTEGER, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray());
        byte[] tbs = sequence(
                tlv(0xa0, tlv(INTEGER, new byte[] {2})),
                serial,
                ecdsaWithSha256,
                name,
                validity,
                name,
                keys.getPublic().getEncoded(),
                extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bitString = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bitString, 1, signature.length);
        return sequence(tbs, ecdsaWithSha256, tlv(BIT_STRING, bitString));
    }

    private static byte[] utcTime(Instant t) {
        String s = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t);
        return tlv(UTC_TIME, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long v = Long.parseLong(parts[i]);
            byte[] tmp = new byte[10];
            int n = 0;
            do {
                tmp[n++] = (byte) (v & 0x7f);
                v >>>= 7;
            } while (v != 0);
            for (int j = n - 1; j >= 0; j--) {
                out.write(tmp[j] | (j > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len & 0xff);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write((len >> 8) & 0xff);
            out.write(len & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
