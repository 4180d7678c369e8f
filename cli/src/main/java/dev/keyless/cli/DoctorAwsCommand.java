package dev.keyless.cli;

import dev.keyless.aws.AwsExchangeException;
import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.aws.trust.LintFinding;
import dev.keyless.aws.trust.TrustEvaluation;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.aws.trust.TrustRequest;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * {@code keyless doctor aws}: the answer to "Not authorized to perform sts:AssumeRoleWithWebIdentity". Detects the
 * token source, fetches a token for the AWS audience and shows its claims, evaluates and lints the role's trust
 * policy when given, attempts the exchange when a role is given, and proves the credentials with
 * GetCallerIdentity, with a verdict and the exact fix per step.
 *
 * <p>By default: audience {@code sts.amazonaws.com} (or {@code KEYLESS_AWS_AUDIENCE}), role {@code AWS_ROLE_ARN},
 * region {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, else us-east-1, STS endpoint {@code KEYLESS_AWS_STS_ENDPOINT}
 * else the region's, duration 1 hour.
 */
@Command(name = "aws", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Diagnose keyless AWS access: token source, token claims, trust policy, AssumeRoleWithWebIdentity "
                + "and GetCallerIdentity, each with a verdict (OK, WARN, FAIL, SKIP) and the fix.",
                "Example, in the failing job: keyless doctor aws --role-arn arn:aws:iam::123456789012:role/deploy "
                        + "--trust-policy trust.json"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed (warnings and skipped checks allowed)",
                "1:a check failed: its diagnosis says what to fix", "2:bad usage", "3:an unexpected error"})
final class DoctorAwsCommand extends BaseCommand implements Callable<Integer> {
    private static final Pattern ROLE_ACCOUNT = Pattern.compile("arn:aws[\\w-]*:iam::(\\d{12}):role/.+");

    @Option(names = "--role-arn", paramLabel = "ARN", description = "The role to assume (default: $AWS_ROLE_ARN). Without it, the exchange is skipped.")
    String roleArn;

    @Option(names = "--trust-policy", paramLabel = "FILE", description = "The role's trust policy JSON (`aws iam get-role "
            + "--role-name NAME --query Role.AssumeRolePolicyDocument`), to evaluate against the token and lint.")
    Path trustPolicyFile;

    @Option(names = "--audience", description = "The audience to request (default: $KEYLESS_AWS_AUDIENCE, else sts.amazonaws.com).")
    String audience;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Use the token in this file instead of detecting the source.")
    Path tokenFile;

    @Option(names = "--sts-endpoint", paramLabel = "URL", description = "STS endpoint override, e.g. the local cloud's (default: $KEYLESS_AWS_STS_ENDPOINT, else the region's).")
    URI stsEndpoint;

    @Option(names = "--region", description = "STS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1).")
    String region;

    @Option(names = "--duration-seconds", paramLabel = "SECONDS", description = "Session duration to request, 900 to 43200 (default: 3600).")
    Integer durationSeconds;

