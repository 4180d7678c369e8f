package dev.keyless.cli;

import dev.keyless.aws.AwsExchangeException;
import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.TokenSources;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalSts;
import dev.keyless.testkit.MutableClock;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code keyless demo}: the story Keyless exists for, played on the embedded local cloud (loopback only, no
 * account, no network): a GitHub-Actions-shaped job assumes an AWS role without keys, the credentials refresh
 * before they expire, and the two classic mistakes are diagnosed with their fixes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the Keyless story on an embedded local cloud: keyless AWS access, refresh, and two classic mistakes diagnosed.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        // The demo prints each failure's diagnosis itself; the engine's WARN for the same failure would repeat it.
        System.setProperty("org.slf4j.simpleLogger.log.dev.keyless.core.refresh.RefreshingValue", "error");
        MutableClock clock = MutableClock.create();
        try (LocalCloud cloud = LocalCloud.builder().clock(clock).defaultSetup(true).start()) {
            out.println("Keyless demo, on a local cloud (loopback only: no account, no network, no keys)");
            out.println("  OIDC issuer      " + cloud.issuer().issuerUrl());
            out.println("  AWS STS          " + cloud.sts().endpoint());
            out.println("  role             " + cloud.demoRoleArn() + "  (trusts repo:" + LocalCloud.DEMO_REPOSITORY + ":*)");
            Environment job = Environment.of(cloud.githubEnvironment());

            step("1", "A GitHub Actions job of " + LocalCloud.DEMO_REPOSITORY + " with `permissions: id-token: write`");
            TokenSource source = TokenSources.detect(job);
            IdentityToken token = source.token(TokenRequest.forAudience(WebIdentityCredentialsProvider.DEFAULT_AUDIENCE));
            line("token source detected", source.name());
            line("identity token", "sub=" + token.subject() + "  aud=" + token.audience() + "  (the value is never printed)");

            step("2", "AWS: AssumeRoleWithWebIdentity, then GetCallerIdentity signed with the new credentials");
            int tokensBefore = cloud.github().tokensIssued();
            try (WebIdentityCredentialsProvider aws = WebIdentityCredentialsProvider.builder().roleArn(cloud.demoRoleArn())
                    .environment(job).region(Region.US_EAST_1).stsEndpoint(cloud.sts().endpoint()).clock(clock).build()) {
                AwsSessionCredentials first = (AwsSessionCredentials) aws.resolveCredentials();
                line("credentials", redact(first.accessKeyId()) + ", expire " + first.expirationTime().orElseThrow());
                line("caller identity", callerArn(cloud, aws.borrowed()));

                step("3", "Refresh: 59.5 simulated minutes later the credentials are renewed before they expire");
                clock.advance(Duration.ofMinutes(59).plusSeconds(30));
                AwsSessionCredentials second = (AwsSessionCredentials) aws.resolveCredentials();
                line("new credentials", redact(second.accessKeyId()) + ", expire " + second.expirationTime().orElseThrow());
                line("STS calls / tokens", cloud.sts().calls("AssumeRoleWithWebIdentity") + " exchanges, "
                        + (cloud.github().tokensIssued() - tokensBefore) + " GitHub tokens (a fresh token for every exchange)");
            }

            step("4", "Mistake 1: a one-character typo in the trust policy's sub condition");
            String typoPolicy = LocalSts.webIdentityTrustPolicy(cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(),
                    LocalCloud.AWS_AUDIENCE, "repo:keyless-dev/dmeo:*");
            String typoRole = cloud.sts().createRole("keyless-demo-typo", typoPolicy);
            TrustPolicy policy = TrustPolicy.parse(typoPolicy);
            try (WebIdentityCredentialsProvider aws = WebIdentityCredentialsProvider.builder().roleArn(typoRole)
                    .environment(job).region(Region.US_EAST_1).stsEndpoint(cloud.sts().endpoint()).clock(clock)
                    .trustPolicy(policy).build()) {
                aws.resolveCredentials();
                line("unexpected", "the role was assumed");
            } catch (AwsExchangeException e) {
                line("AWS says", e.errorCode() + ": " + e.diagnosis().evidence().get("sts message"));
                diagnosis(e);
            }

            step("5", "Mistake 2: a job without `permissions: id-token: write`");
            Environment noPermission = Environment.of(Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", LocalCloud.DEMO_REPOSITORY,
                    "GITHUB_WORKFLOW", "deploy", "GITHUB_EVENT_NAME", "push"));
            try {
                WebIdentityCredentialsProvider.builder().roleArn(cloud.demoRoleArn()).environment(noPermission).build().close();
                line("unexpected", "a token source was found");
            } catch (KeylessException e) {
                diagnosis(e);
            }
            out.println();
            out.println("Done: keyless AWS access, refreshed before expiry, and both mistakes explained with their fixes.");
        }
        out.flush();
        return 0;
    }

    private static String callerArn(LocalCloud cloud, AwsCredentialsProvider credentials) {
        try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sts().endpoint())
                .credentialsProvider(credentials).build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    private void step(String number, String title) {
        out.println();
        out.println(number + ". " + title);
    }

    private void line(String label, String text) {
        out.printf("   %-22s %s%n", label, text);
    }

    private void diagnosis(KeylessException e) {
        out.println("   Keyless says:");
        for (String l : e.diagnosis().render().split("\n")) {
            out.println("     " + l);
        }
    }

    /** Access key ids are not secret, but the demo shows only their shape. */
    private static String redact(String accessKeyId) {
        return accessKeyId.substring(0, 4) + "…" + accessKeyId.substring(accessKeyId.length() - 4);
    }
}
