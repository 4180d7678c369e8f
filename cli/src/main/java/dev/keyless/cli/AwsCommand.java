package dev.keyless.cli;

import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.aws.trust.LintFinding;
import dev.keyless.aws.trust.TrustPolicies;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.internal.Json;
import dev.keyless.core.source.FileTokenSource;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;

/** {@code keyless aws ...}: AWS helpers: credential_process for profiles, trust policy generator and linter. */
@Command(name = "aws", mixinStandardHelpOptions = true,
        description = "AWS: credential_process for profiles, trust policy generator and linter.",
        subcommands = {AwsCommand.CredentialProcess.class, AwsCommand.TrustPolicyCommand.class, AwsCommand.LintTrustPolicy.class})
final class AwsCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /**
     * {@code keyless aws credential-process}: prints AWS's credential_process JSON (Version 1, with Expiration), so
     * the AWS CLI and every AWS SDK can use Keyless from a profile:
     * {@code credential_process = keyless aws credential-process --role-arn arn:aws:iam::123456789012:role/deploy}.
     * Takes the options of {@link WebIdentityCredentialsProvider}; by default they come from the same environment
     * variables as {@code EnvironmentWebIdentityCredentialsProvider} (AWS_ROLE_ARN, AWS_REGION, KEYLESS_AWS_...).
     */
    @Command(name = "credential-process", mixinStandardHelpOptions = true,
            description = {"Print credentials in AWS credential_process format (for ~/.aws/config profiles):",
                    "  [profile deploy]",
                    "  credential_process = keyless aws credential-process --role-arn arn:aws:iam::123456789012:role/deploy"})
    static final class CredentialProcess extends BaseCommand implements Callable<Integer> {
        @Option(names = "--role-arn", description = "The role to assume (default: $AWS_ROLE_ARN).")
        String roleArn;

        @Option(names = "--audience", description = "Audience to request (default: $KEYLESS_AWS_AUDIENCE, else sts.amazonaws.com).")
        String audience;

        @Option(names = "--session-name", description = "Role session name (default: $AWS_ROLE_SESSION_NAME, else derived from the job).")
        String sessionName;

        @Option(names = "--duration-seconds", description = "900 to 43200 (default: $KEYLESS_AWS_DURATION_SECONDS, else 3600).")
        Integer durationSeconds;

        @Option(names = "--region", description = "STS region (default: $AWS_REGION, else the SDK's region chain).")
        String region;

        @Option(names = "--sts-endpoint", description = "STS endpoint override, e.g. the local cloud's (default: $KEYLESS_AWS_STS_ENDPOINT).")
        URI stsEndpoint;

        @Option(names = "--token-file", description = "Read the identity token from this file (default: detect the source).")
        Path tokenFile;

        @Override
        public Integer call() {
            WebIdentityCredentialsProvider.Builder b = WebIdentityCredentialsProvider.builder()
                    .roleArn(optionOrEnv(roleArn, "AWS_ROLE_ARN"))
                    .environment(environment)
                    .clock(clock);
            ifSet(optionOrEnv(audience, "KEYLESS_AWS_AUDIENCE"), b::audience);
            ifSet(optionOrEnv(sessionName, "AWS_ROLE_SESSION_NAME"), b::roleSessionName);
            Integer duration = durationSeconds;
            if (duration == null && environment.has("KEYLESS_AWS_DURATION_SECONDS")) {
                String raw = environment.get("KEYLESS_AWS_DURATION_SECONDS").orElseThrow().strip();
                try {
                    duration = Integer.valueOf(raw);
                } catch (NumberFormatException e) {
                    throw dev.keyless.core.ConfigurationException.badOption("KEYLESS_AWS_DURATION_SECONDS",
                            "'" + raw + "' is not a whole number of seconds", "Set it to a number from 900 to 43200.");
                }
            }
            ifSet(duration, d -> b.duration(Duration.ofSeconds(d)));
            ifSet(optionOrEnv(region, "AWS_REGION"), r -> b.region(Region.of(r.strip())));
            if (stsEndpoint != null) {
                b.stsEndpoint(stsEndpoint);
            } else {
                environment.get("KEYLESS_AWS_STS_ENDPOINT").ifPresent(e -> b.stsEndpoint(URI.create(e.strip())));
            }
            ifSet(tokenFile, f -> b.tokenSource(FileTokenSource.of(f)));
            try (WebIdentityCredentialsProvider provider = b.build()) {
                AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("Version", 1);
                json.put("AccessKeyId", c.accessKeyId());
                json.put("SecretAccessKey", c.secretAccessKey());
                json.put("SessionToken", c.sessionToken());
                c.expirationTime().ifPresent(exp -> json.put("Expiration", exp.toString()));
                // This one output is the credential itself: the AWS CLI or SDK reads it from the pipe.
                out().println(Json.write(json));
                out().flush();
            }
            return 0;
        }
    }

    /** {@code keyless aws trust-policy}: prints a least-privilege IAM role trust policy for a CI or cluster identity. */
    @Command(name = "trust-policy", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Print a least-privilege IAM role trust policy (JSON) for GitHub Actions, GitLab CI or a "
                    + "Kubernetes service account.",
                    "Examples:",
                    "  keyless aws trust-policy --account-id 123456789012 --github acme/app --branch main",
                    "  keyless aws trust-policy --account-id 123456789012 --github acme/app --environment production",
                    "  keyless aws trust-policy --account-id 123456789012 --gitlab acme/platform/app --tag 'v*'",
                    "  keyless aws trust-policy --account-id 123456789012 --kubernetes-issuer https://oidc.eks... "
                            + "--namespace prod --service-account app"})
    static final class TrustPolicyCommand extends BaseCommand implements Callable<Integer> {
        @Option(names = "--account-id", required = true, description = "The 12-digit account of the role and the OIDC provider.")
        String accountId;

        @Option(names = "--github", paramLabel = "ORG/REPO", description = "Trust GitHub Actions jobs of this repository.")
        String github;

        @Option(names = "--gitlab", paramLabel = "GROUP/PROJECT", description = "Trust GitLab CI jobs of this project.")
        String gitlab;

        @Option(names = "--kubernetes-issuer", paramLabel = "URL", description = "Trust a Kubernetes service account of the cluster with this OIDC issuer.")
        String kubernetesIssuer;

        @Option(names = "--branch", description = "Only jobs on this branch (a pattern such as release/* is allowed).")
        String branch;

        @Option(names = "--tag", description = "Only jobs on this tag (or pattern, e.g. v*).")
        String tag;

        @Option(names = "--environment", description = "GitHub: only jobs that use this environment.")
        String githubEnvironment;

        @Option(names = "--pull-request", description = "GitHub: jobs of pull_request events (they run the PR's code).")
        boolean pullRequest;

        @Option(names = "--any-ref", description = "Every job of the repository or project, whatever the ref.")
        boolean anyRef;

        @Option(names = "--owner-id", description = "GitHub: the owner's numeric id, for the immutable repo:ORG@ID/REPO@ID sub (with --repository-id).")
        Long ownerId;

        @Option(names = "--repository-id", description = "GitHub: the repository's numeric id (with --owner-id).")
        Long repositoryId;

        @Option(names = "--job-workflow-ref", description = "GitHub: also require this reusable workflow (needs a customised sub).")
        String jobWorkflowRef;

        @Option(names = "--provider-host", description = "GitHub Enterprise or GitLab self-managed issuer host (and path).")
        String providerHost;

        @Option(names = "--namespace", description = "Kubernetes: the service account's namespace.")
        String namespace;

        @Option(names = "--service-account", description = "Kubernetes: the service account's name.")
        String serviceAccount;

        @Option(names = "--audience", description = "The token audience (default: sts.amazonaws.com).")
        String audience;

        @Option(names = "--partition", description = "aws (default), aws-cn or aws-us-gov.")
        String partition;

        @Option(names = "--sid", description = "The statement's Sid.")
        String sid;

        @Override
        public Integer call() {
            int sources = (github != null ? 1 : 0) + (gitlab != null ? 1 : 0) + (kubernetesIssuer != null ? 1 : 0);
            if (sources != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Pass exactly one of --github ORG/REPO, --gitlab GROUP/PROJECT or --kubernetes-issuer URL.");
            }
            TrustPolicy policy;
            if (github != null) {
                TrustPolicies.GitHubActions g = TrustPolicies.gitHubActions().accountId(accountId).repository(github);
                requireOneScope(true);
                applyRefScope(branch, tag, githubEnvironment, pullRequest, g::branch, g::tag, g::environment,
                        g::pullRequest, g::anyRef);
                if (ownerId != null || repositoryId != null) {
                    if (ownerId == null || repositoryId == null) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--owner-id and --repository-id go together (from `gh api repos/ORG/REPO --jq '.owner.id, .id'`).");
                    }
                    g.immutableIds(ownerId, repositoryId);
                }
                ifSet(jobWorkflowRef, g::jobWorkflowRef);
                ifSet(providerHost, g::providerHost);
                common(g::audience, g::partition, g::sid);
                policy = g.build();
            } else if (gitlab != null) {
                TrustPolicies.GitLab g = TrustPolicies.gitLab().accountId(accountId).projectPath(gitlab);
                requireOneScope(false);
                // requireOneScope(false) rejected --environment and --pull-request, so only these scopes remain.
                applyRefScope(branch, tag, null, false, g::branch, g::tag, null, null, g::anyRef);
                ifSet(providerHost, g::host);
                common(g::audience, g::partition, g::sid);
                policy = g.build();
            } else {
                if (namespace == null || serviceAccount == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--kubernetes-issuer needs --namespace and --service-account.");
                }
                TrustPolicies.Kubernetes k = TrustPolicies.kubernetes().accountId(accountId).issuer(kubernetesIssuer)
                        .namespace(namespace).serviceAccount(serviceAccount);
                common(k::audience, k::partition, k::sid);
                policy = k.build();
            }
            out().println(policy.toJson());
            return 0;
        }

        private void requireOneScope(boolean gitHub) {
            int scopes = (branch != null ? 1 : 0) + (tag != null ? 1 : 0) + (anyRef ? 1 : 0)
                    + (gitHub ? (githubEnvironment != null ? 1 : 0) + (pullRequest ? 1 : 0) : 0);
            if (scopes != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Pass exactly one of "
                        + (gitHub ? "--branch, --tag, --environment, --pull-request or --any-ref"
                        : "--branch, --tag or --any-ref") + ": one trust policy per scope.");
            }
            if (!gitHub && (githubEnvironment != null || pullRequest)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--environment and --pull-request are for --github.");
            }
        }

        /** The generators share these options through a package-private base class, so they come as setters. */
        private void common(Consumer<String> setAudience, Consumer<String> setPartition, Consumer<String> setSid) {
            ifSet(audience, setAudience);
            ifSet(partition, setPartition);
            ifSet(sid, setSid);
        }
    }

    /** {@code keyless aws lint-trust-policy FILE}: the mistakes that make a web identity trust policy unsafe or broken. */
    @Command(name = "lint-trust-policy", mixinStandardHelpOptions = true,
            description = {"Find the mistakes that make a web identity trust policy unsafe or broken (no sub condition, "
                    + "wildcards that admit other organisations, StringEquals with a wildcard, ...).",
                    "To evaluate it against a job's token too, use `keyless doctor aws --trust-policy FILE`."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:no errors (warnings allowed)", "1:the policy has errors, or cannot be read or parsed",
                    "2:bad usage", "3:an unexpected error"})
    static final class LintTrustPolicy extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The trust policy JSON.")
        Path file;

        @Option(names = "--json", description = "Print the findings as JSON.")
        boolean json;

        @Override
        public Integer call() {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new dev.keyless.core.ConfigurationException(Diagnosis.builder("Cannot read the trust policy file " + file + ".")
                        .code("doctor.unreadable-file")
                        .evidence("file", file)
                        .evidence("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                        .fix("Pass the path of a readable JSON file.")
                        .build());
            }
            TrustPolicy policy = TrustPolicy.parse(text);
            List<LintFinding> findings = policy.lint();
            boolean errors = findings.stream().anyMatch(f -> f.severity() == LintFinding.Severity.ERROR);
            if (json) {
                List<Object> list = new ArrayList<>();
                for (LintFinding f : findings) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("severity", f.severity().name());
                    m.put("code", f.code());
                    m.put("statement", f.statement().label());
                    m.put("message", f.message());
                    f.fix().ifPresent(x -> m.put("fix", x));
                    list.add(m);
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("file", file.toString());
                doc.put("result", errors ? "FAIL" : "OK");
                doc.put("findings", list);
                out().println(JsonOut.write(doc));
            } else {
                if (findings.isEmpty()) {
                    out().println(file + ": no findings.");
                }
                for (LintFinding f : findings) {
                    out().println(f.severity() + "  " + f.code() + "  " + f.statement().label());
                    out().println("    " + f.message());
                    f.fix().ifPresent(x -> out().println("    Fix: " + x.replace("\n", "\n         ")));
                }
            }
            out().flush();
            return errors ? Main.EXIT_DIAGNOSED : 0;
        }
    }

}
