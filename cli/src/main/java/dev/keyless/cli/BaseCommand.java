package dev.keyless.cli;

import dev.keyless.core.Environment;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.function.Consumer;
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

    /** The option's value when it was given, else the environment variable's; null when neither is set. */
    String optionOrEnv(String option, String variable) {
        return option != null ? option : environment.get(variable).orElse(null);
    }

    /** Passes {@code value} to {@code setter} when it is set, so a builder keeps its own default otherwise. */
    static <T> void ifSet(T value, Consumer<? super T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /**
     * Applies the one ref scope a user chose (checked beforehand) to a trust generator: the first of branch, tag,
     * environment and pull request that is set, else "any ref". Generators without environment or pull-request
     * scopes pass null and false for them (and null handlers).
     */
    static void applyRefScope(String branch, String tag, String githubEnvironment, boolean pullRequest,
            Consumer<String> onBranch, Consumer<String> onTag, Consumer<String> onEnvironment,
            Runnable onPullRequest, Runnable onAnyRef) {
        if (branch != null) {
            onBranch.accept(branch);
        } else if (tag != null) {
            onTag.accept(tag);
        } else if (githubEnvironment != null) {
            onEnvironment.accept(githubEnvironment);
        } else if (pullRequest) {
            onPullRequest.run();
        } else {
            onAnyRef.run();
        }
    }
}
