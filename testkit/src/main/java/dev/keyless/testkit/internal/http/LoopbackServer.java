package dev.keyless.testkit.internal.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.keyless.testkit.internal.tls.SelfSignedCertificate;
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
 * The JDK's {@link HttpServer} (plain http) or {@link HttpsServer} (https, with the JVM's one self-signed certificate,
 * see {@code dev.keyless.testkit.LocalTls}) bound to 127.0.0.1 on a random port, with a pool of daemon threads so that
 * a delayed or held answer (a fault switch) does not hold up other requests.
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

    private LoopbackServer(HttpServer server, ExecutorService executor, String scheme) {
        this.server = server;
        this.executor = executor;
        this.baseUri = URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts a plain-http server whose every request goes to {@code handler}; {@code name} names its threads. */
    public static LoopbackServer start(String name, Handler handler) {
        return start(name, handler, false);
    }

    /**
     * Starts an https server, presenting the testkit's certificate, whose every request goes to {@code handler};
     * {@code name} names its threads.
     */
    public static LoopbackServer startHttps(String name, Handler handler) {
        return start(name, handler, true);
    }

    private static LoopbackServer start(String name, Handler handler, boolean https) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            HttpServer server;
            if (https) {
                HttpsServer tls = HttpsServer.create(address, 0);
                tls.setHttpsConfigurator(new HttpsConfigurator(SelfSignedCertificate.get().serverContext()));
                server = tls;
            } else {
                server = HttpServer.create(address, 0);
            }
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
            return new LoopbackServer(server, executor, https ? "https" : "http");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not bind a loopback port for the testkit " + name, e);
        }
    }

    private static void dispatch(Handler handler, HttpExchange exchange) {
        try (exchange) {
            Request request = new Request(exchange);
            try {
                handler.handle(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException e) {
                // A bug in an emulator must show as a 500 the client sees, not as a hung connection.
                if (!request.responded()) {
                    request.respond(500, "text/plain; charset=utf-8", "testkit internal error: " + e.getClass().getName());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://127.0.0.1:PORT}, without a trailing slash. */
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
