package dev.keyless.cli;

import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.core.internal.Json;
import dev.keyless.core.source.FileTokenSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;

/** {@code keyless aws ...}: AWS helpers. */
@Command(name = "aws", mixinStandardHelpOptions = true, description = "AWS: credential_process for profiles.",
        subcommands = {AwsCommand.CredentialProcess.class})
final class AwsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code keyless aws credential-process}: prints AWS's credential_process JSON (Version 1, with Expiration), so
     * the AWS CLI and every AWS SDK can use Keyless from a profile:
     * {@code credential_process = keyless aws credential-process --role-arn arn:aws:iam::123456789012:role/deploy}.
     */
    @Command(name = "credential-process", mixinStandardHelpOptions = true,
            description = "Print credentials in AWS credential_process format (for ~/.aws/config profiles).")
    static final class CredentialProcess implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--role-arn", description = "The role to assume (default: $AWS_ROLE_ARN).")
        String roleArn;

        @Option(names = "--audience", description = "Audience to request (default: sts.amazonaws.com).")
        String audience;

        @Option(names = "--session-name", description = "Role session name (default: derived from the job).")
        String sessionName;

        @Option(names = "--duration-seconds", description = "900 to 43200 (default: 3600).")
        Integer durationSeconds;

        @Option(names = "--region", description = "STS region (default: the SDK's region chain).")
        String region;

        @Option(names = "--sts-endpoint", description = "STS endpoint override (e.g. the local cloud's).")
        URI stsEndpoint;

        @Option(names = "--token-file", description = "Read the identity token from this file (default: detect the source).")
        Path tokenFile;

        Environment environment = Environment.system();

        @Override
        public Integer call() {
            WebIdentityCredentialsProvider.Builder b = WebIdentityCredentialsProvider.builder()
                    .roleArn(roleArn != null ? roleArn : environment.get("AWS_ROLE_ARN").orElse(null))
                    .environment(environment);
            if (audience != null) {
                b.audience(audience);
            }
            if (sessionName != null) {
                b.roleSessionName(sessionName);
            }
            if (durationSeconds != null) {
                b.duration(Duration.ofSeconds(durationSeconds));
            }
            if (region != null) {
                b.region(Region.of(region));
            }
            if (stsEndpoint != null) {
                b.stsEndpoint(stsEndpoint);
            }
            if (tokenFile != null) {
                b.tokenSource(FileTokenSource.of(tokenFile));
            }
            try (WebIdentityCredentialsProvider provider = b.build()) {
                AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("Version", 1);
                json.put("AccessKeyId", c.accessKeyId());
                json.put("SecretAccessKey", c.secretAccessKey());
                json.put("SessionToken", c.sessionToken());
                c.expirationTime().ifPresent(exp -> json.put("Expiration", exp.toString()));
                spec.commandLine().getOut().println(Json.write(json));
            }
            return 0;
        }
    }
}
