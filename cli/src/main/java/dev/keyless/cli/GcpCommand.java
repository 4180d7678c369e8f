package dev.keyless.cli;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.core.source.TokenSources;
import dev.keyless.gcp.CredentialConfiguration;
import dev.keyless.gcp.ExecutableResponse;
import dev.keyless.gcp.SubjectTokenType;
import dev.keyless.gcp.WorkloadIdentityProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyless gcp ...}: Google helpers: credential configuration files and the executable credential source. */
@Command(name = "gcp", mixinStandardHelpOptions = true,
        description = "Google Cloud: external_account credential configuration files, and the executable source they can run.",
        subcommands = {GcpCommand.CredentialConfig.class, GcpCommand.Executable.class})
final class GcpCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    static SubjectTokenType tokenType(String text) {
        if (text == null) {
            return SubjectTokenType.JWT;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("jwt") || t.equals(SubjectTokenType.JWT.urn())) {
            return SubjectTokenType.JWT;
        }
        if (t.equals("id_token") || t.equals("id-token") || t.equals(SubjectTokenType.ID_TOKEN.urn())) {
            return SubjectTokenType.ID_TOKEN;
        }
        throw ConfigurationException.badOption("--token-type", "'" + text + "' is not jwt or id_token",
                "Use jwt (the default) or id_token.");
    }

    /**
     * {@code keyless gcp credential-config}: writes the {@code external_account} JSON that gcloud, Terraform and every
     * Google client library read through {@code GOOGLE_APPLICATION_CREDENTIALS}.
     */
    @Command(name = "credential-config", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Write an external_account credential configuration (GOOGLE_APPLICATION_CREDENTIALS) so that "
                    + "gcloud, Terraform and Google's libraries in any language are keyless too.",
                    "The file is written readable by its owner only, outside the checked-out workspace (a GitHub URL "
                            + "source holds the job's request token). It prints the export line to use."})
    static final class CredentialConfig extends BaseCommand implements Callable<Integer> {
        @Option(names = "--provider", paramLabel = "NAME", description = "The workload identity pool provider (default: $KEYLESS_GCP_PROVIDER).")
        String provider;

        @Option(names = "--service-account", paramLabel = "EMAIL", description = "A service account to impersonate (default: $KEYLESS_GCP_SERVICE_ACCOUNT; none).")
        String serviceAccount;

        @Option(names = "--token-file", paramLabel = "FILE", description = "Source: a token file the library re-reads (e.g. a projected Kubernetes token).")
        Path tokenFile;

        @Option(names = "--github", description = "Source: the GitHub Actions token endpoint of this job.")
        boolean github;

        @Option(names = "--executable", paramLabel = "COMMAND", description = "Source: a command printing Google's executable response, "
                + "e.g. \"/usr/local/bin/keyless gcp executable\" (needs GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1).")
        String executable;

        @Option(names = "--executable-self", description = "Source: this keyless command (`keyless gcp executable --provider ...`, "
                + "by the absolute path the launcher exports as $KEYLESS_LAUNCHER).")
        boolean executableSelf;

        @Option(names = "--audience", description = "The token audience for --github (default: https://iam.googleapis.com/<provider>).")
        String audience;

        @Option(names = "--token-type", description = "jwt (default) or id_token.")
        String tokenType;

        @Option(names = "--lifetime-seconds", description = "Impersonated token lifetime, 600 to 43200 (default: the library's, 3600).")
        Integer lifetimeSeconds;

        @Option(names = "--sts-url", description = "STS token URL override (default: $KEYLESS_GCP_STS_URL, else Google's).")
        String stsUrl;

        @Option(names = "--iam-credentials-url", description = "IAM Credentials root override (default: $KEYLESS_GCP_IAM_CREDENTIALS_URL).")
        String iamCredentialsUrl;

        @Option(names = "--output", paramLabel = "FILE", description = "Where to write it (default: a new file in $RUNNER_TEMP, else the temporary directory).")
        Path output;

        @Override
        public Integer call() {
            int sources = (tokenFile != null ? 1 : 0) + (github ? 1 : 0) + (executable != null ? 1 : 0) + (executableSelf ? 1 : 0);
            if (sources != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Pass exactly one source: --token-file FILE, --github, --executable COMMAND or --executable-self.");
            }
            String name = optionOrEnv(provider, "KEYLESS_GCP_PROVIDER");
            if (name == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Pass --provider (or set KEYLESS_GCP_PROVIDER).");
            }
            WorkloadIdentityProvider wip = WorkloadIdentityProvider.parse(name);
            CredentialConfiguration.Builder b = CredentialConfiguration.builder().provider(wip).environment(environment)
                    .subjectTokenType(tokenType(tokenType));
            ifSet(optionOrEnv(serviceAccount, "KEYLESS_GCP_SERVICE_ACCOUNT"), b::serviceAccount);
            ifSet(lifetimeSeconds, s -> b.lifetime(Duration.ofSeconds(s)));
            ifSet(optionOrEnv(stsUrl, "KEYLESS_GCP_STS_URL"), b::tokenUrl);
            ifSet(optionOrEnv(iamCredentialsUrl, "KEYLESS_GCP_IAM_CREDENTIALS_URL"), b::iamCredentialsUrl);
            if (tokenFile != null) {
                b.fileSource(tokenFile);
            } else if (github) {
                b.gitHubActionsSource(environment, audience != null ? audience : wip.defaultTokenAudience());
            } else if (executable != null) {
                b.executableSource(executable);
            } else {
                String launcher = environment.get("KEYLESS_LAUNCHER").orElseThrow(() -> ConfigurationException.badOption(
                        "--executable-self", "KEYLESS_LAUNCHER is not set, so the absolute path of `keyless` is unknown",
                        "Run keyless through its launcher script (bin/keyless), or pass --executable \"/ABSOLUTE/PATH/keyless gcp executable\"."));
                b.executableSource(launcher + " gcp executable --provider " + wip.resourceName());
            }
            CredentialConfiguration config = b.build();
            Path written = output != null ? config.writeTo(output) : config.write();
            out().println("Wrote " + config + " to " + written + " (owner read/write only).");
            out().println("export GOOGLE_APPLICATION_CREDENTIALS=" + written);
            if (executable != null || executableSelf) {
                out().println("export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1");
            }
            out().flush();
            return 0;
        }
    }

    /**
     * {@code keyless gcp executable}: the executable credential source of google-auth: prints
     * {@code {"version": 1, "success": true, "token_type": ..., "id_token": ..., "expiration_time": ...}} with a fresh
     * token for the audience Google's library asks for ({@code GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE}), or a failure
     * response with the diagnosis code and exit 1.
     */
    @Command(name = "executable", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Print a fresh identity token in google-auth's executable-source format (for a credential "
                    + "configuration's \"executable\" source). Its stdout is the token: only the library may read it.",
                    "The audience comes from GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE (set by the library) unless given."})
    static final class Executable extends BaseCommand implements Callable<Integer> {
        @Option(names = "--provider", paramLabel = "NAME", description = "The provider, to derive the audience when the library does not set it.")
        String provider;

        @Option(names = "--audience", description = "The token audience (default: from GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE or --provider).")
        String audience;

        @Option(names = "--token-type", description = "jwt or id_token (default: GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE, else jwt).")
        String tokenType;

        @Option(names = "--token-file", paramLabel = "FILE", description = "Read the token from this file (default: detect the source).")
        Path tokenFile;

        @Override
        public Integer call() {
            SubjectTokenType type;
            try {
                type = tokenType(optionOrEnv(tokenType, "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"));
                String aud = audience();
                TokenSource source = tokenFile != null ? FileTokenSource.of(tokenFile) : TokenSources.detect(environment);
                IdentityToken token = source.token(aud == null ? TokenRequest.sourceDefault() : TokenRequest.forAudience(aud));
                // The one place the token is printed: google-auth reads it from this process's stdout.
                out().println(ExecutableResponse.success(token, type));
                out().flush();
                return 0;
            } catch (KeylessException e) {
                String code = e.diagnosis().code() == null ? "keyless-error" : e.diagnosis().code();
                out().println(ExecutableResponse.failure(code, e.diagnosis().problem()
                        + (e.diagnosis().fix() == null ? "" : " Fix: " + e.diagnosis().fix())));
                out().flush();
                err().println("keyless: " + e.diagnosis().render());
                err().flush();
                return Main.EXIT_DIAGNOSED;
            }
        }

        /** The library's STS audience {@code //iam.googleapis.com/<provider>} asks for a token for https://iam.googleapis.com/<provider>. */
        private String audience() {
            if (audience != null) {
                return audience;
            }
            if (provider != null) {
                return WorkloadIdentityProvider.parse(provider).defaultTokenAudience();
            }
            return environment.get("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE")
                    .map(a -> a.startsWith("//") ? "https:" + a : a)
                    .orElseThrow(() -> ConfigurationException.badOption("--audience",
                            "no audience: GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE is not set and neither --audience nor --provider is given",
                            "Run it from a credential configuration (the library sets the variable), or pass --provider NAME."));
        }
    }
}
