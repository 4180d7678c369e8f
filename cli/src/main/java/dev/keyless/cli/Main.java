package dev.keyless.cli;

import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Objects;
import picocli.CommandLine;

/**
 * The {@code keyless} command. Exit codes: 0 success, 1 a diagnosed failure (the diagnosis is printed),
 * 2 bad usage, 3 an unexpected error.
 *
 * <p>A user error prints a one-paragraph diagnosis (what happened, the likely cause, the evidence and the fix)
 * without a stack trace; {@code --verbose} adds it. By default, commands read the process environment and the
 * system UTC clock; {@link #run(Environment, Clock, PrintWriter, PrintWriter, String...)} injects others.
 */
public final class Main {
    /** A failure Keyless diagnosed: the user's setup needs a fix. */
    public static final int EXIT_DIAGNOSED = 1;
    /** Bad usage: unknown option, missing argument. */
    public static final int EXIT_USAGE = 2;
    /** An unexpected error (a bug, or something Keyless could not diagnose). */
    public static final int EXIT_UNEXPECTED = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command with the given output streams and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(Environment.system(), Clock.systemUTC(), out, err, args);
    }

    /**
     * Runs the command with this environment and clock (tests pass {@code Environment.of(map)} and a test clock)
     * and returns the exit code.
     */
    public static int run(Environment environment, Clock clock, PrintWriter out, PrintWriter err, String... args) {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(clock, "clock");
        KeylessCommand root = new KeylessCommand();
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cmd = new CommandLine(root, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = defaults.create(type);
                if (made instanceof BaseCommand command) {
                    command.environment = environment;
                    command.clock = clock;
                }
                return made;
            }
        });
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExitCodeExceptionMapper(e -> e instanceof KeylessException ? EXIT_DIAGNOSED
                : e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_UNEXPECTED);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException bad) {
                // A combination of options the parser could not check: a usage error like any other.
                return commandLine.getParameterExceptionHandler().handleParseException(bad, args);
            }
            boolean verbose = root.verbose;
            if (e instanceof KeylessException) {
                commandLine.getErr().println("keyless: " + ((KeylessException) e).diagnosis().render());
            } else {
                commandLine.getErr().println("keyless: unexpected error: " + e);
            }
            if (verbose) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("(run with --verbose for the stack trace)");
            }
            commandLine.getErr().flush();
            return e instanceof KeylessException ? EXIT_DIAGNOSED : EXIT_UNEXPECTED;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
