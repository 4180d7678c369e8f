package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a program on every call and takes the identity token from its standard output: the Buildkite agent,
 * the CircleCI CLI, or any helper that prints a token.
 *
 * <p>The program is started directly from an argument list, never through a shell. Its standard output is
 * trimmed and used as the token, or, with {@link Builder#jsonField(String)}, parsed as a JSON object whose
 * field holds it. When an argument contains {@value #AUDIENCE_PLACEHOLDER}, the requested audience is
 * substituted there and {@link #supportsRequestedAudience()} is true; otherwise the audience is fixed and a
 * request for another one fails (code {@code token.audience-fixed}).
 *
 * <p>By default, the program gets 30 seconds, after which it and its descendants are killed and a retryable
 * {@link TokenException} is thrown; standard output is capped at 64 KiB. A non-zero exit is a
 * {@link TokenException} (retryable, as helpers usually fail on transient network errors, except for exit
 * codes 126 and 127, "not executable" and "not found") whose diagnosis shows the exit code and the last lines
 * of standard error with anything token-shaped removed; standard output is never shown. A program that cannot
 * be started is a {@link ConfigurationException} naming it. Instances are immutable and thread-safe.
 */
public final class CommandTokenSource implements TokenSource {
    /** Replaced, inside any argument, by the requested audience. */
    public static final String AUDIENCE_PLACEHOLDER = "{audience}";
    /** The default time limit: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default cap on standard output: 64 KiB. */
    public static final int DEFAULT_MAX_OUTPUT_SIZE = 64 * 1024;
    /** How much of standard error's end is kept for diagnoses. */
    static final int STDERR_TAIL = 2 * 1024;
    // After a kill or an exit, how long to wait for the output readers to see the pipes close.
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

    private final List<String> command;
    private final List<String> commandWithoutAudience;
    private final Duration timeout;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final int maxOutputSize;
    private final String jsonField;
    private final String audienceHint;
    private final String name;
    private final boolean audienceInArguments;

    private CommandTokenSource(Builder b) {
        this.command = List.copyOf(b.command);
        this.commandWithoutAudience = b.commandWithoutAudience == null ? null : List.copyOf(b.commandWithoutAudience);
        this.timeout = b.timeout;
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.maxOutputSize = b.maxOutputSize;
        this.jsonField = b.jsonField;
        this.audienceHint = b.audienceHint;
        this.name = b.name != null ? b.name : "command:" + programName(command.get(0));
        this.audienceInArguments = command.stream().anyMatch(a -> a.contains(AUDIENCE_PLACEHOLDER));
    }

    /** A source running the given program and arguments, with the defaults. */
    public static CommandTokenSource of(String... command) {
        return builder().command(command).build();
    }

    /** A builder; the command is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Buildkite: {@code buildkite-agent oidc request-token --audience {audience}}, or without
     * {@code --audience} when the request leaves the audience to the source (Buildkite then uses
     * {@code https://buildkite.com/<org>}).
     */
    public static CommandTokenSource buildkite() {
        return builder()
                .command("buildkite-agent", "oidc", "request-token", "--audience", AUDIENCE_PLACEHOLDER)
                .commandWithoutAudience("buildkite-agent", "oidc", "request-token")
                .name("buildkite")
                .build();
    }

    /**
     * CircleCI through its CLI, for a custom audience: {@code circleci run oidc get --claims {"aud":"{audience}"}},
     * or without {@code --claims} when the request leaves the audience to the source (the organization id).
     */
    public static CommandTokenSource circleCi() {
        return builder()
                .command("circleci", "run", "oidc", "get", "--claims", "{\"aud\":\"" + AUDIENCE_PLACEHOLDER + "\"}")
                .commandWithoutAudience("circleci", "run", "oidc", "get")
                .name("circleci-cli")
                .build();
    }

    /** A builder pre-filled with this source's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.command = new ArrayList<>(command);
        b.commandWithoutAudience = commandWithoutAudience == null ? null : new ArrayList<>(commandWithoutAudience);
        b.timeout = timeout;
        b.environment.putAll(environment);
        b.workingDirectory = workingDirectory;
        b.maxOutputSize = maxOutputSize;
        b.jsonField = jsonField;
        b.audienceHint = audienceHint;
        b.name = name;
        return b;
    }

    /** The program and its arguments, placeholders included. */
    public List<String> command() {
        return command;
    }

    /** The time the program gets before it is killed. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        List<String> argv = argumentsFor(request);
        Output out = run(argv);
        String raw = out.stdout;
        String origin = "command " + programName(argv.get(0));
        if (jsonField != null) {
            raw = field(raw, origin);
        }
        if (raw.isBlank()) {
            throw new TokenException(Diagnosis.builder("The " + origin + " exited with code 0 but printed no token.")
                    .code("command.no-output")
                    .likelyCause("The program wrote the token somewhere else (a file, standard error) or needs "
                            + "other arguments to print it.")
                    .evidence("program", argv.get(0))
                    .evidence("stderr (last lines)", out.stderrTail)
                    .fix("Run the command by hand and check that it prints the identity token alone on standard "
                            + "output" + (jsonField == null ? "" : ", inside the JSON field '" + jsonField + "'") + ".")
                    .build(), false);
        }
        IdentityToken token = IdentityToken.parse(raw, origin);
        if (audienceInArguments && request.audience().isPresent()) {
            String wanted = request.audience().get();
            if (!token.audience().contains(wanted)) {
                throw new TokenException(Diagnosis.builder("The " + origin + " was asked for audience '" + wanted
                                + "' but returned a token for " + token.audience() + ".")
                        .code("command.audience-ignored")
                        .likelyCause("The argument that carries " + AUDIENCE_PLACEHOLDER + " is not the one the "
                                + "program reads the audience from.")
                        .evidence("requested audience", wanted)
                        .evidence("token aud", token.audience())
                        .evidence("token iss", token.issuer())
                        .fix("Check the program's options for the audience and put " + AUDIENCE_PLACEHOLDER
                                + " there.")
                        .build(), false);
            }
        } else if (!audienceInArguments) {
            FixedAudience.check(token, request, name, audienceHint);
        }
        return token;
    }

    private List<String> argumentsFor(TokenRequest request) {
        if (!audienceInArguments) {
            return command;
        }
        Optional<String> audience = request.audience();
        if (audience.isEmpty()) {
            if (commandWithoutAudience != null) {
                return commandWithoutAudience;
            }
            throw new ConfigurationException(Diagnosis.builder("The " + name + " token source needs an audience, "
                            + "but the request leaves it to the source.")
                    .code("command.audience-required")
                    .likelyCause("The command has an " + AUDIENCE_PLACEHOLDER + " argument and no command to run "
                            + "without one.")
                    .evidence("source", name)
                    .fix("Request an audience (TokenRequest.forAudience(...)), or give the builder "
                            + "commandWithoutAudience(...) to run when none is requested.")
                    .build());
        }
        return command.stream().map(a -> a.replace(AUDIENCE_PLACEHOLDER, audience.get())).collect(Collectors.toList());
    }

    private String field(String stdout, String origin) {
        Optional<Map<String, Object>> json = Json.object(stdout);
        if (json.isEmpty()) {
            throw new TokenException(Diagnosis.builder("The " + origin + " did not print a JSON object, but the "
                            + "source expects the token in its field '" + jsonField + "'.")
                    .code("command.not-json")
                    .likelyCause("The program prints the bare token, or an error text, rather than JSON.")
                    .evidence("stdout length", stdout.strip().length())
                    .fix("Drop jsonField(...) if the program prints the bare token, or add the program's option "
                            + "for JSON output.")
                    .build(), false);
        }
        Optional<String> value = Json.string(json.get(), jsonField);
        if (value.isEmpty()) {
            throw new TokenException(Diagnosis.builder("The JSON printed by the " + origin + " has no string field '"
                            + jsonField + "'.")
                    .code("command.json-field-missing")
                    .likelyCause("The field holding the token has another name.")
                    .evidence("fields present", new TreeSet<>(json.get().keySet()))
                    .fix("Set jsonField(...) to the field that holds the identity token.")
                    .build(), false);
        }
        return value.get();
    }

    private Output run(List<String> argv) {
        if (workingDirectory != null && !Files.isDirectory(workingDirectory)) {
            throw ConfigurationException.badOption("workingDirectory", workingDirectory + " is not a directory",
                    "Create the directory, or point workingDirectory(...) at an existing one.");
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.DISCARD.file());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw cannotStart(argv.get(0), e);
        }
        StreamReader stdout = StreamReader.head(process.getInputStream(), maxOutputSize + 1, "stdout");
        StreamReader stderr = StreamReader.tail(process.getErrorStream(), STDERR_TAIL, "stderr");
        boolean exited;
        try {
            exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new TokenException(Diagnosis.builder("Interrupted while waiting for the " + name + " command.")
                    .code("command.interrupted")
                    .evidence("program", argv.get(0))
                    .build(), true, e);
        }
        if (!exited) {
            kill(process);
            stderr.await(DRAIN_GRACE);
            throw timedOut(argv.get(0), stderr.tailText(new String(stdout.bytes(), StandardCharsets.UTF_8).strip()));
        }
        // The program has exited, so what is left in the pipes is read in moments; only a descendant that outlives
        // the program and holds the pipes open could make the readers wait longer, and it is not waited for.
        if (!stdout.await(DRAIN_GRACE) || !stderr.await(DRAIN_GRACE)) {
            throw new TokenException(Diagnosis.builder("The token command `" + programName(argv.get(0))
                            + "` exited, but a process it started kept its output open.")
                    .code("command.output-held-open")
                    .likelyCause("The command leaves a background process running with its standard output or "
                            + "standard error attached.")
                    .evidence("program", argv.get(0))
                    .evidence("exit code", process.exitValue())
                    .fix("Make the command wait for its children, or detach them from its output (redirect their "
                            + "output to /dev/null).")
                    .build(), false);
        }
        byte[] out = stdout.bytes();
        String stdoutText = new String(out, StandardCharsets.UTF_8);
        int exit = process.exitValue();
        if (exit != 0) {
            String tail = stderr.tailText(stdoutText.strip());
            throw new TokenException(Diagnosis.builder("The token command `" + programName(argv.get(0))
                            + "` exited with code " + exit + ".")
                    .code("command.failed")
                    .likelyCause(exit == 127 || exit == 126
                            ? "A program the command runs was not found or is not executable (exit " + exit + ")."
                            : "The program could not get a token; its standard error usually says why.")
                    .evidence("source", name)
                    .evidence("program", argv.get(0))
                    .evidence("arguments", argv.size() - 1)
                    .evidence("exit code", exit)
                    .evidence("stderr (last lines)", tail.isEmpty() ? "(empty)" : tail)
                    .fix("Run the command by hand in the same environment and fix what its standard error reports "
                            + "(standard output is never shown, as it may hold a token).")
                    .build(), exit != 127 && exit != 126);
        }
        if (out.length > maxOutputSize) {
            throw new TokenException(Diagnosis.builder("The token command `" + programName(argv.get(0)) + "` printed more than "
                            + maxOutputSize + " bytes on standard output.")
                    .code("command.output-too-large")
                    .likelyCause("The program prints more than the token (logs, progress) on standard output.")
                    .evidence("program", argv.get(0))
                    .evidence("limit", maxOutputSize)
                    .fix("Make the program print only the token (send logs to standard error), or raise the limit "
                            + "with maxOutputSize(bytes).")
                    .build(), false);
        }
        return new Output(stdoutText, stderr.tailText(stdoutText.strip()));
    }

    /** Kills the program and its descendants (a shell's children would otherwise keep running and hold the pipes). */
    private static void kill(Process process) {
        // Snapshot first: once the parent dies its children are re-parented and no longer found as descendants.
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private TokenException timedOut(String program, String stderrTail) {
        return new TokenException(Diagnosis.builder("The token command `" + programName(program)
                        + "` did not finish within " + timeout.toMillis() + " ms and was killed.")
                .code("command.timeout")
                .likelyCause("The program waits for something slow or unreachable (a network call, a prompt for "
                        + "input).")
                .evidence("source", name)
                .evidence("program", program)
                .evidence("timeout", timeout)
                .evidence("stderr (last lines)", stderrTail.isEmpty() ? "(empty)" : stderrTail)
                .fix("Check that the program runs non-interactively and can reach what it needs; raise the limit "
                        + "with timeout(...) if it is just slow.")
                .build(), true);
    }

    private ConfigurationException cannotStart(String program, IOException e) {
        String message = String.valueOf(e.getMessage());
        boolean notFound = message.contains("error=2,");
        boolean notExecutable = message.contains("error=13,");
        String problem = notFound ? "The program '" + program + "' was not found."
                : notExecutable ? "The program '" + program + "' is not executable."
                : "The program '" + program + "' could not be started: " + message;
        return new ConfigurationException(Diagnosis.builder(problem)
                .code(notFound ? "command.not-found" : "command.cannot-start")
                .likelyCause(notFound ? "It is not installed, or not on the PATH of this process."
                        : "The file exists but may not be run by this user.")
                .evidence("program", program)
                .evidence("source", name)
                .fix(notFound ? "Install " + programName(program) + " or give its absolute path as the first argument."
                        : "Check the file's permissions (chmod +x) and that it is a program for this platform.")
                .build(), e);
    }

    private static String programName(String program) {
        try {
            Path p = Path.of(program).getFileName();
            return p == null ? program : p.toString();
        } catch (RuntimeException e) {
            return program; // Not a valid path on this platform: the name as given.
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Whether an argument carries {@value #AUDIENCE_PLACEHOLDER}, so that any audience can be requested. */
    @Override
    public boolean supportsRequestedAudience() {
        return audienceInArguments;
    }

    @Override
    public String toString() {
        // Environment values may be secrets: names only.
        return "CommandTokenSource{name=" + name + ", program=" + command.get(0) + ", timeout=" + timeout
                + (environment.isEmpty() ? "" : ", environment=" + new TreeSet<>(environment.keySet()))
                + (workingDirectory == null ? "" : ", workingDirectory=" + workingDirectory)
                + (jsonField == null ? "" : ", jsonField=" + jsonField) + "}";
    }

    private static final class Output {
        final String stdout;
        final String stderrTail;

        Output(String stdout, String stderrTail) {
            this.stdout = stdout;
            this.stderrTail = stderrTail;
        }
    }

    /** Reads one of the program's streams on its own thread, keeping the head (stdout) or the tail (stderr). */
    private static final class StreamReader implements Runnable {
        private final InputStream in;
        private final int cap;
        private final boolean keepTail;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;
        private volatile boolean truncated;

        private StreamReader(InputStream in, int cap, boolean keepTail, String what) {
            this.in = in;
            this.cap = cap;
            this.keepTail = keepTail;
            this.thread = new Thread(this, "keyless-command-" + what);
            thread.setDaemon(true);
        }

        static StreamReader head(InputStream in, int cap, String what) {
            StreamReader r = new StreamReader(in, cap, false, what);
            r.thread.start();
            return r;
        }

        static StreamReader tail(InputStream in, int cap, String what) {
            StreamReader r = new StreamReader(in, cap, true, what);
            r.thread.start();
            return r;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (InputStream stream = in) {
                int n;
                while ((n = stream.read(chunk)) != -1) {
                    synchronized (buffer) {
                        if (keepTail) {
                            buffer.write(chunk, 0, n);
                            if (buffer.size() > 2 * cap) {
                                byte[] all = buffer.toByteArray();
                                buffer.reset();
                                buffer.write(all, all.length - cap, cap);
                                truncated = true;
                            }
                        } else if (buffer.size() < cap) {
                            // Keep the head up to the cap; drain the rest so the program never blocks on a full pipe.
                            buffer.write(chunk, 0, Math.min(n, cap - buffer.size()));
                        }
                    }
                }
            } catch (IOException e) {
                // The stream closed under us (the process was killed): keep what was read.
            }
        }

        boolean await(Duration max) {
            try {
                thread.join(Math.max(1, max.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !thread.isAlive();
        }

        byte[] bytes() {
            synchronized (buffer) {
                return buffer.toByteArray();
            }
        }

        /** The kept tail as text: at most the cap, from a line start when cut, with token-shaped runs removed. */
        String tailText(String knownSecret) {
            byte[] all = bytes();
            boolean cut = truncated || all.length > cap;
            byte[] last = all.length > cap ? Arrays.copyOfRange(all, all.length - cap, all.length) : all;
            String text = new String(last, StandardCharsets.UTF_8);
            if (cut) {
                // The first line is a fragment; it could be the end of a token whose start was cut off.
                int nl = text.indexOf('\n');
                text = nl >= 0 ? "[...]\n" + text.substring(nl + 1) : "[...]";
            }
            return Redaction.scrub(text.strip(), knownSecret);
        }
    }

    /** Builds a {@link CommandTokenSource}; only {@link #command(String...)} is required. */
    public static final class Builder {
        private List<String> command;
        private List<String> commandWithoutAudience;
        private Duration timeout = DEFAULT_TIMEOUT;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private int maxOutputSize = DEFAULT_MAX_OUTPUT_SIZE;
        private String jsonField;
        private String audienceHint = "The audience of this command's token is set by the command's own "
                + "configuration; to request one, put " + AUDIENCE_PLACEHOLDER + " in the argument that sets it.";
        private String name;

        private Builder() {
        }

        /**
         * The program and its arguments, started without a shell. Required. An argument may contain
         * {@value CommandTokenSource#AUDIENCE_PLACEHOLDER}, replaced by the requested audience.
         */
        public Builder command(String... command) {
            return command(command == null ? null : Arrays.asList(command));
        }

        /** As {@link #command(String...)}, from a list. */
        public Builder command(List<String> command) {
            this.command = checkCommand("command", command);
            return this;
        }

        /**
         * The command to run when the request names no audience, for a command that has
         * {@value CommandTokenSource#AUDIENCE_PLACEHOLDER} in {@link #command(String...)}. By default, none:
         * such a request then fails.
         */
        public Builder commandWithoutAudience(String... command) {
            List<String> checked = checkCommand("commandWithoutAudience", command == null ? null : Arrays.asList(command));
            if (checked.stream().anyMatch(a -> a.contains(AUDIENCE_PLACEHOLDER))) {
                throw ConfigurationException.badOption("commandWithoutAudience", "it contains " + AUDIENCE_PLACEHOLDER,
                        "This command runs when no audience is requested; drop the audience argument from it.");
            }
            this.commandWithoutAudience = checked;
            return this;
        }

        private static List<String> checkCommand(String option, List<String> command) {
            if (command == null || command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
                throw ConfigurationException.badOption(option, "it is empty",
                        "Pass the program and its arguments, e.g. command(\"buildkite-agent\", \"oidc\", "
                                + "\"request-token\", \"--audience\", \"{audience}\").");
            }
            if (command.contains(null)) {
                throw ConfigurationException.badOption(option, "an argument is null", "Pass non-null arguments.");
            }
            return new ArrayList<>(command);
        }

        /** How long the program may run before it is killed. By default, 30 seconds. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw ConfigurationException.badOption("timeout", timeout == null ? "it is null" : "it is " + timeout,
                        "Pass a positive duration such as Duration.ofSeconds(30).");
            }
            this.timeout = timeout;
            return this;
        }

        /** Adds a variable to the program's environment (on top of this process's). Values are never shown. */
        public Builder environmentVariable(String name, String value) {
            if (name == null || name.isEmpty() || name.contains("=") || value == null) {
                throw ConfigurationException.badOption("environmentVariable", name == null || name.isEmpty()
                                ? "a variable name is empty" : "variable '" + name + "' is invalid or has no value",
                        "Pass a variable name without '=' and a non-null value.");
            }
            environment.put(name, value);
            return this;
        }

        /** Adds variables to the program's environment (on top of this process's). Values are never shown. */
        public Builder environmentVariables(Map<String, String> variables) {
            if (variables == null) {
                throw ConfigurationException.badOption("environmentVariables", "it is null", "Pass a map of variables.");
            }
            variables.forEach(this::environmentVariable);
            return this;
        }

        /** The directory the program runs in. By default, this process's. */
        public Builder workingDirectory(Path directory) {
            if (directory == null) {
                throw ConfigurationException.badOption("workingDirectory", "it is null",
                        "Pass a directory, or leave the option unset to use the current one.");
            }
            this.workingDirectory = directory;
            return this;
        }

        /** The most standard output accepted, in bytes. By default, 64 KiB. */
        public Builder maxOutputSize(int bytes) {
            if (bytes < 1 || bytes > FileTokenSource.MAX_SIZE_LIMIT) {
                throw ConfigurationException.badOption("maxOutputSize", "it is " + bytes,
                        "Pass a size in bytes between 1 and " + FileTokenSource.MAX_SIZE_LIMIT + ".");
            }
            this.maxOutputSize = bytes;
            return this;
        }

        /**
         * Reads the token from this top-level string field of a JSON object printed on standard output, rather
         * than taking the whole output. By default, none.
         */
        public Builder jsonField(String field) {
            if (field == null || field.isBlank()) {
                throw ConfigurationException.badOption("jsonField", "it is empty",
                        "Name the JSON field that holds the token, e.g. \"token\", or leave the option unset.");
            }
            this.jsonField = field;
            return this;
        }

        /** Where the token's audience is configured, shown when a fixed-audience command gets another request. */
        public Builder audienceHint(String whereAudienceIsSet) {
            this.audienceHint = ConfigurationException.requireText("audienceHint", whereAudienceIsSet,
                    "Say where the token's audience is configured, or leave the default.");
            return this;
        }

        /** The name in reports and errors. By default, {@code command:} and the program's file name. */
        public Builder name(String name) {
            this.name = ConfigurationException.requireText("name", name, "Pass a short name, or leave the default.");
            return this;
        }

        /** The source. */
        public CommandTokenSource build() {
            if (command == null) {
                throw ConfigurationException.badOption("command", "it is not set",
                        "Call command(...) with the program that prints the token and its arguments.");
            }
            if (commandWithoutAudience != null && command.stream().noneMatch(a -> a.contains(AUDIENCE_PLACEHOLDER))) {
                throw ConfigurationException.badOption("commandWithoutAudience", "the command has no "
                                + AUDIENCE_PLACEHOLDER + " argument, so this one would never run",
                        "Put " + AUDIENCE_PLACEHOLDER + " in command(...), or drop commandWithoutAudience(...).");
            }
            return new CommandTokenSource(this);
        }
    }
}
