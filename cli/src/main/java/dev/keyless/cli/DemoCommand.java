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
import com.azure.core.credential.TokenRequestContext;
import com.google.auth.oauth2.AccessToken;
import dev.keyless.azure.FederatedTokenCredential;
import dev.keyless.core.internal.Json;
import dev.keyless.gcp.WorkloadIdentityCredentials;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalSts;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.azure.LocalEntra;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code keyless demo}: the story Keyless exists for, played on the embedded local cloud (loopback only, no
 * account, no network): a GitHub-Actions-shaped job assumes an AWS role without keys and proves it with
 * GetCallerIdentity, the same kind of token gets Google and Azure credentials, the AWS credentials refresh before
 * they expire, and the two classic mistakes are diagnosed with their fixes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the Keyless story on an embedded local cloud: keyless AWS, Google and Azure access, refresh, and two classic mistakes diagnosed.")
final class DemoCommand extends BaseCommand implements Callable<Integer> {

    private PrintWriter out;

    @Override
    public Integer call() {
        out = out();
        // The demo prints each failure's diagnosis itself; the engine's WARN for the same failure would repeat it.
        System.setProperty("org.slf4j.simpleLogger.log.dev.keyless.core.refresh.RefreshingValue", "error");
        // The demo moves time forward to show a refresh: its own clock, starting at the injected clock's instant.
        MutableClock clock = MutableClock.startingAt(this.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        // Google's and Entra's emulators take a few seconds to start (TLS certificates, CEL): start them in the
        // background while the AWS part plays, so the whole demo takes seconds.
        ExecutorService background = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "keyless-demo-start");
            t.setDaemon(true);
            return t;
        });
        CompletableFuture<LocalGoogle> googleStart = CompletableFuture.supplyAsync(
                () -> LocalGoogle.builder().clock(clock).start(), background);
        CompletableFuture<LocalEntra> entraStart = CompletableFuture.supplyAsync(
                () -> LocalEntra.builder().clock(clock).start(), background);
        try (LocalCloud cloud = LocalCloud.builder().clock(clock).defaultSetup(true).start()) {
            out.println("Keyless demo, on a local cloud (loopback only: no account, no network, no keys)");
            out.println("  OIDC issuer      " + cloud.issuer().issuerUrl());
            out.println("  AWS role         " + cloud.demoRoleArn() + ", trusts repo:" + LocalCloud.DEMO_REPOSITORY + ":*");
            Environment job = Environment.of(cloud.githubEnvironment());

            step("1", "A GitHub Actions job of " + LocalCloud.DEMO_REPOSITORY + " with `permissions: id-token: write`");
            TokenSource source = TokenSources.detect(job);
            IdentityToken token = source.token(TokenRequest.forAudience(WebIdentityCredentialsProvider.DEFAULT_AUDIENCE));
            line("token source detected", source.name());
            line("identity token", "sub=" + token.subject() + "  aud=" + token.audience() + "  (the value is never printed)");

            step("2", "AWS: AssumeRoleWithWebIdentity, then GetCallerIdentity signed with the new credentials");
            try (WebIdentityCredentialsProvider aws = WebIdentityCredentialsProvider.builder().roleArn(cloud.demoRoleArn())
                    .environment(job).region(Region.US_EAST_1).stsEndpoint(cloud.sts().endpoint()).clock(clock).build()) {
                AwsSessionCredentials first = (AwsSessionCredentials) aws.resolveCredentials();
                line("credentials", redact(first.accessKeyId()) + ", expire " + first.expirationTime().orElseThrow());
                line("caller identity", callerArn(cloud, aws.borrowed()));

                step("3", "Google: the same kind of token, exchanged at Google STS, impersonates a service account");
                LocalGoogle google = googleStart.join();
                WorkloadIdentityPoolProvider pool = LocalSetup.google(google, cloud.issuer());
                line("pool provider", LocalSetup.GOOGLE_POOL + "/" + LocalSetup.GOOGLE_PROVIDER + ", condition "
                        + pool.attributeCondition());
                WorkloadIdentityCredentials gcp = WorkloadIdentityCredentials.builder()
                        .provider(pool.resourceName())
                        .serviceAccount(LocalSetup.GOOGLE_SERVICE_ACCOUNT)
                        .environment(job)
                        .clock(clock)
                        .tokenUrl(google.stsUrl())
                        .iamCredentialsUrl(google.iamCredentialsUrl())
                        .httpTransportFactory(LocalSetup.googleTransport(google))
                        .build();
                AccessToken googleToken = gcp.accessToken();
                Map<String, Object> info = tokenInfo(google, googleToken.getTokenValue());
                line("access token", "for " + info.get("email") + ", expires " + googleToken.getExpirationTime().toInstant());

                step("4", "Azure: and at Entra ID, as a client assertion for an app with a federated credential");
                LocalEntra entra = entraStart.join();
                LocalSetup.entra(entra, cloud.issuer(), token.subject());
                line("federated credential", "issuer " + cloud.issuer().issuerUrl() + ", subject " + token.subject());
                try (FederatedTokenCredential azure = FederatedTokenCredential.builder()
                        .tenantId(LocalSetup.ENTRA_TENANT)
                        .clientId(LocalSetup.ENTRA_CLIENT)
                        .authorityHost(entra.authorityHost().toString())
                        .environment(job)
                        .clock(clock)
                        .httpClient(LocalSetup.entraHttpClient(entra))
                        .build()) {
                    com.azure.core.credential.AccessToken azureToken = azure.getTokenSync(
                            new TokenRequestContext().addScopes("https://storage.azure.com/.default"));
                    Map<String, Object> claims = entra.verifyAccessToken(azureToken.getToken());
                    line("access token", "for app " + claims.get("appid") + " in tenant " + claims.get("tid")
                            + ", audience " + claims.get("aud"));
                }

                step("5", "Refresh: 59.5 simulated minutes later the credentials are renewed before they expire");
                int tokensBefore = cloud.github().tokensIssued();
                clock.advance(Duration.ofMinutes(59).plusSeconds(30));
                AwsSessionCredentials second = (AwsSessionCredentials) aws.resolveCredentials();
                line("new credentials", redact(second.accessKeyId()) + ", expire " + second.expirationTime().orElseThrow());
                line("STS calls / tokens", cloud.sts().calls("AssumeRoleWithWebIdentity") + " exchanges; the refresh used "
                        + (cloud.github().tokensIssued() - tokensBefore) + " new GitHub token (a fresh token for every exchange)");
            }

            step("6", "Mistake 1: a one-character typo in the trust policy's sub condition");
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

            step("7", "Mistake 2: a job without `permissions: id-token: write`");
            Environment noPermission = Environment.of(Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", LocalCloud.DEMO_REPOSITORY,
                    "GITHUB_WORKFLOW", "deploy", "GITHUB_EVENT_NAME", "push"));
            try {
                WebIdentityCredentialsProvider.builder().roleArn(cloud.demoRoleArn()).environment(noPermission).build().close();
                line("unexpected", "a token source was found");
            } catch (KeylessException e) {
                diagnosis(e);
            }
            out.println();
            out.println("Done: one job token became AWS, Google and Azure credentials without a stored key, refreshed "
                    + "before expiry,");
            out.println("and both mistakes were explained with their fixes.");
        } finally {
            googleStart.thenAccept(LocalGoogle::close);
            entraStart.thenAccept(LocalEntra::close);
            CompletableFuture.allOf(googleStart, entraStart).exceptionally(e -> null).join();
            background.shutdown();
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

    /** What Google says an access token is (tokeninfo), over a client that trusts only the emulator. */
    private static Map<String, Object> tokenInfo(LocalGoogle google, String accessToken) {
        HttpClient http = HttpClient.newBuilder().sslContext(google.sslContext()).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(google.tokenInfoUrl()))
                    .POST(HttpRequest.BodyPublishers.ofString("access_token=" + accessToken))
                    .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
            return Json.object(r.body()).orElse(Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
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
