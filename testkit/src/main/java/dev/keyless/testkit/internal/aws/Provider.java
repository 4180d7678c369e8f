package dev.keyless.testkit.internal.aws;

import java.net.URI;
import java.util.List;

/** An IAM OIDC identity provider: issuer URL, client ids (audiences), thumbprints, and where its keys are served. */
public final class Provider {
    final String issuerUrl;
    final String host;
    final String arn;
    final List<String> clientIds;
    final List<String> thumbprints;
    final URI discoveryBase;

    Provider(String issuerUrl, String accountId, List<String> clientIds, List<String> thumbprints, URI discoveryBase) {
        this.issuerUrl = issuerUrl;
        this.host = hostOf(issuerUrl);
        this.arn = "arn:aws:iam::" + accountId + ":oidc-provider/" + host;
        this.clientIds = List.copyOf(clientIds);
        this.thumbprints = List.copyOf(thumbprints);
        this.discoveryBase = discoveryBase;
    }

    /** The issuer URL without its scheme and trailing slash: the ARN suffix and the condition key prefix. */
    public static String hostOf(String issuerUrl) {
        String s = issuerUrl.replaceFirst("^(?i)https?://", "");
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Whether this is Google's issuer, which IAM knows without a provider ARN ("accounts.google.com"). */
    boolean isGoogle() {
        return host.equals("accounts.google.com");
    }

    public String arn() {
        return arn;
    }
}
