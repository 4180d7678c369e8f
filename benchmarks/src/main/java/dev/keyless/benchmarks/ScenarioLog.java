package dev.keyless.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the scenario benchmarks record what JMH's score cannot say (STS calls, the slowest caller's wait):
 * one tab-separated line per measured invocation, appended to the file named by the system property
 * {@value #PROPERTY}, which {@link RunAll} passes to the forked JVMs. Without the property nothing is written,
 * so the benchmarks also run standalone under {@code org.openjdk.jmh.Main}.
 */
final class ScenarioLog {
    static final String PROPERTY = "keyless.bench.results";

    private ScenarioLog() {
    }

    /** One measured invocation of a scenario. */
    record Entry(String scenario, String impl, boolean warmup, int stsCalls, double slowestMillis, int callers,
            int failures, int unfinished) {
        String line() {
            return String.join("\t", scenario, impl, warmup ? "warmup" : "measure", Integer.toString(stsCalls),
                    String.format(Locale.ROOT, "%.3f", slowestMillis), Integer.toString(callers),
                    Integer.toString(failures), Integer.toString(unfinished));
        }

        static Entry parse(String line) {
            String[] f = line.split("\t");
            return new Entry(f[0], f[1], f[2].equals("warmup"), Integer.parseInt(f[3]), Double.parseDouble(f[4]),
                    Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]));
        }
    }

    static synchronized void record(Entry entry) {
        String file = System.getProperty(PROPERTY);
        if (file == null) {
            return;
        }
        try {
            Files.writeString(Path.of(file), entry.line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Entry> read(Path file) {
        List<Entry> out = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        out.add(Entry.parse(line));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
