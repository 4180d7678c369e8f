package dev.keyless.testkit.internal.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One HTTP exchange: the request as read, and ways to answer it. */
public final class Request {
    private final HttpExchange exchange;
    private byte[] body;
    private boolean responded;

    Request(HttpExchange exchange) {
        this.exchange = exchange;
    }

    public String method() {
        return exchange.getRequestMethod();
    }

    /** The raw (still percent-encoded) path. */
    public String rawPath() {
        String p = exchange.getRequestURI().getRawPath();
        return p == null || p.isEmpty() ? "/" : p;
    }

    /** The raw query string, or empty. */
    public String rawQuery() {
        String q = exchange.getRequestURI().getRawQuery();
        return q == null ? "" : q;
    }

    /** The first value of a header, if any (names are case-insensitive). */
    public Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /** All headers, by name (case-insensitive look-ups on the returned map are not guaranteed). */
    public Map<String, List<String>> headers() {
        return exchange.getRequestHeaders();
    }

    /** The request body, read once and kept. */
    public byte[] body() throws IOException {
        if (body == null) {
            body = exchange.getRequestBody().readAllBytes();
        }
        return body;
    }

    public String bodyText() throws IOException {
        return new String(body(), StandardCharsets.UTF_8);
    }

    public void respond(int status, String contentType, String text) throws IOException {
        respond(status, contentType, text, Map.of());
    }

    public void respond(int status, String contentType, String text, Map<String, String> headers) throws IOException {
        respond(status, contentType, text.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Answers with {@code bytes} as the body ({@code headers} are added; Content-Type is set). */
    public void respond(int status, String contentType, byte[] bytes, Map<String, String> headers) throws IOException {
        responded = true;
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Whether an answer was (at least partly) sent. */
    boolean responded() {
        return responded;
    }
}
