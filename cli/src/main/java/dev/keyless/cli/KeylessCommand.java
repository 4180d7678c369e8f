package dev.keyless.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The root {@code keyless} command: holds the global options and lists the subcommands. */
@Command(name = "keyless", mixinStandardHelpOptions = true, version = "keyless 0.1.0-SNAPSHOT",
        description = "Short-lived cloud credentials from OIDC identity tokens, and answers when the setup is wrong.",
        subcommands = {DemoCommand.class, DoctorCommand.class, TokenCommand.class, AwsCommand.class, GcpCommand.class, AzureCommand.class,
                LocalCloudCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a diagnosed failure: the message says what to fix", "2:bad usage",
                "3:an unexpected error"})
public final class KeylessCommand implements Runnable {

    @Option(names = "--verbose", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
