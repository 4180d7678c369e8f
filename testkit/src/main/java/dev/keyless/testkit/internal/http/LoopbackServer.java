package dev.keyless.testkit.internal.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's {@link HttpServer} bound to 127.0.0.1 on a random port, with a pool of daemon threads so that a
 * delayed answer (a fault switch) does not hold up other requests.
 */
public final class LoopbackServer implements AutoCloseable {
    static {
        // The JDK server leaves Nagle's algorithm on unless told otherwise (read once, when its configuration class
        // loads): headers and body then go out as two small writes and each answer waits for a delayed ACK.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private LoopbackServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.baseUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts a server whose every request goes to {@code handler}; {@code name} names its threads. */
    public static LoopbackServer start(String name, Handler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            AtomicInteger count = new AtomicInteger();
            ThreadFactory threads = r -> {
                Thread t = new Thread(r, "keyless-testkit-" + name + "-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            ExecutorService executor = Executors.newCachedThreadPool(threads);
            server.setExecutor(executor);
            server.createContext("/", exchange -> dispatch(handler, exchange));
            server.start();
            return new LoopbackServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not bind a loopback port for the testkit " + name, e);
        }
    }

    private static void dispatch(Handler handler, HttpExchange exchange) {
        try (exchange) {
            try {
                handler.handle(new Request(exchange));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException e) {
                // A bug in an emulator must show as a 500 the client sees, not as a hung connection.
                Http.send(exchange, 500, "text/plain; charset=utf-8",
                        "testkit internal error: " + e.getClass().getName());
            }
        } catch (IOException | RuntimeException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Handles one request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request) throws IOException, InterruptedException;
    }
}
