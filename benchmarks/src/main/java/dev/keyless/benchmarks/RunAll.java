package dev.keyless.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark and the fleet simulation, and writes one Markdown report.
 *
 * <pre>
 * java -jar keyless-benchmarks.jar [--out results.md] [--update-doc docs/PERFORMANCE.md] [--quick] [--only hot,stampede,slow,refresh,fleet]
 * </pre>
 *
 * <p>{@code --update-doc} replaces what lies between the {@code <!-- BEGIN RESULTS -->} and
 * {@code <!-- END RESULTS -->} markers of that file. {@code --quick} runs fewer iterations (a smoke test; the
 * numbers are not for publication). JMH's own log goes to {@code jmh.log} beside the report.
 */
public final class RunAll {
    private static final String BEGIN = "<!-- BEGIN RESULTS -->";
    private static final String END = "<!-- END RESULTS -->";

    private final boolean quick;
    private final Path workDir;
    private final Path scenarioFile;
    private final Path jmhLog;

    private RunAll(boolean quick, Path workDir) {
        this.quick = quick;
        this.workDir = workDir;
        this.scenarioFile = workDir.resolve("scenarios.tsv");
        this.jmhLog = workDir.resolve("jmh.log");
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("keyless-benchmarks.md");
        Path doc = null;
        boolean quick = false;
        List<String> only = List.of("hot", "stampede", "slow", "refresh", "azure", "fleet");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--update-doc" -> doc = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--only" -> only = List.of(args[++i].split(","));
                default -> {
                    System.err.println("Unknown argument " + args[i] + "; see the Javadoc of " + RunAll.class.getName());
                    System.exit(2);
                }
            }
        }
        Path workDir = out.toAbsolutePath().getParent();
        Files.createDirectories(workDir);
        long started = System.nanoTime();
        RunAll run = new RunAll(quick, workDir);
        Files.deleteIfExists(run.scenarioFile);
        Files.deleteIfExists(run.jmhLog);
        String machine = machine();
        StringBuilder md = new StringBuilder();
        if (only.contains("hot")) {
            md.append(run.hotPath());
        }
        if (only.contains("stampede")) {
            md.append(run.scenario("stampede", ColdStartStampedeBenchmark.class, quick ? 1 : 2, quick ? 2 : 5));
        }
        if (only.contains("slow")) {
            md.append(run.scenario("slow-sts", SlowStsBenchmark.class, 0, quick ? 1 : 2));
        }
        if (only.contains("refresh")) {
            md.append(run.scenario("refresh-window", RefreshWindowBenchmark.class, 0, quick ? 1 : 3));
        }
        if (only.contains("azure")) {
            // azure-identity's cold start can take minutes against the emulator: one run of it, bounded by the deadline.
            Map<String, int[]> azure = new LinkedHashMap<>();
            azure.put("KEYLESS_FEDERATED_TOKEN_CREDENTIAL", new int[] {quick ? 1 : 2, quick ? 2 : 5});
            azure.put("AZURE_IDENTITY_CLIENT_ASSERTION_CREDENTIAL", new int[] {0, 1});
            md.append(run.scenario("azure-stampede", AzureStampedeBenchmark.class, 0, 0, azure));
        }
        if (only.contains("fleet")) {
            md.append(fleet());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String report = "### Run of " + DateTimeFormatter.ISO_LOCAL_DATE.format(ZonedDateTime.now(ZoneOffset.UTC))
                + (quick ? " (--quick: fewer iterations, not for publication)" : "") + "\n\n"
                + machine + "- Wall time of the run (after the build): " + took.toMinutes() + " min "
                + took.toSecondsPart() + " s\n\n" + md;
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println("Report written to " + out.toAbsolutePath());
        if (doc != null) {
            updateDoc(doc, report);
            System.out.println("Updated " + doc.toAbsolutePath());
        }
    }

    // ---- JMH ----

    private ChainedOptionsBuilder jmh(Class<?> benchmark) {
        return new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
                .forks(1)
                .jvmArgsAppend("-Xms512m", "-Xmx512m", "-D" + ScenarioLog.PROPERTY + "=" + scenarioFile.toAbsolutePath())
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL);
    }

    private Collection<RunResult> runJmh(ChainedOptionsBuilder options, String what) throws RunnerException {
        long t0 = System.nanoTime();
        System.out.println("Running " + what + " ... (JMH log: " + jmhLog + ")");
        // JMH's output option truncates the file; keep each run's log apart and append them.
        Path part = workDir.resolve("jmh-part.log");
        Collection<RunResult> results = new Runner(options.output(part.toAbsolutePath().toString()).build()).run();
        try {
            Files.writeString(jmhLog, Files.readString(part), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Files.deleteIfExists(part);
        } catch (IOException e) {
            System.err.println("Could not keep the JMH log: " + e);
        }
        System.out.printf(Locale.ROOT, "  done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        return results;
    }

    private String hotPath() throws RunnerException {
        Map<String, RunResult> byKey = new LinkedHashMap<>();
        for (int threads : new int[] {1, 2}) {
            ChainedOptionsBuilder o = jmh(HotPathBenchmark.class).threads(threads).addProfiler(GCProfiler.class);
            if (quick) {
                o.warmupIterations(1).warmupTime(TimeValue.milliseconds(500))
                        .measurementIterations(2).measurementTime(TimeValue.milliseconds(500));
            }
            for (RunResult r : runJmh(o, "hot path, " + threads + " thread(s)")) {
                byKey.put(r.getParams().getParam("impl") + "/" + threads, r);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("#### Hot path: `resolveCredentials()` on a warm provider (JMH, average time)\n\n");
        md.append("| Provider | Threads | ns/op (± 99.9% CI) | Allocated B/op (`-prof gc`) | Keyless ÷ this |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (int threads : new int[] {1, 2}) {
            RunResult keyless = byKey.get("KEYLESS/" + threads);
            for (Map.Entry<String, RunResult> e : byKey.entrySet()) {
                if (!e.getKey().endsWith("/" + threads)) {
                    continue;
                }
                AwsImpl impl = AwsImpl.valueOf(e.getKey().substring(0, e.getKey().indexOf('/')));
                Result<?> score = e.getValue().getPrimaryResult();
                String ratio = impl == AwsImpl.KEYLESS || keyless == null ? "—"
                        : String.format(Locale.ROOT, "%.2f", keyless.getPrimaryResult().getScore() / score.getScore());
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f ± %.1f | %s | %s |%n", impl.label(), threads,
                        score.getScore(), error(score), allocation(e.getValue()), ratio));
            }
        }
        md.append("\nTargets: Keyless ÷ SDK ≤ 1.0 (a ratio below 1 means Keyless is faster); zero bytes allocated per call.\n\n");
        return md.toString();
    }

    private static String label(String impl) {
        return switch (impl) {
            case "KEYLESS_FEDERATED_TOKEN_CREDENTIAL" -> "Keyless FederatedTokenCredential";
            case "AZURE_IDENTITY_CLIENT_ASSERTION_CREDENTIAL" -> "azure-identity ClientAssertionCredential";
            default -> AwsImpl.valueOf(impl).label();
        };
    }

    private static double error(Result<?> r) {
        double e = r.getScoreError();
        return Double.isNaN(e) ? 0 : e;
    }

    private static String allocation(RunResult r) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return String.format(Locale.ROOT, "%.1f", e.getValue().getScore());
            }
        }
        return "n/a";
    }

    private String scenario(String name, Class<?> benchmark, int warmups, int measurements) throws RunnerException {
        return scenario(name, benchmark, warmups, measurements, Map.of());
    }

    /**
     * Runs a scenario benchmark; {@code iterationsByImpl} gives some implementations their own
     * {warmups, measurements} (run separately), for one whose every run takes long.
     */
    private String scenario(String name, Class<?> benchmark, int warmups, int measurements,
            Map<String, int[]> iterationsByImpl) throws RunnerException {
        List<RunResult> results = new ArrayList<>();
        if (iterationsByImpl.isEmpty()) {
            results.addAll(runJmh(jmh(benchmark).warmupIterations(warmups).measurementIterations(measurements), name));
        } else {
            for (Map.Entry<String, int[]> e : iterationsByImpl.entrySet()) {
                results.addAll(runJmh(jmh(benchmark).param("impl", e.getKey()).warmupIterations(e.getValue()[0])
                        .measurementIterations(e.getValue()[1]), name + " (" + e.getKey() + ")"));
            }
        }
        List<ScenarioLog.Entry> entries = ScenarioLog.read(scenarioFile).stream()
                .filter(e -> e.scenario().equals(name) && !e.warmup()).toList();
        Map<String, Double> jmhScores = new LinkedHashMap<>();
        for (RunResult r : results) {
            jmhScores.put(r.getParams().getParam("impl"), r.getPrimaryResult().getScore());
        }
        StringBuilder md = new StringBuilder();
        switch (name) {
            case "stampede" -> md.append("#### Cold-start stampede: ").append(ColdStartStampedeBenchmark.CALLERS)
                    .append(" threads call a fresh provider at once, STS answers in ")
                    .append(ColdStartStampedeBenchmark.STS_DELAY.toMillis()).append(" ms\n\n");
            case "azure-stampede" -> md.append("#### Azure cold-start stampede: ").append(AzureStampedeBenchmark.CALLERS)
                    .append(" threads ask a fresh credential for a token at once, Entra ID answers in ")
                    .append(AzureStampedeBenchmark.ENTRA_DELAY.toMillis()).append(" ms\n\n");
            case "slow-sts" -> md.append("#### Slow STS: ").append(SlowStsBenchmark.CALLERS)
                    .append(" threads call a fresh provider, STS answers in ")
                    .append(SlowStsBenchmark.STS_DELAY.toSeconds()).append(" s (the SDK waits 5 s for its refresh lock)\n\n");
            default -> md.append("#### Refresh window: ").append(RefreshWindowBenchmark.CALLERS)
                    .append(" threads call a warm provider for ").append(RefreshWindowBenchmark.RUN_MILLIS)
                    .append(" ms across its refresh point, STS answers in ")
                    .append(RefreshWindowBenchmark.STS_DELAY.toMillis()).append(" ms\n\n");
        }
        md.append("| Provider | Runs | Token service calls per run (min–max) | Slowest caller's wait, ms (median / max over runs) | Failed calls | Callers not done after " + Callers.DEADLINE_MILLIS / 1000 + " s | JMH score, ms/run |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<ScenarioLog.Entry>> byImpl = new LinkedHashMap<>();
        for (ScenarioLog.Entry e : entries) {
            byImpl.computeIfAbsent(e.impl(), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<ScenarioLog.Entry>> g : byImpl.entrySet()) {
            List<ScenarioLog.Entry> list = g.getValue();
            int minCalls = list.stream().mapToInt(ScenarioLog.Entry::stsCalls).min().orElse(0);
            int maxCalls = list.stream().mapToInt(ScenarioLog.Entry::stsCalls).max().orElse(0);
            double[] waits = list.stream().mapToDouble(ScenarioLog.Entry::slowestMillis).sorted().toArray();
            int failures = list.stream().mapToInt(ScenarioLog.Entry::failures).sum();
            int unfinished = list.stream().mapToInt(ScenarioLog.Entry::unfinished).sum();
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f / %.1f | %d | %d | %.1f |%n",
                    label(g.getKey()), list.size(),
                    minCalls == maxCalls ? Integer.toString(minCalls) : minCalls + "–" + maxCalls,
                    waits[waits.length / 2], waits[waits.length - 1], failures, unfinished,
                    jmhScores.getOrDefault(g.getKey(), Double.NaN)));
        }
        md.append('\n');
        switch (name) {
            case "stampede" -> md.append("Target: 1 STS call per cold start; the slowest wait is about one STS round trip.\n\n");
            case "azure-stampede" -> md.append("The call count is token requests that reached Entra ID. Target: 1 per cold "
                    + "start.\n\n");
            case "slow-sts" -> md.append("Target: 1 STS call for Keyless (no lock timeout after which a second caller "
                    + "starts another); the SDK's count is reported.\n\n");
            default -> md.append("STS calls count the refresh only (the first load happens before the callers start). "
                    + "Target: no caller waits for STS, i.e. the slowest call stays far below the "
                    + RefreshWindowBenchmark.STS_DELAY.toMillis() + " ms STS takes. The cloud runs "
                    + (900 - RefreshWindowBenchmark.LIFETIME_SECONDS) + " s behind real time so that 900-second "
                    + "credentials expire " + RefreshWindowBenchmark.LIFETIME_SECONDS + " s after issue; both libraries "
                    + "get the same refresh points (" + RefreshWindowBenchmark.PREFETCH_MILLIS + " ms and "
                    + RefreshWindowBenchmark.STALE_MILLIS + " ms before expiry).\n\n");
        }
        return md.toString();
    }

    // ---- fleet ----

    private static String fleet() {
        System.out.println("Running the fleet simulation ...");
        long t0 = System.nanoTime();
        int processes = 10_000;
        Duration spread = Duration.ofSeconds(60);
        Duration lifetime = Duration.ofHours(1);
        Duration horizon = Duration.ofHours(6);
        FleetSimulation.Result keyless = FleetSimulation.keyless(1.0, processes, spread, lifetime, horizon, 42);
        List<FleetSimulation.Result> results = List.of(
                keyless,
                FleetSimulation.keyless(0.0, processes, spread, lifetime, horizon, 42),
                FleetSimulation.sdkModel(processes, spread, lifetime, horizon, 42),
                keyless.flatReference(7));
        System.out.printf(Locale.ROOT, "  done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        StringBuilder md = new StringBuilder();
        md.append("#### Fleet simulation: ").append(String.format(Locale.ROOT, "%,d", processes))
                .append(" processes start within ").append(spread.toSeconds()).append(" s with one-hour credentials, ")
                .append(horizon.toHours()).append(" simulated hours\n\n");
        md.append("| Refresh policy | STS calls (window) | Mean calls/s | Peak calls/s | Peak ÷ mean (1 s) | Peak per 10 s ÷ mean | "
                + "Peak calls/min | Peak ÷ mean (1 min) | Start burst, peak calls/s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (FleetSimulation.Result r : results) {
            double mean = r.meanPerSecond();
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %d | %.1f | %.1f | %d | %.2f | %s |%n", r.policy(),
                    r.callsInWindow(), mean, r.peak(1), r.peak(1) / mean, r.peak(10) / (mean * 10), r.peak(60),
                    r.peak(60) / (mean * 60),
                    r.policy().startsWith("Reference") ? "—" : Integer.toString(r.startBurstPeakPerSecond())));
        }
        md.append("\nMeasured window: from second ").append(results.get(0).measuredFromSecond())
                .append(" (when the last process has started) to the end of hour ").append(horizon.toHours())
                .append(". The start burst (every process's first STS call, within the first ").append(spread.toSeconds())
                .append(" s) is outside the window and shown in its own column: it is caused by the processes starting, "
                        + "is the same under every refresh policy, and no refresh jitter can move it. Target: peak ≤ 2 × mean. "
                        + "Independent processes arrive like a Poisson process, so a 1-second peak is mostly "
                        + "counting noise: the reference row (the same number of calls, spread perfectly evenly at random) "
                        + "shows what that noise alone gives. The 1-minute peak shows the shape of the load.\n\n");
        return md.toString();
    }

    // ---- report ----

    private static String machine() {
        long memBytes = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memBytes = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "- Machine: %d CPUs (`nproc`), %s RAM, %s %s (%s), %s %s%n"
                        + "- Load average when the run started: %.2f (the machine is shared with other builds, so "
                        + "absolute times are noisy; the comparisons run back to back in the same conditions)%n",
                Runtime.getRuntime().availableProcessors(),
                memBytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", memBytes / (1024.0 * 1024 * 1024)),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vendor"), System.getProperty("os.name"), System.getProperty("os.arch"), load);
    }

    private static void updateDoc(Path doc, String report) throws IOException {
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalStateException(doc + " has no " + BEGIN + " ... " + END + " section to replace");
        }
        Files.writeString(doc, text.substring(0, b + BEGIN.length()) + "\n\n" + report + text.substring(e),
                StandardCharsets.UTF_8);
    }
}
