package dev.keyless.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of one {@code doctor} run, printed as text for people or JSON for machines, and the exit code they
 * mean: {@link Main#EXIT_DIAGNOSED} when a check failed, else 0 (warnings and skipped checks do not fail).
 */
final class DoctorReport {
    private final String command;
    private final List<Check> checks = new ArrayList<>();

    DoctorReport(String command) {
        this.command = command;
    }

    Check add(Check check) {
        checks.add(check);
        return check;
    }

    List<Check> checks() {
        return checks;
    }

    boolean failed() {
        return checks.stream().anyMatch(Check::failed);
    }

    int exitCode() {
        return failed() ? Main.EXIT_DIAGNOSED : 0;
    }

    void print(PrintWriter out, boolean json) {
        if (json) {
            out.println(JsonOut.write(toJson()));
        } else {
            printText(out);
        }
        out.flush();
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("result", failed() ? "FAIL" : "OK");
        m.put("exitCode", exitCode());
        List<Object> list = new ArrayList<>();
        checks.forEach(c -> list.add(c.toJson()));
        m.put("checks", list);
        return m;
    }

    private void printText(PrintWriter out) {
        out.println(command);
        for (Check c : checks) {
            out.printf("  %-4s  %-18s %s%n", c.status, c.title, c.summary
                    + (c.diagnosis != null && c.diagnosis.code() != null ? "  [" + c.diagnosis.code() + "]" : ""));
            for (Map.Entry<String, Object> f : c.facts.entrySet()) {
                out.printf("          %-16s %s%n", f.getKey() + ":", f.getValue());
            }
            for (String n : c.notes) {
                out.println("          " + n.replace("\n", "\n            "));
            }
            if (c.diagnosis != null) {
                String rendered = c.diagnosis.render();
                // The problem is the summary line already, unless the summary says it differently.
                if (c.summary.equals(c.diagnosis.problem())) {
                    int nl = rendered.indexOf('\n');
                    rendered = nl < 0 ? "" : rendered.substring(nl + 1).replaceFirst("^  ", "");
                }
                for (String line : rendered.split("\n")) {
                    if (!line.isBlank()) {
                        out.println("          " + line);
                    }
                }
            }
        }
        long failed = checks.stream().filter(Check::failed).count();
        long warned = checks.stream().filter(c -> c.status == Check.Status.WARN).count();
        if (failed > 0) {
            Check first = checks.stream().filter(Check::failed).findFirst().orElseThrow();
            out.println("Result: FAIL (" + failed + " of " + checks.size() + " checks failed). Start with \""
                    + first.title + "\": its Fix line says what to change.");
        } else {
            out.println("Result: OK" + (warned > 0 ? " with " + warned + " warning(s)" : "")
                    + (checks.stream().anyMatch(c -> c.status == Check.Status.SKIP) ? "; skipped checks did not run." : "."));
        }
    }
}
