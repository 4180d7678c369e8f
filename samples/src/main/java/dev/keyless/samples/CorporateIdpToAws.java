package dev.keyless.samples;

import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.core.source.ClientCredentialsTokenSource;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalSts;
import java.io.PrintStream;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Corporate IdP to AWS: a service client of the company's identity provider (Okta, Entra ID, Keycloak...) gets a
 * client-credentials token and assumes a read-only analytics role with it: no IAM users, no access keys for analysts'
 * jobs. The IdP is registered once as an IAM OIDC provider; the role trusts the client's {@code sub}.
 *
 * <p>Real cloud: {@code KEYLESS_IDP_ISSUER} (discovery) or {@code KEYLESS_IDP_TOKEN_URL}, {@code KEYLESS_IDP_CLIENT_ID},
 * {@code KEYLESS_IDP_CLIENT_SECRET}, {@code AWS_ROLE_ARN}, {@code AWS_REGION}; the audience is
 * {@code KEYLESS_AWS_AUDIENCE} (default {@code sts.amazonaws.com}, which must be a client id of the IAM OIDC provider).
 * Without {@code KEYLESS_IDP_CLIENT_ID}, it runs against the embedded local cloud with a loopback IdP.
 */
public final class CorporateIdpToAws {
    /** The local IdP's client, and the sub the local role trusts. */
    static final String LOCAL_CLIENT = "analytics-team";

    private CorporateIdpToAws() {
    }

    public static void main(String[] args) {
        System.exit(run(Environment.system(), System.out));
    }

    public static int run(Environment env, PrintStream out) {
        if (env.has("KEYLESS_IDP_CLIENT_ID")) {
            return assumeReadOnlyRole(env, out);
        }
        LocalJob.announce(out, "KEYLESS_IDP_CLIENT_ID");
        String secret = "local-secret-" + Long.toHexString(System.nanoTime());
        try (LocalCloud cloud = LocalCloud.startDefault();
             LocalIdp idp = LocalIdp.start(cloud.issuer(), LOCAL_CLIENT, secret)) {
            String role = cloud.sts().createRole("analytics-readonly", LocalSts.webIdentityTrustPolicy(
                    cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(), "sts.amazonaws.com", LOCAL_CLIENT));
            Map<String, String> local = new HashMap<>();
            local.put("KEYLESS_IDP_TOKEN_URL", idp.tokenEndpoint());
            local.put("KEYLESS_IDP_CLIENT_ID", LOCAL_CLIENT);
            local.put("KEYLESS_IDP_CLIENT_SECRET", secret);
            local.put("AWS_ROLE_ARN", role);
            local.put("AWS_REGION", "us-east-1");
            local.put("KEYLESS_AWS_STS_ENDPOINT", cloud.sts().endpoint().toString());
            return assumeReadOnlyRole(Environment.of(local), out);
        }
    }

    static int assumeReadOnlyRole(Environment env, PrintStream out) {
        ClientCredentialsTokenSource.Builder idp = ClientCredentialsTokenSource.builder()
                .clientId(env.get("KEYLESS_IDP_CLIENT_ID").orElseThrow())
                .clientSecret(env.get("KEYLESS_IDP_CLIENT_SECRET").orElse(null));
        env.get("KEYLESS_IDP_TOKEN_URL").ifPresentOrElse(idp::tokenEndpoint,
                () -> idp.issuer(env.get("KEYLESS_IDP_ISSUER").orElseThrow(() -> new IllegalArgumentException(
                        "Set KEYLESS_IDP_ISSUER (OIDC discovery) or KEYLESS_IDP_TOKEN_URL"))));
        WebIdentityCredentialsProvider.Builder aws = WebIdentityCredentialsProvider.builder()
                .roleArn(env.get("AWS_ROLE_ARN").orElseThrow(() -> new IllegalArgumentException("Set AWS_ROLE_ARN")))
                .roleSessionName("analytics-" + env.get("KEYLESS_IDP_CLIENT_ID").orElseThrow())
                .environment(env)
                .region(Region.of(env.get("AWS_REGION").orElse("us-east-1")));
        env.get("KEYLESS_AWS_AUDIENCE").ifPresent(aws::audience);
        env.get("KEYLESS_AWS_STS_ENDPOINT").ifPresent(e -> aws.stsEndpoint(URI.create(e)));
        try (WebIdentityCredentialsProvider credentials = aws.tokenSource(idp.build()).build();
             StsClient sts = Aws.sts(env, credentials.borrowed())) {
            out.println("IdP client " + env.get("KEYLESS_IDP_CLIENT_ID").orElseThrow() + " is, in AWS: "
                    + sts.getCallerIdentity().arn());
            return 0;
        } catch (KeylessException e) {
            out.println("FAILED: " + e.diagnosis().render());
            return 1;
        }
    }
}
