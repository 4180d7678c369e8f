package dev.keyless.cli;

import dev.keyless.core.KeylessException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The {@code keyless} command. Exit codes: 0 success, 1 a diagnosed failure (the diagnosis is printed),
 * 2 bad usage, 3 an unexpected error.
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

    /** Runs the command with the given output streams and returns the exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        KeylessCommand root = new KeylessCommand();
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExitCodeExceptionMapper(e -> e instanceof KeylessException ? EXIT_DIAGNOSED : EXIT_UNEXPECTED);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
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
        return cmd.execute(args);
    }
}
