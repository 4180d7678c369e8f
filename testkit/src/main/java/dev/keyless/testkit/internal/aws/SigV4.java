package dev.keyless.testkit.internal.aws;

import dev.keyless.testkit.internal.http.Http;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 as a service checks it: rebuilds the canonical request from what arrived, the string
 * to sign, and the signature from the secret key with the HMAC chain date → region → service → aws4_request.
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private SigV4() {
    }

    /** The parts of an {@code Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...}. */
    public static final class Authorization {
        public final String accessKeyId;
        public final String date;
        public final String region;
        public final String service;
        public final List<String> signedHeaders;
        public final String signature;

        Authorization(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                String signature) {
            this.accessKeyId = accessKeyId;
            this.date = date;
            this.region = region;
            this.service = service;
            this.signedHeaders = signedHeaders;
            this.signature = signature;
        }

        public String scope() {
            return date + "/" + region + "/" + service + "/aws4_request";
        }
    }

    /** Parses the Authorization header; IncompleteSignature when a part is missing, as STS answers. */
    public static Authorization parse(String header) throws StsError {
        String h = header.strip();
        if (!h.startsWith(ALGORITHM + " ")) {
            throw new StsError("IncompleteSignature",
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 400);
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : h.substring(ALGORITHM.length() + 1).split(",")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = p.substring(0, eq);
            String v = p.substring(eq + 1);
            if (k.equals("Credential")) {
                credential = v;
            } else if (k.equals("SignedHeaders")) {
                signedHeaders = v;
            } else if (k.equals("Signature")) {
                signature = v;
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw new StsError("IncompleteSignature", "Authorization header requires 'Credential', 'Signature' and "
                    + "'SignedHeaders' parameters. Authorization=" + ALGORITHM, 400);
        }
        String[] scope = credential.split("/");
        if (scope.length != 5 || !scope[4].equals("aws4_request")) {
            throw new StsError("IncompleteSignature", "Credential should be scoped to a valid region.", 400);
        }
        return new Authorization(scope[0], scope[1], scope[2], scope[3],
                Arrays.asList(signedHeaders.split(";")), signature);
    }

    /**
     * The signature the request should carry. {@code headers} is the request's header map (case-insensitive
     * look-ups, as the JDK server's Headers are).
     */
    public static String expectedSignature(String method, String rawPath, String rawQuery,
            Map<String, List<String>> headers, byte[] body, Authorization auth, String amzDate, String secretKey) {
        String canonical = canonicalRequest(method, rawPath, rawQuery, headers, body, auth.signedHeaders);
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + auth.scope() + "\n"
                + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), auth.date);
        key = hmac(key, auth.region);
        key = hmac(key, auth.service);
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    static String canonicalRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
            byte[] body, List<String> signedHeaders) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append('\n');
        sb.append(canonicalUri(rawPath)).append('\n');
        sb.append(canonicalQuery(rawQuery)).append('\n');
        for (String name : signedHeaders) {
            List<String> values = headers.get(name);
            List<String> cleaned = new ArrayList<>();
            if (values != null) {
                for (String v : values) {
                    cleaned.add(v.strip().replaceAll("\\s+", " "));
                }
            }
            sb.append(name).append(':').append(String.join(",", cleaned)).append('\n');
        }
        sb.append('\n');
        sb.append(String.join(";", signedHeaders)).append('\n');
        List<String> declared = headers.get("x-amz-content-sha256");
        sb.append(declared != null && !declared.isEmpty() ? declared.get(0) : hex(sha256(body)));
        return sb.toString();
    }

    /** Each path segment encoded once more, as the SDKs do for every service but S3. */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.equals("/")) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(encode(segments[i]));
        }
        return sb.toString();
    }

    static String canonicalQuery(String rawQuery) {
        List<String[]> pairs = new ArrayList<>();
        for (String[] p : Http.rawPairs(rawQuery)) {
            String name = Http.decode(p[0]);
            if (name.equals("X-Amz-Signature")) {
                continue;
            }
            pairs.add(new String[] {encode(name), encode(Http.decode(p[1]))});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        List<String> joined = new ArrayList<>();
        for (String[] p : pairs) {
            joined.add(p[0] + "=" + p[1]);
        }
        return String.join("&", joined);
    }

    /** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX (upper case). */
    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Compares two signatures in constant time. */
    public static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
