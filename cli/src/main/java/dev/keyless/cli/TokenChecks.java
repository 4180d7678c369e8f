package dev.keyless.cli;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.DetectionReport;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.core.source.TokenSources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first two steps of every {@code doctor}: which token source this environment has (or why it has none) and
 * the token it yields for the audience, shown by its claims (never its value), with expiry and audience checked.
 */
final class TokenChecks {
    /** Claims shown besides iss, sub, aud and exp, when present: what trust conditions usually test. */
    private static final List<String> INTERESTING_CLAIMS = List.of("repository", "repository_id", "repository_owner_id",
            "ref", "environment", "event_name", "job_workflow_ref", "project_path", "namespace_path", "ref_type",
            "kubernetes.io", "email", "azp");

    /** Tokens with less than this left are flagged: an exchange at the end of the lifetime may race expiry. */
    private static final Duration SHORT_LIFETIME = Duration.ofSeconds(60);

    private TokenChecks() {
    }

    /** The outcome of the two steps: the source and token, each empty when its step failed. */
    record Result(Optional<TokenSource> source, Optional<IdentityToken> token) {
    }

    static Result run(DoctorReport report, Environment environment, Clock clock, Path tokenFile, String audience) {
        Optional<TokenSource> source = source(report, environment, tokenFile);
        Check step = report.add(new Check("token", "identity token"));
        if (source.isEmpty()) {
            step.skip("no token source");
            return new Result(source, Optional.empty());
        }
        return new Result(source, token(step, source.get(), audience, clock));
    }

    private static Optional<TokenSource> source(DoctorReport report, Environment environment, Path tokenFile) {
        Check step = report.add(new Check("source", "token source"));
        if (tokenFile != null) {
            FileTokenSource file = FileTokenSource.of(tokenFile);
            step.ok(file.name() + " (--token-file)");
            return Optional.of(file);
        }
        DetectionReport detection = TokenSources.report(environment);
        Optional<DetectionReport.Candidate> selected = detection.selected();
        if (selected.isEmpty()) {
            try {
                detection.source();
                throw new IllegalStateException("detection found nothing but returned a source");
            } catch (KeylessException e) {
                step.fail(e);
                step.fact("looked at", String.join(", ", detection.candidates().stream().map(DetectionReport.Candidate::name).toList()));
                return Optional.empty();
            }
        }
        DetectionReport.Candidate c = selected.get();
        for (DetectionReport.Candidate other : detection.candidates()) {
            if (other != c && other.outcome() != DetectionReport.Outcome.NOT_HERE) {
                step.note("also here, not used (" + c.name() + " comes first): " + other.name() + ": "
                        + other.outcome() + " - " + other.reason());
            }
        }
        if (c.outcome() == DetectionReport.Outcome.BROKEN) {
            Diagnosis d = c.diagnosis().orElseThrow();
            step.fail(d.problem(), d);
            step.fact("candidate", c.name());
            return Optional.empty();
        }
        TokenSource s = c.source().orElseThrow();
        step.ok(s.name() + " (" + c.reason() + ")");
        return Optional.of(s);
    }

