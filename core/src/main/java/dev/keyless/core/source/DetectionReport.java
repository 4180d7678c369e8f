package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.TokenSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What ambient detection looked at, in order, and what it found for each candidate: not here, found, or here
 * but broken.
 *
 * <p>Made by {@link TokenSources#report(dev.keyless.core.Environment)}, which, unlike
 * {@link TokenSources#detect(dev.keyless.core.Environment)}, looks at every candidate even after the decisive
 * one, so that a {@code doctor} can show the whole picture. {@link #selected()} is the candidate detection
 * decides on (the first one found or broken) and {@link #source()} gives what {@code detect} would return or
 * throws what it would throw. Immutable; {@link #render()} is readable text without secrets.
 */
public final class DetectionReport {

    /** The outcome of looking at one candidate. */
    public enum Outcome {
        /** The candidate's environment is absent: detection moves on. */
        NOT_HERE,
        /** The candidate is here and a source was built for it. */
        FOUND,
        /** The candidate is here but cannot work: detection stops and reports the diagnosis. */
        BROKEN
    }

    /** One candidate looked at, with its outcome. */
    public static final class Candidate {
        private final String name;
        private final Outcome outcome;
        private final String reason;
        private final TokenSource source;
        private final ConfigurationException failure;

        private Candidate(String name, Outcome outcome, String reason, TokenSource source,
                ConfigurationException failure) {
            this.name = Objects.requireNonNull(name, "name");
            this.outcome = Objects.requireNonNull(outcome, "outcome");
            this.reason = Objects.requireNonNull(reason, "reason");
            this.source = source;
            this.failure = failure;
        }

        static Candidate notHere(String name, String reason) {
            return new Candidate(name, Outcome.NOT_HERE, reason, null, null);
        }

        static Candidate found(String name, String reason, TokenSource source) {
            return new Candidate(name, Outcome.FOUND, reason, Objects.requireNonNull(source, "source"), null);
        }

        static Candidate broken(String name, ConfigurationException failure) {
            return new Candidate(name, Outcome.BROKEN, failure.diagnosis().problem(), null, failure);
        }

        /** The candidate's name, such as {@code github-actions}, {@code gitlab} or {@code aws-web-identity-token-file}. */
        public String name() {
            return name;
        }

        /** Not here, found, or broken. */
        public Outcome outcome() {
            return outcome;
        }

        /**
         * Why: for NOT_HERE what is missing (e.g. "GITHUB_ACTIONS is not true"), for FOUND what showed it is here,
         * for BROKEN the diagnosis' problem.
         */
        public String reason() {
            return reason;
        }

        /** The source built, when FOUND. */
        public Optional<TokenSource> source() {
            return Optional.ofNullable(source);
        }

        /** What is wrong and how to fix it, when BROKEN. */
        public Optional<Diagnosis> diagnosis() {
            return failure == null ? Optional.empty() : Optional.of(failure.diagnosis());
        }

        /** The exception detection throws for this candidate, when BROKEN. */
        public Optional<ConfigurationException> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public String toString() {
            return name + ": " + outcome + " (" + reason + ")";
        }
    }

    private final List<Candidate> candidates;

    DetectionReport(List<Candidate> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** Every candidate looked at, in detection order. */
    public List<Candidate> candidates() {
        return candidates;
    }

    /** The candidate detection decides on: the first one FOUND or BROKEN; empty when nothing is here. */
    public Optional<Candidate> selected() {
        return candidates.stream().filter(c -> c.outcome() != Outcome.NOT_HERE).findFirst();
    }

    /**
     * The source detection picks.
     *
     * @throws ConfigurationException the selected candidate's failure when it is BROKEN, or code
     *                                {@code detect.nothing-found} when nothing is here
     */
    public TokenSource source() {
        Optional<Candidate> selected = selected();
        if (selected.isEmpty()) {
            throw TokenSources.nothingFound(candidates);
        }
        Candidate c = selected.get();
        if (c.outcome() == Outcome.BROKEN) {
            throw c.failure;
        }
        return c.source;
    }

    /** The report as text: one line per candidate, the selected one marked, and the diagnosis of a broken one. */
    public String render() {
        StringBuilder sb = new StringBuilder("Token source detection:");
        Candidate selected = selected().orElse(null);
        for (Candidate c : candidates) {
            sb.append("\n  ").append(c == selected ? "=> " : "   ")
                    .append(c.name()).append(": ").append(c.outcome()).append(" - ").append(c.reason());
            if (c.source != null) {
                sb.append(" [").append(c.source.name()).append("]");
            }
            if (c.failure != null) {
                // The problem is already the reason on the line above: show the rest of the diagnosis.
                String rendered = c.failure.diagnosis().render();
                int firstBreak = rendered.indexOf('\n');
                if (firstBreak >= 0) {
                    sb.append(rendered.substring(firstBreak).replace("\n", "\n    "));
                }
            }
        }
        if (selected == null) {
            sb.append("\n  Nothing found: set KEYLESS_TOKEN_FILE or KEYLESS_TOKEN_SOURCE, or configure a source in code.");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