    @Option(names = "--session-name", description = "Role session name (default: derived from the job).")
    String sessionName;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        DoctorReport report = new DoctorReport("keyless doctor aws");
        String aud = audience != null ? audience
                : environment.get("KEYLESS_AWS_AUDIENCE").orElse(WebIdentityCredentialsProvider.DEFAULT_AUDIENCE);
        String role = roleArn != null ? roleArn : environment.get("AWS_ROLE_ARN").map(String::strip).orElse(null);
        TokenChecks.Result tokens = TokenChecks.run(report, environment, clock, tokenFile, aud);
        Optional<TrustPolicy> policy = trustPolicy(report, tokens.token(), role);
        Optional<WebIdentityCredentialsProvider> provider = Optional.empty();
        try {
            provider = exchange(report, tokens, policy, role, aud);
            callerIdentity(report, provider);
        } finally {
            provider.ifPresent(WebIdentityCredentialsProvider::close);
        }
        report.print(out(), json);
        return report.exitCode();
    }

    private Optional<TrustPolicy> trustPolicy(DoctorReport report, Optional<IdentityToken> token, String role) {
        Check parse = report.add(new Check("trust-policy", "trust policy"));
        Check lint = report.add(new Check("trust-policy-lint", "trust policy lint"));
        if (trustPolicyFile == null) {
            parse.skip("no --trust-policy FILE (`aws iam get-role --role-name NAME --query Role.AssumeRolePolicyDocument`)");
            lint.skip("no --trust-policy FILE");
            return Optional.empty();
        }
        TrustPolicy policy;
        try {
            policy = TrustPolicy.parse(Files.readString(trustPolicyFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            parse.fail("Cannot read " + trustPolicyFile + ".", Diagnosis.builder("Cannot read the trust policy file " + trustPolicyFile + ".")
                    .code("doctor.unreadable-file")
                    .evidence("file", trustPolicyFile)
                    .evidence("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                    .fix("Pass the path of a readable JSON file, e.g. saved with `aws iam get-role --role-name NAME "
                            + "--query Role.AssumeRolePolicyDocument > trust.json`.")
                    .build());
            lint.skip("the policy could not be read");
            return Optional.empty();
        } catch (ConfigurationException e) {
            parse.fail(e);
            lint.skip("the policy could not be parsed");
            return Optional.empty();
        }
        lint(lint, policy);
        if (token.isEmpty()) {
            parse.skip("parsed, but there is no token to evaluate it against");
            return Optional.of(policy);
        }
        TrustRequest.Builder request = TrustRequest.builder().token(token.get());
        Matcher m = role == null ? null : ROLE_ACCOUNT.matcher(role.strip());
        if (m != null && m.matches()) {
            request.accountId(m.group(1));
        }
        TrustEvaluation evaluation = policy.evaluate(request.build());
        if (evaluation.allowed()) {
            Diagnosis d = evaluation.explain();
            parse.ok(trustPolicyFile.getFileName() + " allows this token ("
                    + evaluation.decidingStatement().orElseThrow().statement().label() + ")");
            if (d.likelyCause() != null) {
                parse.note(d.likelyCause());
            }
        } else {
            Diagnosis d = evaluation.explain();
            parse.fail(trustPolicyFile.getFileName() + " refuses this token", d);
        }
        return Optional.of(policy);
    }

    private static void lint(Check step, TrustPolicy policy) {
        List<LintFinding> findings = policy.lint();
        long errors = findings.stream().filter(f -> f.severity() == LintFinding.Severity.ERROR).count();
        long warnings = findings.stream().filter(f -> f.severity() == LintFinding.Severity.WARNING).count();
        for (LintFinding f : findings) {
            step.note(f.severity() + " " + f.code() + " (" + f.statement().label() + "): " + f.message()
                    + f.fix().map(x -> "\nFix: " + x).orElse(""));
        }
        if (errors > 0) {
            LintFinding first = findings.stream().filter(f -> f.severity() == LintFinding.Severity.ERROR).findFirst().orElseThrow();
            step.fail(errors + " error(s), " + warnings + " warning(s)", lintDiagnosis(first));
        } else if (warnings > 0) {
            step.warn(warnings + " warning(s)");
        } else {
            step.ok(findings.isEmpty() ? "no findings" : findings.size() + " suggestion(s)");
        }
    }

    /** A lint error as the step's diagnosis, so that --json readers find its code and fix in one place. */
    static Diagnosis lintDiagnosis(LintFinding f) {
        return Diagnosis.builder("The trust policy is unsafe or broken: " + f.message())
                .code(f.code())
                .evidence("statement", f.statement().label())
                .evidence("severity", f.severity())
                .fix(f.fix().orElse(null))
                .build();
    }

    private Optional<WebIdentityCredentialsProvider> exchange(DoctorReport report, TokenChecks.Result tokens,
            Optional<TrustPolicy> policy, String role, String aud) {
        Check step = report.add(new Check("exchange", "AWS exchange"));
        if (role == null) {
            step.skip("no --role-arn (or AWS_ROLE_ARN): pass the role to try AssumeRoleWithWebIdentity for real");
            return Optional.empty();
        }
        if (tokens.token().isEmpty()) {
            step.skip("no token to exchange");
            return Optional.empty();
        }
        Region stsRegion = region();
        step.fact("role", role);
        step.fact("region", stsRegion.id());
        WebIdentityCredentialsProvider provider = null;
        try {
            endpoint().ifPresent(e -> step.fact("sts endpoint", e));
            WebIdentityCredentialsProvider.Builder b = WebIdentityCredentialsProvider.builder()
                    .roleArn(role)
                    .tokenSource(tokens.source().orElseThrow())
                    .audience(aud)
                    .environment(environment)
                    .clock(clock)
                    .region(stsRegion);
            endpoint().ifPresent(b::stsEndpoint);
            if (durationSeconds != null) {
                b.duration(Duration.ofSeconds(durationSeconds));
            }
            if (sessionName != null) {
                b.roleSessionName(sessionName);
            }
            policy.ifPresent(b::trustPolicy);
            provider = b.build();
            step.fact("session name", provider.sessionName());
            AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
            step.fact("access key id", redact(c.accessKeyId()));
            c.expirationTime().ifPresent(exp -> step.fact("expires", exp + " (in "
                    + TokenChecks.human(Duration.between(clock.instant(), exp)) + ")"));
            step.ok("AssumeRoleWithWebIdentity succeeded");
            return Optional.of(provider);
        } catch (AwsExchangeException e) {
            String said = e.errorCode() == null ? null : e.diagnosis().evidence().get("sts message");
            step.fail(e.errorCode() == null ? e.diagnosis().problem()
                    : "STS refused with " + e.errorCode() + (said == null ? "" : ": " + said), e.diagnosis());
            if (provider != null) {
                provider.close();
            }
            return Optional.empty();
        } catch (KeylessException e) {
            step.fail(e);
            if (provider != null) {
                provider.close();
            }
            return Optional.empty();
        }
    }

    private void callerIdentity(DoctorReport report, Optional<WebIdentityCredentialsProvider> provider) {
        Check step = report.add(new Check("caller-identity", "caller identity"));
        if (provider.isEmpty()) {
            step.skip("no credentials");
            return;
        }
        AwsCredentialsProvider credentials = provider.get().borrowed();
        StsClientBuilder b = StsClient.builder().region(region()).credentialsProvider(credentials);
        endpoint().ifPresent(b::endpointOverride);
        try (StsClient sts = b.build()) {
            GetCallerIdentityResponse who = sts.getCallerIdentity();
            step.fact("account", who.account());
            step.ok(who.arn());
        } catch (SdkException e) {
            step.fail("GetCallerIdentity failed with the new credentials.", Diagnosis.builder(
                            "GetCallerIdentity failed with the credentials STS just issued.")
                    .code("doctor.caller-identity-failed")
                    .likelyCause("The STS endpoint used for GetCallerIdentity is not the one that issued the "
                            + "credentials, or the network dropped the call.")
                    .evidence("error", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""))
                    .fix("Run again; if it persists, check --region and --sts-endpoint point at the same STS.")
                    .build());
        }
    }

    private Region region() {
        String r = region != null ? region
                : environment.get("AWS_REGION").or(() -> environment.get("AWS_DEFAULT_REGION")).orElse("us-east-1");
        return Region.of(r.strip());
    }

    private Optional<URI> endpoint() {
        if (stsEndpoint != null) {
            return Optional.of(stsEndpoint);
        }
        return environment.get("KEYLESS_AWS_STS_ENDPOINT").map(s -> {
            try {
                return URI.create(s.strip());
            } catch (IllegalArgumentException e) {
                throw ConfigurationException.badOption("KEYLESS_AWS_STS_ENDPOINT", "'" + s + "' is not a URL",
                        "Set it to the STS endpoint, e.g. https://sts.eu-west-1.amazonaws.com, or unset it.");
            }
        });
    }

    /** Access key ids are not secret, but the doctor shows only their shape. */
    static String redact(String accessKeyId) {
        return accessKeyId.length() < 8 ? "…" : accessKeyId.substring(0, 4) + "…" + accessKeyId.substring(accessKeyId.length() - 4);
    }
}
