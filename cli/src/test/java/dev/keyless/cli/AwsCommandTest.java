package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.StsSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** {@code keyless aws credential-process}, {@code trust-policy} and {@code lint-trust-policy}. */
class AwsCommandTest {
    static MutableClock clock;
    static LocalCloud cloud;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        clock = MutableClock.create();
        cloud = LocalCloud.builder().clock(clock).defaultSetup(true).start();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void credentialProcessPrintsVersion1JsonWithExpirationThatTheSdkCanUse() {
        Map<String, String> env = new HashMap<>(cloud.githubEnvironment());
        env.put("AWS_ROLE_ARN", cloud.demoRoleArn());
        env.put("KEYLESS_AWS_STS_ENDPOINT", cloud.sts().endpoint().toString());
        int before = cloud.sts().sessions().size();

        Cli.Result r = Cli.run(env, clock, "aws", "credential-process", "--duration-seconds", "900",
                "--session-name", "from-profile");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines().count()).isEqualTo(1);
        Map<String, Object> json = Json.object(r.out()).orElseThrow();
        assertThat(json.keySet()).containsExactly("Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration");
        assertThat(((Number) json.get("Version")).intValue()).isEqualTo(1);
        StsSession issued = cloud.sts().sessions().get(before);
        assertThat(json).containsEntry("AccessKeyId", issued.accessKeyId())
                .containsEntry("SecretAccessKey", issued.secretAccessKey())
                .containsEntry("SessionToken", issued.sessionToken());
        assertThat(issued.sessionName()).isEqualTo("from-profile");
        assertThat(issued.durationSeconds()).isEqualTo(900);
        assertThat(Instant.parse((String) json.get("Expiration"))).isEqualTo(clock.instant().plusSeconds(900));

        // What the AWS CLI does with it: sign calls with these credentials.
        AwsSessionCredentials credentials = AwsSessionCredentials.create((String) json.get("AccessKeyId"),
                (String) json.get("SecretAccessKey"), (String) json.get("SessionToken"));
        try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sts().endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(credentials)).build()) {
            assertThat(sts.getCallerIdentity().arn()).endsWith(":assumed-role/keyless-demo/from-profile");
        }
    }

    @Test
    void credentialProcessFailureIsADiagnosisOnStderrAndNothingOnStdout() {
        Map<String, String> env = new HashMap<>(cloud.githubEnvironment());
        env.remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

        Cli.Result r = Cli.run(env, clock, "aws", "credential-process", "--role-arn", cloud.demoRoleArn(),
                "--sts-endpoint", cloud.sts().endpoint().toString());

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("keyless: This is a GitHub Actions job, but it cannot request an OIDC token")
                .contains("id-token: write").contains("(run with --verbose for the stack trace)")
                .doesNotContain("\tat ");
    }

    @Test
    void trustPolicyForAGitHubBranchIsExactAndParses() {
        Cli.Result r = Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--branch", "main");

        assertThat(r.exitCode()).as(r.err()).isZero();
        TrustPolicy policy = TrustPolicy.parse(r.out());
        assertThat(policy.lint()).isEmpty();
        assertThat(r.out()).contains("\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\"")
                .contains("\"token.actions.githubusercontent.com:sub\": \"repo:acme/app:ref:refs/heads/main\"")
                .contains("\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"")
                .doesNotContain("StringLike");
    }

    @Test
    void trustPolicyCoversEnvironmentsPullRequestsAnyRefAndImmutableIds() {
        assertThat(Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--environment", "production").out()).contains("\"repo:acme/app:environment:production\"");
        assertThat(Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--pull-request").out()).contains("\"repo:acme/app:pull_request\"");
        String anyRef = Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--any-ref").out();
        assertThat(anyRef).contains("\"StringLike\"").contains("\"repo:acme/app:*\"");
        assertThat(Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--tag", "v*", "--owner-id", "42", "--repository-id", "4242").out())
                .contains("\"repo:acme@42/app@4242:ref:refs/tags/v*\"");
    }

    @Test
    void trustPolicyForGitLabAndKubernetes() {
        assertThat(Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--gitlab", "acme/platform/app",
                "--branch", "main").out())
                .contains("\"gitlab.com:sub\": \"project_path:acme/platform/app:ref_type:branch:ref:main\"");
        String eks = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        Cli.Result k = Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--kubernetes-issuer", eks,
                "--namespace", "prod", "--service-account", "app");
        assertThat(k.exitCode()).as(k.err()).isZero();
        assertThat(k.out()).contains("\"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub\": "
                + "\"system:serviceaccount:prod:app\"");
    }

    @Test
    void trustPolicyUsageErrorsExitWith2AndBadValuesWith1() {
        Cli.Result twoScopes = Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--branch", "main", "--tag", "v1");
        assertThat(twoScopes.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(twoScopes.err()).contains("Pass exactly one of --branch, --tag, --environment, --pull-request or --any-ref");

        Cli.Result noSource = Cli.run("aws", "trust-policy", "--account-id", "123456789012");
        assertThat(noSource.exitCode()).isEqualTo(Main.EXIT_USAGE);

        Cli.Result badRepo = Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github",
                "https://github.com/acme/app", "--branch", "main");
        assertThat(badRepo.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(badRepo.err()).contains("Invalid option 'repository'").contains("owner/name")
                .doesNotContain("\tat ");
    }

    @Test
    void lintTrustPolicyReportsErrorsWithCodesAndFailsOnThem() throws IOException {
        Path policy = Files.writeString(dir.resolve("open.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:oidc-provider/"
                + "token.actions.githubusercontent.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":"
                + "{\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:*\"}}}]}");

        Cli.Result r = Cli.run("aws", "lint-trust-policy", policy.toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.out()).contains("ERROR  aws.trust.lint.subject-wildcard-any-owner  statement 0")
                .contains("WARNING  aws.trust.lint.no-audience-condition");

        Cli.Result json = Cli.run("aws", "lint-trust-policy", "--json", policy.toString());
        Map<String, Object> doc = Json.object(json.out()).orElseThrow();
        assertThat(doc).containsEntry("result", "FAIL");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> findings = (List<Map<String, Object>>) doc.get("findings");
        assertThat(findings).extracting(f -> f.get("code")).contains("aws.trust.lint.subject-wildcard-any-owner");
    }

    @Test
    void lintTrustPolicyPassesAGeneratedPolicyAndNamesAnUnreadableFile() throws IOException {
        String generated = Cli.run("aws", "trust-policy", "--account-id", "123456789012", "--github", "acme/app",
                "--branch", "main").out();
        Path ok = Files.writeString(dir.resolve("ok.json"), generated);
        Cli.Result r = Cli.run("aws", "lint-trust-policy", ok.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("no findings");

        Cli.Result missing = Cli.run(Map.of(), Clock.systemUTC(), "aws", "lint-trust-policy", dir.resolve("nope.json").toString());
        assertThat(missing.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(missing.err()).contains("Cannot read the trust policy file").contains("NoSuchFileException");
    }
}
