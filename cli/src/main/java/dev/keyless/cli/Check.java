package dev.keyless.cli;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a {@code doctor} run: its verdict, a one-line summary, the facts it found (claims, ARNs; never a
 * secret), notes, and for a failure the diagnosis with its fix.
 */
final class Check {
    /** A step's verdict. */
    enum Status {
        /** The step passed. */
        OK,
        /** The step passed, but something deserves attention (a lint warning, a policy broader than needed). */
        WARN,
        /** The step failed: the diagnosis says why and how to fix it. */
        FAIL,
        /** The step did not run (an earlier step failed, or an input such as --role-arn is missing). */
        SKIP
    }

    final String id;
    final String title;
    Status status = Status.SKIP;
    String summary = "";
    final Map<String, Object> facts = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    Diagnosis diagnosis;

    Check(String id, String title) {
        this.id = id;
        this.title = title;
    }

    Check ok(String summary) {
        this.status = Status.OK;
        this.summary = summary;
        return this;
    }

    Check warn(String summary) {
        this.status = Status.WARN;
        this.summary = summary;
        return this;
    }

    Check skip(String summary) {
        this.status = Status.SKIP;
        this.summary = summary;
        return this;
    }

    Check fail(String summary, Diagnosis diagnosis) {
        this.status = Status.FAIL;
        this.summary = summary;
        this.diagnosis = diagnosis;
        return this;
    }

    Check fail(KeylessException e) {
        return fail(e.diagnosis().problem(), e.diagnosis());
    }

    Check fact(String name, Object value) {
        facts.put(name, value);
        return this;
    }

    Check note(String note) {
        notes.add(note);
        return this;
    }

    boolean failed() {
        return status == Status.FAIL;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("status", status.name());
        m.put("summary", summary);
        if (!facts.isEmpty()) {
            m.put("facts", facts);
        }
        if (!notes.isEmpty()) {
            m.put("notes", notes);
        }
        if (diagnosis != null) {
            m.put("diagnosis", diagnosisJson(diagnosis));
        }
        return m;
    }

    static Map<String, Object> diagnosisJson(Diagnosis d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", d.code());
        m.put("problem", d.problem());
        if (d.likelyCause() != null) {
            m.put("likelyCause", d.likelyCause());
        }
        if (!d.evidence().isEmpty()) {
            m.put("evidence", d.evidence());
        }
        if (d.fix() != null) {
            m.put("fix", d.fix());
        }
        return m;
    }
}
