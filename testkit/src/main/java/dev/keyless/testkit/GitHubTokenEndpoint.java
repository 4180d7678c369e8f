package dev.keyless.testkit;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.internal.http.Http;
import dev.keyless.testkit.internal.http.LoopbackServer;
import dev.keyless.testkit.internal.http.Request;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The GitHub Actions ID-token endpoint a job reaches through {@code ACTIONS_ID_TOKEN_REQUEST_URL}: answers
 * {@code GET /_apis/token?api-version=2.0[&audience=AUD]} carrying {@code Authorization: Bearer
 * <ACTIONS_ID_TOKEN_REQUEST_TOKEN>} with {@code {"count":1,"value":"<jwt>"}}, the JWT minted by a
 * {@link LocalIssuer} for the configured job.
 *
 * <p>A missing or wrong bearer is answered 401, a missing {@code api-version} 400, another path 404. Without an
 * {@code audience} parameter the token's {@code aud} is {@code https://github.com/<owner>}, as on GitHub.
 * Fault switches: {@link #failNext(int, int)}, {@link #pendingNext(int)}, {@link #delay(Duration)}.
 * {@link #environment()} gives the variables a job sees, for {@code Environment.of(map)}.
 *
 * <p>By default, the job is a push to {@code main} of {@code keyless-dev/demo}; change it with
 * {@link #job(UnaryOperator)}.
 */
public final class GitHubTokenEndpoint implements AutoCloseable {
    /** The path of the token endpoint. */
    public static final String TOKEN_PATH = "/_apis/token";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final LocalIssuer issuer;
    private final LoopbackServer server;
    private final String requestToken;
    private final AtomicReference<UnaryOperator<GitHubTokenBuilder>> job =
            new AtomicReference<>(UnaryOperator.identity());
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger issued = new AtomicInteger();
    private final Faults faults = new Faults();
    private final List<String> audiences = Collections.synchronizedList(new ArrayList<>());

    private GitHubTokenEndpoint(LocalIssuer issuer) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        this.requestToken = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        this.server = LoopbackServer.start("github", this::handle);
    }

    /** Starts an endpoint that mints with {@code issuer}. */
    public static GitHubTokenEndpoint start(LocalIssuer issuer) {
        return new GitHubTokenEndpoint(issuer);
    }

    /**
     * Sets the job the tokens describe, as a change to a fresh {@link GitHubTokenBuilder}:
     * {@code endpoint.job(j -> j.repository("acme/app").environment("prod"))}. The audience is always the
     * request's. Returns this endpoint.
     */
    public GitHubTokenEndpoint job(UnaryOperator<GitHubTokenBuilder> job) {
        this.job.set(Objects.requireNonNull(job, "job"));
        return this;
    }

    private GitHubTokenBuilder jobBuilder() {
        return job.get().apply(issuer.github());
    }

    private void handle(Request request) throws IOException, InterruptedException {
        requests.incrementAndGet();
        Duration d = faults.delay.get();
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
        if (!request.rawPath().equals(TOKEN_PATH)) {
            request.respond(404, "text/plain; charset=utf-8", "Not Found");
            return;
        }
        if (!request.method().equals("GET")) {
            request.respond(405, "text/plain; charset=utf-8", "Method Not Allowed");
            return;
        }
        String auth = request.header("Authorization").orElse(null);
        if (auth == null || !auth.equals("Bearer " + requestToken)) {
            // The Actions service answers an absent or unknown runtime token the same way.
            request.respond(401, "application/json",
                    "{\"message\":\"Unauthorized: the bearer token is missing or not valid for this job.\"}");
            return;
        }
        Map<String, List<String>> query = Http.parseForm(request.rawQuery());
        if (Http.first(query, "api-version") == null) {
            request.respond(400, "application/json",
                    "{\"message\":\"No api-version was supplied for the GET request.\"}");
            return;
        }
        Integer failStatus = faults.takeFailure();
        if (failStatus != null) {
            request.respond(failStatus, "application/json",
                    "{\"message\":\"Injected failure: HTTP " + failStatus + "\"}");
            return;
        }
        if (faults.takePending()) {
            request.respond(403, "application/json",
                    "{\"message\":\"The ID token request is pending: the job's token is not available yet.\"}");
            return;
        }
        String audience = Http.first(query, "audience");
        GitHubTokenBuilder builder = jobBuilder();
        if (audience != null && !audience.isEmpty()) {
            builder.audience(audience);
            audiences.add(audience);
        } else {
            audiences.add("");
        }
        String jwt = builder.mintValue();
        issued.incrementAndGet();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", jwt.length());
        body.put("value", jwt);
        request.respond(200, "application/json; charset=utf-8", Json.write(body));
    }

    /** {@code ACTIONS_ID_TOKEN_REQUEST_URL}: {@code http://127.0.0.1:PORT/_apis/token?api-version=2.0}. */
    public URI requestUrl() {
        return URI.create(server.baseUri() + TOKEN_PATH + "?api-version=2.0");
    }

    /** {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}: the bearer the endpoint accepts. A secret: do not log it. */
    public String requestToken() {
        return requestToken;
    }

    /**
     * The variables a GitHub Actions job with {@code permissions: id-token: write} sees, for the configured job:
     * GITHUB_ACTIONS, CI, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN, GITHUB_REPOSITORY,
     * GITHUB_REPOSITORY_OWNER, GITHUB_REPOSITORY_ID, GITHUB_REPOSITORY_OWNER_ID, GITHUB_RUN_ID, GITHUB_RUN_NUMBER,
     * GITHUB_RUN_ATTEMPT, GITHUB_SHA, GITHUB_REF, GITHUB_REF_NAME, GITHUB_REF_TYPE, GITHUB_WORKFLOW,
     * GITHUB_WORKFLOW_REF, GITHUB_EVENT_NAME, GITHUB_ACTOR, GITHUB_SERVER_URL, GITHUB_API_URL, RUNNER_OS,
     * RUNNER_ENVIRONMENT. A modifiable copy: remove the two ACTIONS_ variables to emulate a job without the
     * permission.
     */
    public Map<String, String> environment() {
        GitHubTokenBuilder j = jobBuilder();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CI", "true");
        env.put("GITHUB_ACTIONS", "true");
        env.put("ACTIONS_ID_TOKEN_REQUEST_URL", requestUrl().toString());
        env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", requestToken);
        env.put("GITHUB_REPOSITORY", j.repositoryName());
        env.put("GITHUB_REPOSITORY_OWNER", j.repositoryName().substring(0, j.repositoryName().indexOf('/')));
        env.put("GITHUB_REPOSITORY_ID", j.repoId());
        env.put("GITHUB_REPOSITORY_OWNER_ID", j.ownerId());
        env.put("GITHUB_RUN_ID", j.runIdValue());
        env.put("GITHUB_RUN_NUMBER", j.runNumberValue());
        env.put("GITHUB_RUN_ATTEMPT", j.runAttemptValue());
        env.put("GITHUB_SHA", j.shaValue());
        env.put("GITHUB_REF", j.ref());
        env.put("GITHUB_REF_NAME", j.ref().replaceFirst("^refs/(heads|tags)/", ""));
        env.put("GITHUB_REF_TYPE", j.refType());
        env.put("GITHUB_WORKFLOW", j.workflowValue());
        env.put("GITHUB_WORKFLOW_REF", j.workflowRef());
        env.put("GITHUB_EVENT_NAME", j.eventNameValue());
        env.put("GITHUB_ACTOR", j.actorValue());
        env.put("GITHUB_JOB", "build");
        env.put("GITHUB_SERVER_URL", "https://github.com");
        env.put("GITHUB_API_URL", "https://api.github.com");
        env.put("RUNNER_OS", "Linux");
        env.put("RUNNER_ENVIRONMENT", j.runnerEnvironmentValue());
        return env;
    }

    /** Answers the next {@code count} authorized requests with HTTP {@code status} (e.g. 500, 503). */
    public void failNext(int count, int status) {
        if (count < 0 || status < 400 || status > 599) {
            throw new IllegalArgumentException("failNext needs count >= 0 and a 4xx/5xx status");
        }
        faults.failures.set(count);
        faults.failStatus.set(status);
    }

    /** Answers the next {@code count} authorized requests 403 with a body saying the token is pending. */
    public void pendingNext(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("pendingNext needs count >= 0");
        }
        faults.pending.set(count);
    }

    /** Waits {@code delay} before answering each request. {@link Duration#ZERO} (the default) turns it off. */
    public void delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        faults.delay.set(delay);
    }

    /** Clears every fault switch. */
    public void resetFaults() {
        faults.failures.set(0);
        faults.pending.set(0);
        faults.delay.set(Duration.ZERO);
    }

    /** How many requests reached the endpoint, answered or not. */
    public int requests() {
        return requests.get();
    }

    /** How many tokens were issued. */
    public int tokensIssued() {
        return issued.get();
    }

    /** The audiences of issued tokens' requests, in order ("" where the request named none). */
    public List<String> requestedAudiences() {
        synchronized (audiences) {
            return List.copyOf(audiences);
        }
    }

    /** The issuer that signs the tokens. */
    public LocalIssuer issuer() {
        return issuer;
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "GitHubTokenEndpoint{" + requestUrl() + "}";
    }

    private static final class Faults {
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger failStatus = new AtomicInteger(503);
        final AtomicInteger pending = new AtomicInteger();
        final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);

        Integer takeFailure() {
            return failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0 ? failStatus.get() : null;
        }

        boolean takePending() {
            return pending.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        }
    }
}
