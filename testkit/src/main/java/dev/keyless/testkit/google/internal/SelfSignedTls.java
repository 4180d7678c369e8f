package dev.keyless.testkit.google.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway, self-signed TLS identity for {@code 127.0.0.1} and {@code localhost}, made with the JDK alone.
 *
 * <p>google-auth-library accepts only {@code https} token and impersonation URLs, so the Google emulation must
 * speak TLS. The JDK has no public API to make a certificate, hence the small DER encoder here: an EC P-256 key and
 * a v3 certificate with subjectAltName IP:127.0.0.1, IP:::1 and DNS:localhost, valid from a day ago for a year,
 * signed SHA256withECDSA with its own key. Nothing is written to disk.
 */
public final class SelfSignedTls {
    private static final char[] PASSWORD = "keyless-testkit".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final KeyStore keyStore;
    private final KeyStore trustStore;

    private SelfSignedTls(X509Certificate certificate, KeyStore keyStore, KeyStore trustStore) {
        this.certificate = certificate;
        this.keyStore = keyStore;
        this.trustStore = trustStore;
    }

    /** Generates a new key and certificate.  */
    public static SelfSignedTls generate(String commonName) {
        try {
            // EC P-256: as good for TLS as RSA, and its key is made in milliseconds where RSA-2048 takes seconds.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, RANDOM);
            KeyPair pair = generator.generateKeyPair();
            byte[] der = certificate(pair, commonName);
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            cert.verify(pair.getPublic());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", pair.getPrivate(), PASSWORD, new X509Certificate[] {cert});
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("keyless-testkit", cert);
            return new SelfSignedTls(cert, keys, trust);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("Could not make a self-signed certificate for the testkit", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A trust store holding only this certificate (no private key). */
    public KeyStore trustStore() {
        return trustStore;
    }

    /** The certificate in PEM form, for tools outside the JVM ({@code curl --cacert}, {@code REQUESTS_CA_BUNDLE}). */
    public String certificatePem() {
        try {
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server side: presents this certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, RANDOM);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client side: trusts this certificate (and nothing else). */
    public SSLContext clientContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), RANDOM);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- DER, just enough for one certificate ----

    private static byte[] certificate(KeyPair pair, String commonName) throws GeneralSecurityException {
        byte[] ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
        byte[] name = sequence(set(sequence(oid("2.5.4.3"), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
        // Real time, not an injected clock: the TLS peer checks validity against the machine's clock.
        Instant now = Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS);
        byte[] validity = sequence(utcTime(now.minus(1, ChronoUnit.DAYS)), utcTime(now.plus(365, ChronoUnit.DAYS)));
        byte[] san = sequence(
                tlv(0x87, new byte[] {127, 0, 0, 1}),
                tlv(0x87, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)));
        byte[] extensions = tlv(0xa3, sequence(
                sequence(oid("2.5.29.17"), tlv(0x04, san)),
                // basicConstraints CA:true, critical: lets the certificate anchor its own chain.
                sequence(oid("2.5.29.19"), new byte[] {0x01, 0x01, (byte) 0xff}, tlv(0x04, sequence(new byte[] {0x01, 0x01, (byte) 0xff})))));
        byte[] serial = tlv(0x02, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray());
        byte[] tbs = sequence(
                tlv(0xa0, tlv(0x02, new byte[] {2})),
                serial,
                ecdsaWithSha256,
                name,
                validity,
                name,
                pair.getPublic().getEncoded(),
                extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] sig = signer.sign();
        byte[] bitString = new byte[sig.length + 1];
        System.arraycopy(sig, 0, bitString, 1, sig.length);
        return sequence(tbs, ecdsaWithSha256, tlv(0x03, bitString));
    }

    private static byte[] utcTime(Instant t) {
        String s = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t);
        return tlv(0x17, s.getBytes(StandardCharsets.US_ASCII));
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