    private static Optional<IdentityToken> token(Check step, TokenSource source, String audience, Clock clock) {
        IdentityToken token;
        try {
            token = source.token(audience == null ? TokenRequest.sourceDefault() : TokenRequest.forAudience(audience));
        } catch (KeylessException e) {
            step.fail(e);
            step.fact("requested aud", audience == null ? "(the source's default)" : audience);
            return Optional.empty();
        }
        describe(step, token, clock);
        Optional<Instant> exp = token.expiresAt();
        if (token.isExpired(clock)) {
            Duration ago = Duration.between(exp.orElseThrow(), clock.instant());
            step.fail("The identity token expired " + human(ago) + " ago.", expired(token, source, ago, clock));
        } else if (token.notBefore().map(nbf -> nbf.isAfter(clock.instant())).orElse(false)) {
            step.fail("The identity token is not valid yet.", Diagnosis.builder("The identity token is not valid yet: its nbf is "
                            + "in the future of this machine's clock.")
                    .code("doctor.token-not-yet-valid")
                    .likelyCause("This machine's clock is behind the token issuer's.")
                    .evidence("token nbf", token.notBefore().orElseThrow())
                    .evidence("local time", clock.instant())
                    .fix("Synchronise this machine's clock (NTP); AWS, Google and Entra also reject tokens from the future.")
                    .build());
        } else if (audience != null && !token.audience().contains(audience)) {
            step.fail("The token does not carry the audience '" + audience + "'.",
                    Diagnosis.builder("The token's aud " + token.audience() + " does not contain the requested audience '"
                                    + audience + "'.")
                            .code("doctor.token-audience-mismatch")
                            .likelyCause("The source returned a token minted for another audience.")
                            .evidence("token aud", token.audience())
                            .evidence("requested aud", audience)
                            .evidence("source", source.name())
                            .fix("Configure the source to mint tokens for '" + audience + "' (GitLab: the `aud:` of the job's "
                                    + "id_tokens; Kubernetes: the projected volume's `audience`).")
                            .build());
        } else if (token.remaining(clock).map(r -> r.compareTo(SHORT_LIFETIME) < 0).orElse(false)) {
            step.warn("for " + token.audience() + ", but it expires in less than a minute");
        } else {
            step.ok("from " + token.issuer() + (audience == null ? "" : " for audience " + audience));
        }
        return Optional.of(token);
    }

    private static Diagnosis expired(IdentityToken token, TokenSource source, Duration ago, Clock clock) {
        boolean file = !source.supportsRequestedAudience();
        return Diagnosis.builder("The identity token expired " + human(ago) + " ago: every cloud rejects it.")
                .code("doctor.token-expired")
                .likelyCause(file
                        ? "The token was saved and is being reused after its short lifetime (GitHub's live 5 minutes, "
                        + "Kubernetes projected tokens 1 hour), or whatever should rotate the file has stopped."
                        : "This machine's clock is ahead of the token issuer's.")
                .evidence("token exp", token.expiresAt().orElseThrow())
                .evidence("local time", clock.instant())
                .evidence("source", source.name())
                .fix(file ? "Do not save tokens for later: fetch a fresh one for every exchange (Keyless does, from the "
                        + "job's token endpoint or a file the platform rotates). For a projected file, check the kubelet "
                        + "rotates it (it does at 80% of the lifetime)."
                        : "Synchronise this machine's clock (NTP).")
                .build();
    }

    /** Adds the claims worth seeing to the step: iss, sub, aud, exp and those trust conditions usually test. */
    static void describe(Check step, IdentityToken token, Clock clock) {
        step.fact("iss", token.issuer());
        step.fact("sub", token.subject());
        step.fact("aud", String.join(", ", token.audience()));
        token.expiresAt().ifPresent(exp -> {
            Duration left = Duration.between(clock.instant(), exp);
            step.fact("exp", exp + (left.isNegative() ? " (expired " + human(left.negated()) + " ago)" : " (in " + human(left) + ")"));
        });
        List<String> others = new ArrayList<>();
        for (Map.Entry<String, Object> claim : token.claims().entrySet()) {
            String name = claim.getKey();
            if (INTERESTING_CLAIMS.contains(name)) {
                step.fact(name, claim.getValue());
            } else if (!List.of("iss", "sub", "aud", "exp").contains(name)) {
                others.add(name);
            }
        }
        step.fact("fingerprint", token.fingerprint() + " (SHA-256 prefix; the token itself is never shown)");
        if (!others.isEmpty()) {
            step.note("other claims: " + String.join(", ", others) + " (`keyless token` shows their values)");
        }
    }

    static String human(Duration d) {
        long s = Math.abs(d.toSeconds());
        if (s == 0) {
            return Math.abs(d.toMillis()) + " ms";
        }
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        return (s / 3600) + " h";
    }
}
