package dev.keyless.core.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.TokenException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * RFC 7523 client assertions ({@code private_key_jwt}): reads a private key from a {@link PrivateKey}, a PEM
 * text or a JWK, and signs a fresh, short-lived assertion per call.
 *
 * <p>Errors about keys never quote the key: they name the option and the shape that was found (the PEM
 * block type, the JWK key type). The JDK alone reads PKCS#8, PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1
 * ({@code EC PRIVATE KEY}) blocks; no BouncyCastle is needed at run time.
 */
public final class ClientAssertions {
    /** The {@code client_assertion_type} of a JWT client assertion (RFC 7523 §2.2). */
    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** RSA algorithms a key of type RSA may sign with. */
    private static final Set<JWSAlgorithm> RSA_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);

    private static final byte[] RSA_ENCRYPTION_OID = {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY_OID = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    private ClientAssertions() {
    }

    /**
     * Signs assertions with one key: immutable and thread-safe (nimbus signers create a {@code Signature} per
     * call). {@link #toString()} shows the algorithm and key id, never key material.
     */
    public static final class Signer {
        private final JWSSigner signer;
        private final JWSAlgorithm algorithm;
        private final String keyId;

        private Signer(JWSSigner signer, JWSAlgorithm algorithm, String keyId) {
            this.signer = signer;
            this.algorithm = algorithm;
            this.keyId = keyId;
        }

        /** The JWS algorithm, such as {@code RS256} or {@code ES256}. */
        public String algorithm() {
            return algorithm.getName();
        }

        /** The {@code kid} header, or null when none is sent. */
        public String keyId() {
            return keyId;
        }

        /**
         * A fresh assertion: {@code iss = sub = clientId}, {@code aud = audience}, a random {@code jti},
         * {@code iat} now (whole seconds) and {@code exp = iat + lifetime}. The result is a credential: never log it.
         */
        public String sign(String clientId, URI audience, Clock clock, Duration lifetime) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(clientId)
                    .subject(clientId)
                    .audience(audience.toString())
                    .jwtID(UUID.randomUUID().toString())
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(lifetime)))
                    .build();
            JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT);
            if (keyId != null) {
                header.keyID(keyId);
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            try {
                jwt.sign(signer);
            } catch (JOSEException | RuntimeException e) {
                // The provider's message names the algorithm at most; the key itself is never in it.
                throw new TokenException(Diagnosis.builder("Could not sign the client assertion with " + algorithm + ".")
                        .code("idp.assertion-signing-failed")
                        .likelyCause("The Java security provider rejected the key or the algorithm.")
                        .evidence("algorithm", algorithm)
                        .evidence("error", e.getClass().getSimpleName())
                        .fix("Use an RSA key of at least 2048 bits (RS256) or an EC key on P-256, P-384 or P-521.")
                        .build(), false, e);
            }
            return jwt.serialize();
        }

        @Override
        public String toString() {
            return "ClientAssertions.Signer{alg=" + algorithm + ", kid=" + keyId + "}";
        }
    }

    /**
     * A signer for a Java private key.
     *
     * @param algorithm null to pick from the key: RS256 for RSA, ES256/ES384/ES512 by EC curve
     * @param option    the builder option the key came from, named in errors
     */
    public static Signer forKey(PrivateKey key, String keyId, String algorithm, String option) {
        Objects.requireNonNull(key, "key");
        if (key instanceof RSAPrivateKey) {
            JWSAlgorithm alg = algorithm == null ? JWSAlgorithm.RS256 : requireAlgorithm(algorithm, RSA_ALGORITHMS, "RSA");
            int bits = ((RSAPrivateKey) key).getModulus().bitLength();
            if (bits < 2048) {
                throw ConfigurationException.badOption(option, "the RSA key has " + bits + " bits",
                        "Use an RSA key of at least 2048 bits (RFC 7518 §3.3), or an EC key.");
            }
            return new Signer(new RSASSASigner(key), alg, keyId);
        }
        if (key instanceof ECPrivateKey) {
            Curve curve = Curve.forECParameterSpec(((ECPrivateKey) key).getParams());
            JWSAlgorithm natural = curve == null ? null : ecAlgorithm(curve);
            if (natural == null) {
                throw ConfigurationException.badOption(option, "the EC key is on an unsupported curve",
                        "Use an EC key on P-256 (ES256), P-384 (ES384) or P-521 (ES512), or an RSA key.");
            }
            JWSAlgorithm alg = algorithm == null ? natural : requireAlgorithm(algorithm, Set.of(natural), "EC " + curve);
            try {
                return new Signer(new ECDSASigner((ECPrivateKey) key), alg, keyId);
            } catch (JOSEException e) {
                throw ConfigurationException.badOption(option, "the EC key cannot sign (" + e.getClass().getSimpleName() + ")",
                        "Use an EC key on P-256, P-384 or P-521, or an RSA key.");
            }
        }
        throw ConfigurationException.badOption(option, "the key type is " + key.getAlgorithm(),
                "Use an RSA (RS256) or EC (ES256/ES384/ES512) private key: these are the private_key_jwt "
                        + "algorithms identity providers accept.");
    }

    /** A signer for a PEM text: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}. */
    public static Signer forPem(String pem, String keyId, String algorithm, String option) {
        return forKey(parsePem(pem, option), keyId, algorithm, option);
    }

    /**
     * A signer for a private JWK (JSON). Its {@code kid} and {@code alg} are used unless {@code keyId} or
     * {@code algorithm} override them.
     */
    public static Signer forJwk(String json, String keyId, String algorithm, String option) {
        if (json == null || json.isBlank()) {
            throw ConfigurationException.badOption(option, "it is empty", "Pass a private JWK as JSON text.");
        }
        JWK jwk;
        try {
            jwk = JWK.parse(json.strip());
        } catch (java.text.ParseException | RuntimeException e) {
            // The parser's message may quote the input, which holds the key: not attached.
            throw ConfigurationException.badOption(option, "it is not a valid JWK",
                    "Pass one private RSA or EC key as JWK JSON (with the private member 'd'), not a JWK set.");
        }
        if (!jwk.isPrivate()) {
            throw ConfigurationException.badOption(option, "the JWK is a public key (no 'd' member)",
                    "Pass the private JWK; register the public one at the identity provider.");
        }
        String kid = keyId != null ? keyId : jwk.getKeyID();
        String alg = algorithm != null ? algorithm : (jwk.getAlgorithm() == null ? null : jwk.getAlgorithm().getName());
        try {
            if (jwk instanceof RSAKey) {
                return forKey(((RSAKey) jwk).toPrivateKey(), kid, alg, option);
            }
            if (jwk instanceof ECKey) {
                return forKey(((ECKey) jwk).toPrivateKey(), kid, alg, option);
            }
        } catch (JOSEException e) {
            throw ConfigurationException.badOption(option, "the JWK's private key cannot be read",
                    "Check that the JWK is complete (kty, crv, x, y, d for EC; n, e, d for RSA).");
        }
        throw ConfigurationException.badOption(option, "the JWK key type is " + jwk.getKeyType(),
                "Use an RSA or EC private JWK.");
    }

    /** Reads the first private key block of a PEM text with the JDK's key factories. */
    public static PrivateKey parsePem(String pem, String option) {
        if (pem == null || pem.isBlank()) {
            throw ConfigurationException.badOption(option, "it is empty", "Pass a PEM private key (-----BEGIN PRIVATE KEY-----).");
        }
        for (String type : List.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")) {
            String body = block(pem, type);
            if (body == null) {
                continue;
            }
            if (body.contains("ENCRYPTED") || body.contains(":")) {
                throw encrypted(option);
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw ConfigurationException.badOption(option, "the " + type + " block is not valid base64",
                        "Pass the PEM text unchanged, including its BEGIN and END lines.");
            }
            switch (type) {
                case "RSA PRIVATE KEY":
                    return generate(pkcs8(RSA_ENCRYPTION_OID, new byte[] {0x05, 0x00}, der), "RSA", option, type);
                case "EC PRIVATE KEY":
                    return generate(pkcs8(EC_PUBLIC_KEY_OID, sec1CurveOid(der, option), der), "EC", option, type);
                default:
                    return pkcs8Key(der, option);
            }
        }
        if (block(pem, "ENCRYPTED PRIVATE KEY") != null) {
            throw encrypted(option);
        }
        String found = pem.contains("-----BEGIN ") ? firstBlockType(pem) : "no PEM block";
        throw ConfigurationException.badOption(option, "it holds " + found + ", not a private key",
                "Pass the private key in PEM (-----BEGIN PRIVATE KEY-----); the certificate or public key "
                        + "is what you register at the identity provider.");
    }

    private static ConfigurationException encrypted(String option) {
        return ConfigurationException.badOption(option, "the private key is encrypted",
                "Pass an unencrypted key, e.g. `openssl pkcs8 -topk8 -nocrypt -in key.pem`, kept in a secret store.");
    }

    private static PrivateKey pkcs8Key(byte[] der, String option) {
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next key type
            }
        }
        throw ConfigurationException.badOption(option, "the PRIVATE KEY block is neither an RSA nor an EC key",
                "Use an RSA (RS256) or EC (ES256/ES384/ES512) private key in PKCS#8 PEM.");
    }

    private static PrivateKey generate(byte[] pkcs8, String algorithm, String option, String type) {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw ConfigurationException.badOption(option, "the " + type + " block cannot be read",
                    "Check the PEM text, or convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem`.");
        }
    }

    private static String block(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        if (b < 0) {
            return null;
        }
        int e = pem.indexOf(end, b + begin.length());
        return e < 0 ? null : pem.substring(b + begin.length(), e);
    }

    private static String firstBlockType(String pem) {
        int b = pem.indexOf("-----BEGIN ") + "-----BEGIN ".length();
        int e = pem.indexOf("-----", b);
        String type = e < 0 ? "" : pem.substring(b, e);
        // Only ever a short label of capitals (CERTIFICATE, PUBLIC KEY): never echo anything longer.
        return type.matches("[A-Z0-9 ]{1,40}") ? "a " + type + " block" : "an unrecognised PEM block";
    }

    /** The curve OID (a full DER TLV) from a SEC1 ECPrivateKey's [0] parameters. */
    private static byte[] sec1CurveOid(byte[] der, String option) {
        try {
            Der seq = new Der(der, 0);
            if (seq.tag != 0x30) {
                throw new IllegalArgumentException("not a sequence");
            }
            int p = seq.contentStart;
            while (p < seq.end) {
                Der item = new Der(der, p);
                if (item.tag == 0xA0) {
                    Der oid = new Der(der, item.contentStart);
                    if (oid.tag == 0x06) {
                        byte[] tlv = new byte[oid.end - item.contentStart];
                        System.arraycopy(der, item.contentStart, tlv, 0, tlv.length);
                        return tlv;
                    }
                }
                p = item.end;
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw ConfigurationException.badOption(option, "the EC PRIVATE KEY block names no curve",
                "Convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in key.pem`.");
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, SEQUENCE { OID, parameters }, OCTET STRING key }. */
    private static byte[] pkcs8(byte[] algorithmOid, byte[] parametersTlv, byte[] key) {
        byte[] algorithmIdentifier = tlv(0x30, concat(tlv(0x06, algorithmOid), parametersTlv));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithmIdentifier, tlv(0x04, key)));
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xFF);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write((n >> 8) & 0xFF);
            out.write(n & 0xFF);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** One DER element: tag, where its content starts and where the element ends. */
    private static final class Der {
        final int tag;
        final int contentStart;
        final int end;

        Der(byte[] der, int offset) {
            tag = der[offset] & 0xFF;
            int lengthByte = der[offset + 1] & 0xFF;
            int p = offset + 2;
            int length;
            if (lengthByte < 0x80) {
                length = lengthByte;
            } else {
                int count = lengthByte & 0x7F;
                if (count == 0 || count > 3) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (der[p++] & 0xFF);
                }
            }
            contentStart = p;
            end = p + length;
            if (end > der.length) {
                throw new IllegalArgumentException("DER element runs past the end");
            }
        }
    }

    private static JWSAlgorithm ecAlgorithm(Curve curve) {
        if (Curve.P_256.equals(curve)) {
            return JWSAlgorithm.ES256;
        }
        if (Curve.P_384.equals(curve)) {
            return JWSAlgorithm.ES384;
        }
        if (Curve.P_521.equals(curve)) {
            return JWSAlgorithm.ES512;
        }
        return null;
    }

    private static JWSAlgorithm requireAlgorithm(String name, Set<JWSAlgorithm> allowed, String keyType) {
        JWSAlgorithm alg = JWSAlgorithm.parse(name.strip().toUpperCase(Locale.ROOT));
        if (!allowed.contains(alg)) {
            throw ConfigurationException.badOption("signingAlgorithm", "'" + name + "' cannot be used with an " + keyType + " key",
                    "Use one of " + allowed.stream().map(JWSAlgorithm::getName).sorted().toList()
                            + ", or leave the option unset to pick it from the key.");
        }
        return alg;
    }
}
