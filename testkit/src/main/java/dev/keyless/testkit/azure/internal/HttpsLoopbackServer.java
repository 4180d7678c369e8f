package dev.keyless.testkit.azure.internal;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The JDK's {@link HttpsServer} on 127.0.0.1, a random port, with a pool of daemon threads (so that a held or
 * delayed answer does not block other requests) and the JVM's self-signed certificate.
 */
public final class HttpsLoopbackServer implements AutoCloseable {
    private final HttpsServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private HttpsLoopbackServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.baseUri = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts a server whose every request goes to {@code handler}. */
    public static HttpsLoopbackServer start(String name, SSLContext context, Handler handler) {
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
            return new HttpsLoopbackServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not bind a loopback port for the testkit " + name, e);
        }
    }

    private static void dispatch(Handler handler, HttpExchange exchange) {
        try (exchange) {
            try {
                handler.handle(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException e) {
                // A bug in the emulator must show as a 500 the client sees, not as a hung connection.
                send(exchange, 500, "text/plain; charset=utf-8", "testkit internal error: " + e.getClass().getName(), Map.of());
            }
        } catch (IOException | RuntimeException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    /** Answers an exchange. */
    public static void send(HttpExchange exchange, int status, String contentType, String text, Map<String, String> headers)
            throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store, no-cache");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
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
        void handle(HttpExchange exchange) throws IOException, InterruptedException;
    }
}
