package dev.keyless.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyless doctor}: diagnoses a keyless setup step by step (token source, token, trust configuration, the
 * exchange itself) and says how to fix the first thing that is wrong. Without a cloud, it checks the token only.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Diagnose a keyless setup, step by step, with the exact fix for what is wrong.",
                "Without a cloud: the token source and the token. `doctor aws` (and gcp, azure) go on to the trust "
                        + "configuration and the exchange."},
        subcommands = {DoctorAwsCommand.class, DoctorGcpCommand.class, DoctorAzureCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed (warnings and skipped checks allowed)",
                "1:a check failed: its diagnosis says what to fix", "2:bad usage", "3:an unexpected error"})
final class DoctorCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--audience", description = "The audience to request (default: the source's own).")
    String audience;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Check the token in this file instead of detecting the source.")
    Path tokenFile;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        DoctorReport report = new DoctorReport("keyless doctor");
        TokenChecks.run(report, environment, clock, tokenFile, audience);
        report.print(out(), json);
        return report.exitCode();
    }
}
