package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.LocalSts;
import dev.keyless.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyless doctor aws} against the local cloud: each classic mistake gets its verdict, code and fix. */
class DoctorAwsCommandTest {
    static MutableClock clock;
    static LocalCloud cloud;
    static String host;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        clock = MutableClock.create();
        cloud = LocalCloud.builder().clock(clock).defaultSetup(true).start();
        host = LocalSts.conditionKeyPrefix(cloud.issuer().issuerUrl());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @AfterEach
    void resetJob() {
        cloud.github().job(UnaryOperator.identity());
    }

    private Cli.Result doctor(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("doctor", "aws", "--sts-endpoint", cloud.sts().endpoint().toString()));
        all.addAll(Arrays.asList(args));
        Cli.Result r = Cli.run(env, clock, all.toArray(String[]::new));
        Cli.assertNoSecrets(r, cloud);
        return r;
    }

    private Map<String, String> job() {
        return cloud.githubEnvironment();
    }

    private String policy(String subjectPattern) {
        return LocalSts.webIdentityTrustPolicy(cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(),
                LocalCloud.AWS_AUDIENCE, subjectPattern);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    /** A role trusting {@code subjectPattern}, and its policy in a file: what a user passes to the doctor. */
    private String[] roleAndPolicy(String roleName, String subjectPattern) throws IOException {
        String json = policy(subjectPattern);
        String arn = cloud.sts().createRole(roleName, json);
        return new String[] {"--role-arn", arn, "--trust-policy", write(roleName + ".json", json).toString()};
    }

    private static String line(Cli.Result r, String title) {
        return r.out().lines().filter(l -> l.matches("  \\w+\\s+" + title + "\\s.*")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + title + " in:\n" + r.out()));
    }

    @Test
    void aWorkingSetupPassesEveryCheckAndProvesTheIdentity() throws IOException {
        Cli.Result r = doctor(job(), roleAndPolicy("doctor-ok", "repo:" + LocalCloud.DEMO_REPOSITORY + ":*"));

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(line(r, "token source")).startsWith("  OK").contains("github-actions");
        assertThat(line(r, "identity token")).startsWith("  OK");
        assertThat(r.out()).contains("sub:             repo:keyless-dev/demo:ref:refs/heads/main")
                .contains("aud:             sts.amazonaws.com");
        assertThat(line(r, "trust policy")).startsWith("  OK").contains("allows this token");
        assertThat(line(r, "trust policy lint")).startsWith("  OK");
        assertThat(line(r, "AWS exchange")).startsWith("  OK").contains("AssumeRoleWithWebIdentity succeeded");
        assertThat(line(r, "caller identity")).startsWith("  OK")
                .contains("arn:aws:sts::123456789012:assumed-role/doctor-ok/");
        assertThat(r.out()).contains("Result: OK");
    }

    @Test
    void withoutARoleTheExchangeIsSkippedAndTheRunStillPasses() {
        Cli.Result r = doctor(job());

        assertThat(r.exitCode()).isZero();
        assertThat(line(r, "AWS exchange")).startsWith("  SKIP").contains("--role-arn");
        assertThat(line(r, "caller identity")).startsWith("  SKIP");
    }

    @Test
    void aJobWithoutIdTokenPermissionIsToldTheYamlThatFixesIt() {
        Map<String, String> env = new HashMap<>(job());
        env.remove("ACTIONS_ID_TOKEN_REQUEST_URL");
        env.remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

        Cli.Result r = doctor(env, "--role-arn", cloud.demoRoleArn());

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "token source")).startsWith("  FAIL").contains("[github.missing-id-token-permission]");
        assertThat(r.out()).contains("id-token: write");
        assertThat(line(r, "identity token")).startsWith("  SKIP");
        assertThat(line(r, "AWS exchange")).startsWith("  SKIP");
        assertThat(r.out()).contains("Result: FAIL (1 of 6 checks failed). Start with \"token source\"");
    }

    @Test
    void aOneCharacterTypoInTheSubIsNamedWithTheCorrectedLine() throws IOException {
        Cli.Result r = doctor(job(), roleAndPolicy("doctor-typo", "repo:keyless-dev/dmeo:*"));

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.typo]");
        assertThat(line(r, "AWS exchange")).startsWith("  FAIL").contains("[aws.trust.typo]");
        assertThat(r.out()).contains("did you mean: repo:keyless-dev/demo:*")
                .contains("sts error code: AccessDenied");
    }

    @Test
    void aSubThatDiffersOnlyInCaseIsNamed() throws IOException {
        Cli.Result r = doctor(job(), roleAndPolicy("doctor-case", "repo:Keyless-Dev/demo:*"));

        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.wrong-case]");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
    }

    @Test
    void anotherBranchIsNamed() throws IOException {
        Cli.Result r = doctor(job(), roleAndPolicy("doctor-branch", "repo:keyless-dev/demo:ref:refs/heads/release"));

        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.ref-mismatch]");
        assertThat(line(r, "AWS exchange")).startsWith("  FAIL");
    }

    @Test
    void anEnvironmentJobAgainstABranchPolicyIsNamed() throws IOException {
        cloud.github().job(j -> j.environment("production"));

        Cli.Result r = doctor(job(), roleAndPolicy("doctor-env", "repo:keyless-dev/demo:ref:refs/heads/main"));

        assertThat(r.out()).contains("sub:             repo:keyless-dev/demo:environment:production");
        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.environment-subject]");
        assertThat(line(r, "AWS exchange")).startsWith("  FAIL");
    }

    @Test
    void theImmutableSubjectFormAgainstANameOnlyPolicyIsNamed() throws IOException {
        cloud.github().job(j -> j.immutableSubject());

        Cli.Result r = doctor(job(), roleAndPolicy("doctor-form", "repo:keyless-dev/demo:*"));

        assertThat(r.out()).containsPattern("sub:\\s+repo:keyless-dev@\\d+/demo@\\d+:ref:refs/heads/main");
        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.subject-form]");
        assertThat(line(r, "AWS exchange")).startsWith("  FAIL");
    }

    @Test
    void anAudienceTheProviderDoesNotListIsNamedByTheExchangeAndThePolicy() throws IOException {
        Cli.Result r = doctor(job(), concat(roleAndPolicy("doctor-aud", "repo:keyless-dev/demo:*"),
                "--audience", "https://github.com/keyless-dev"));

        assertThat(r.out()).contains("aud:             https://github.com/keyless-dev");
        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.wrong-audience]");
        assertThat(line(r, "AWS exchange")).startsWith("  FAIL").contains("[aws.sts.wrong-audience]");
        assertThat(r.out()).contains("add-client-id-to-open-id-connect-provider");
    }

    @Test
    void aTokenOfAnIssuerAwsDoesNotKnowIsNamed() throws IOException {
        try (LocalIssuer other = LocalIssuer.builder().clock(clock).start()) {
            Path token = write("other.jwt", other.github().audience(LocalCloud.AWS_AUDIENCE).mintValue());

            Cli.Result r = doctor(Map.of(), concat(roleAndPolicy("doctor-iss", "repo:keyless-dev/demo:*"),
                    "--token-file", token.toString()));

            assertThat(line(r, "token source")).startsWith("  OK").contains("--token-file");
            assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.wrong-provider]");
            assertThat(line(r, "AWS exchange")).startsWith("  FAIL").contains("[aws.sts.no-oidc-provider]");
            assertThat(r.out()).contains("create-open-id-connect-provider --url " + other.issuerUrl());
        }
    }

    @Test
    void anExpiredSavedTokenIsNamedByTheDoctorAndByAws() throws IOException {
        Path token = write("old.jwt", cloud.issuer().github().audience(LocalCloud.AWS_AUDIENCE)
                .expiredSince(Duration.ofMinutes(10)).mintValue());

        Cli.Result r = doctor(Map.of(), "--role-arn", cloud.demoRoleArn(), "--token-file", token.toString());

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "identity token")).startsWith("  FAIL").contains("[doctor.token-expired]");
        assertThat(r.out()).contains("(expired 10 min ago)");
        assertThat(line(r, "AWS exchange")).startsWith("  FAIL").contains("[aws.sts.expired-token]");
    }

    @Test
    void aRequestTokenReusedFromAnotherJobIsNamed() {
        Map<String, String> env = new HashMap<>(job());
        env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "token-of-a-job-that-ended");

        Cli.Result r = doctor(env, "--role-arn", cloud.demoRoleArn());

        assertThat(line(r, "identity token")).startsWith("  FAIL").contains("[github.request-token-rejected]");
        assertThat(r.all()).doesNotContain("token-of-a-job-that-ended");
        assertThat(line(r, "AWS exchange")).startsWith("  SKIP");
    }

    @Test
    void aDurationAboveTheRolesMaximumIsNamed() {
        Cli.Result r = doctor(job(), "--role-arn", cloud.demoRoleArn(), "--duration-seconds", "7200");

        assertThat(line(r, "AWS exchange")).startsWith("  FAIL").contains("[aws.sts.duration-too-long]");
        assertThat(r.out()).contains("requested duration: 7200 s").contains("--max-session-duration");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
    }

    @Test
    void aPolicyWithoutSubConditionFailsTheLint() throws IOException {
        String open = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\""
                + cloud.providerArn().orElseThrow() + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"StringEquals\":{\"" + host + ":aud\":\"sts.amazonaws.com\"}}}]}";

        Cli.Result r = doctor(job(), "--trust-policy", write("open.json", open).toString());

        assertThat(line(r, "trust policy")).startsWith("  OK");
        assertThat(line(r, "trust policy lint")).startsWith("  FAIL").contains("[aws.trust.lint.no-subject-condition]");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
    }

    @Test
    void anInvalidPolicyFileIsNamedWithItsLocation() throws IOException {
        Cli.Result r = doctor(job(), "--trust-policy", write("bad.json", "{\"Statement\": [").toString());

        assertThat(line(r, "trust policy")).startsWith("  FAIL").contains("[aws.trust.invalid-json]");
        assertThat(line(r, "trust policy lint")).startsWith("  SKIP");
    }

    @Test
    void jsonOutputCarriesVerdictsCodesAndFixes() throws IOException {
        Cli.Result r = doctor(job(), concat(roleAndPolicy("doctor-json", "repo:keyless-dev/dmeo:*"), "--json"));

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        Map<String, Object> doc = Json.object(r.out()).orElseThrow(() -> new AssertionError("not JSON:\n" + r.out()));
        assertThat(doc).containsEntry("command", "keyless doctor aws").containsEntry("result", "FAIL");
        assertThat(((Number) doc.get("exitCode")).intValue()).isEqualTo(1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) doc.get("checks");
        assertThat(checks).extracting(c -> c.get("id")).containsExactly("source", "token", "trust-policy",
                "trust-policy-lint", "exchange", "caller-identity");
        assertThat(checks).extracting(c -> c.get("status")).containsExactly("OK", "OK", "FAIL", "OK", "FAIL", "SKIP");
        @SuppressWarnings("unchecked")
        Map<String, Object> diagnosis = (Map<String, Object>) checks.get(2).get("diagnosis");
        assertThat(diagnosis).containsEntry("code", "aws.trust.typo");
        assertThat((String) diagnosis.get("fix")).contains("repo:keyless-dev/demo:*");
        @SuppressWarnings("unchecked")
        Map<String, Object> facts = (Map<String, Object>) checks.get(1).get("facts");
        assertThat(facts).containsEntry("sub", "repo:keyless-dev/demo:ref:refs/heads/main");
    }

    @Test
    void theGenericDoctorChecksTheTokenOnly() {
        Cli.Result r = Cli.run(job(), clock, "doctor", "--audience", "api://AzureADTokenExchange");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("keyless doctor\n").contains("aud:             api://AzureADTokenExchange");
        assertThat(r.out()).doesNotContain("AWS exchange");
        Cli.assertNoSecrets(r, cloud);
    }

    @Test
    void outsideAnyCiTheDoctorSaysWhatItLookedFor() {
        Cli.Result r = Cli.run(Map.of(), clock, "doctor", "aws");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(line(r, "token source")).startsWith("  FAIL").contains("[detect.nothing-found]");
        assertThat(r.out()).contains("KEYLESS_TOKEN_FILE");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(Arrays.asList(a));
        all.addAll(Arrays.asList(b));
        return all.toArray(String[]::new);
    }
}
