package dev.keyless.cli;

import dev.keyless.azure.FederatedCredentialSpec;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.source.TokenSources;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyless azure ...}: Azure helpers: federated identity credentials for Entra applications and identities. */
@Command(name = "azure", mixinStandardHelpOptions = true,
        description = "Azure: federated identity credentials for Entra applications and managed identities.",
        subcommands = {AzureCommand.FederatedCredential.class})
final class AzureCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** {@code keyless azure federated-credential}: the federated identity credential a GitHub job (or this job) needs. */
    @Command(name = "federated-credential", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Print a federated identity credential (Graph JSON, an ARM resource, or the az command) for a "
                    + "GitHub repository's branch, tag, environment or pull requests, or for the job this runs in.",
                    "Examples:",
                    "  keyless azure federated-credential --github acme/app --environment production --az-app APP_ID",
                    "  keyless azure federated-credential --from-job   (inside the job: the credential its token matches)"})
    static final class FederatedCredential extends BaseCommand implements Callable<Integer> {
        @Option(names = "--github", paramLabel = "ORG/REPO", description = "A GitHub repository.")
        String github;

        @Option(names = "--from-job", description = "The credential matching this job's token (detected source).")
        boolean fromJob;

        @Option(names = "--branch", description = "GitHub: jobs on this branch.")
        String branch;

        @Option(names = "--tag", description = "GitHub: jobs on this tag.")
        String tag;

        @Option(names = "--environment", description = "GitHub: jobs with this environment.")
        String githubEnvironment;

        @Option(names = "--pull-request", description = "GitHub: pull_request jobs.")
        boolean pullRequest;

        @Option(names = "--any-branch", description = "GitHub: any branch (a flexible credential).")
        boolean anyBranch;

        @Option(names = "--owner-id", description = "GitHub: owner id, for the immutable repo:ORG@ID/REPO@ID subject (with --repository-id).")
        String ownerId;

        @Option(names = "--repository-id", description = "GitHub: repository id (with --owner-id).")
        String repositoryId;

        @Option(names = "--name", description = "The credential's name (default: derived).")
        String name;

        @Option(names = "--issuer", description = "The issuer (default: https://token.actions.githubusercontent.com).")
        String issuer;

        @Option(names = "--audience", description = "The audience (default: api://AzureADTokenExchange).")
        String audience;

        @Option(names = "--arm", paramLabel = "IDENTITY", description = "Print an ARM resource for this user-assigned managed identity.")
        String armIdentity;

        @Option(names = "--az-app", paramLabel = "APP_ID", description = "Print the `az ad app federated-credential create` command for this application.")
        String azApp;

        @Override
        public Integer call() {
            if ((github != null) == fromJob) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Pass exactly one of --github ORG/REPO or --from-job.");
            }
            FederatedCredentialSpec spec;
            if (fromJob) {
                IdentityToken token = TokenSources.detect(environment).token(TokenRequest.forAudience(
                        audience != null ? audience : FederatedCredentialSpec.DEFAULT_AUDIENCE));
                spec = FederatedCredentialSpec.fromToken(token);
            } else {
                int scopes = (branch != null ? 1 : 0) + (tag != null ? 1 : 0) + (githubEnvironment != null ? 1 : 0)
                        + (pullRequest ? 1 : 0) + (anyBranch ? 1 : 0);
                if (scopes != 1) {
                    throw new CommandLine.ParameterException(this.spec.commandLine(),
                            "Pass exactly one of --branch, --tag, --environment, --pull-request or --any-branch.");
                }
                FederatedCredentialSpec.GitHub g = FederatedCredentialSpec.github(github);
                applyRefScope(branch, tag, githubEnvironment, pullRequest, g::branch, g::tag, g::environment,
                        g::pullRequest, g::anyBranch);
                if (ownerId != null || repositoryId != null) {
                    g.immutableIds(ownerId, repositoryId);
                }
                ifSet(issuer, g::issuer);
                ifSet(audience, g::audience);
                ifSet(name, g::name);
                spec = g.build();
            }
            if (armIdentity != null) {
                out().println(JsonOut.write(dev.keyless.core.internal.Json.object(spec.toArmJson(armIdentity)).orElseThrow()));
            } else if (azApp != null) {
                out().println(spec.azAppCommand(azApp));
            } else {
                out().println(JsonOut.write(dev.keyless.core.internal.Json.object(spec.toJson()).orElseThrow()));
            }
            out().flush();
            return 0;
        }
    }
}
