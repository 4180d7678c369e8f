package dev.keyless.cli;

import dev.keyless.core.Environment;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code keyless} subcommand shares: the environment and clock it reads (injected by {@link Main} so
 * that tests run commands against a fixed environment and a test clock) and its output streams.
 *
 * <p>By default, the process environment and the system UTC clock.
 */
abstract class BaseCommand {
    @Spec
    CommandSpec spec;

    /** Where environment variables are read; tests inject {@code Environment.of(map)}. */
    Environment environment = Environment.system();

    /** The clock for expiry checks and emulators; tests inject a {@code MutableClock}. */
    Clock clock = Clock.systemUTC();

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
