package dev.keyless.testkit.google.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The JDK's {@link HttpsServer} on 127.0.0.1 and a random port, with daemon worker threads so that a delayed
 * answer (a fault switch) does not hold up other requests.
 */
public final class TlsServer implements AutoCloseable {
    private final HttpsServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private TlsServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.baseUri = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts a server whose every request goes to {@code handler}. */
    public static TlsServer start(String name, SSLContext context, Handler handler) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(context));
            AtomicInteger count = new AtomicInteger();
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "keyless-testkit-" + name + "-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/", exchange -> dispatch(handler, exchange));
            server.start();
            return new TlsServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not bind a loopback port for the testkit " + name, e);
        }
    }

    private static void dispatch(Handler handler, HttpExchange exchange) {
        try (exchange) {
            Exchange ex = new Exchange(exchange);
            try {
                handler.handle(ex);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException e) {
                // A bug in an emulator must show as a 500 the client sees, not as a hung connection.
                if (!ex.responded) {
                    ex.respond(500, "text/plain; charset=utf-8", "testkit internal error: " + e.getClass().getName());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    /** {@code https://127.0.0.1:PORT}, without a trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Handles one request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws IOException, InterruptedException;
    }

    /** One request and its answer. */
    public static final class Exchange {
        private final HttpExchange exchange;
        private byte[] body;
        private boolean responded;

        Exchange(HttpExchange exchange) {
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

        public Optional<String> header(String name) {
            return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
        }

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
            respond(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        public void respond(int status, String contentType, String text, Map<String, String> headers) throws IOException {
            respond(status, contentType, text.getBytes(StandardCharsets.UTF_8), headers);
        }

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
    }
}
