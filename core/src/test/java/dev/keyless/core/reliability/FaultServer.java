package dev.keyless.core.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server on raw sockets that either forwards every request to an upstream (a testkit emulator)
 * or misbehaves on purpose: refuses connections, resets them, cuts a response short, stalls, or answers with any
 * status, content type and body. For modules whose tests have no WireMock, and for faults below HTTP (a reset
 * mid-body) that need a socket. Every response closes its connection.
 */
public final class FaultServer implements AutoCloseable {
    /** What the server does with one request. */
    @FunctionalInterface
    public interface Behavior {
        void handle(Request request, Socket socket, OutputStream out) throws IOException, InterruptedException;
    }

    /** A parsed request. */
    public record Request(String method, String target, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Behavior behavior;
    private volatile Request last;
    private volatile ServerSocket server;
    private volatile boolean closed;

    private FaultServer(Behavior initial) {
        this.behavior = initial;
        this.server = bind(0);
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    /** Starts a server that forwards to {@code upstream} until told otherwise. */
    public static FaultServer forwardingTo(URI upstream) {
        return new FaultServer(forward(upstream));
    }

    /** Starts a server with the given behaviour. */
    public static FaultServer start(Behavior behavior) {
        return new FaultServer(behavior);
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The last request read, if any. */
    public java.util.Optional<Request> lastRequest() {
        return java.util.Optional.ofNullable(last);
    }

    /** How many requests were read so far. */
    public int requests() {
        return requests.get();
    }

    /** From now on, requests get this behaviour (and connections are accepted again, if they were refused). */
    public synchronized void behave(Behavior next) {
        this.behavior = next;
        if (server == null) {
            server = bind(port);
            startAccepting(server);
        }
    }

    /** From now on, connections are refused: nothing listens on the port until {@link #behave} is called. */
    public synchronized void refuseConnections() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    // ---- behaviours ----

    /** Relays the request to {@code upstream} and its answer back (status, content type, body). */
    public static Behavior forward(URI upstream) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return (request, socket, out) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + request.target()))
                    .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
            String type = request.headers().get("content-type");
            if (type != null) {
                b.header("Content-Type", type);
            }
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            write(out, r.statusCode(), r.headers().firstValue("Content-Type").orElse("text/plain"), r.body());
        };
    }

    /** Answers with this status, content type and body. */
    public static Behavior respond(int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (request, socket, out) -> write(out, status, contentType, bytes);
    }

    /**
     * Answers with this status and content type, the body echoing the request (its headers and body): a proxy or
     * an error page that shows what it was sent, to check that nothing repeats a response body.
     */
    public static Behavior echo(int status, String contentType) {
        return (request, socket, out) -> {
            StringBuilder sb = new StringBuilder("<html><body><pre>").append(request.method()).append(' ')
                    .append(request.target()).append('\n');
            request.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            sb.append('\n').append(request.bodyText()).append("</pre></body></html>");
            write(out, status, contentType, sb.toString().getBytes(StandardCharsets.UTF_8));
        };
    }

    /** Resets the connection (RST) as soon as the request is read. */
    public static Behavior reset() {
        return (request, socket, out) -> {
            socket.setSoLinger(true, 0);
            socket.close();
        };
    }

    /**
     * Sends the status line and headers announcing {@code body}'s full length, then only its first
     * {@code sentBytes} bytes, then resets the connection.
     */
    public static Behavior resetMidBody(int status, String contentType, String body, int sentBytes) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (request, socket, out) -> {
            out.write(head(status, contentType, bytes.length));
            out.write(bytes, 0, Math.min(sentBytes, bytes.length));
            out.flush();
            socket.setSoLinger(true, 0);
            socket.close();
        };
    }

    /** Reads the request and answers nothing for {@code stall} (then closes). */
    public static Behavior stall(Duration stall) {
        return (request, socket, out) -> Thread.sleep(stall.toMillis());
    }

    /** Sends the headers at once, then the body's first bytes, then nothing for {@code stall}. */
    public static Behavior stallMidBody(int status, String contentType, String body, Duration stall) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (request, socket, out) -> {
            out.write(head(status, contentType, bytes.length));
            out.write(bytes, 0, Math.min(10, bytes.length));
            out.flush();
            Thread.sleep(stall.toMillis());
        };
    }

    private static byte[] head(int status, String contentType, int length) {
        return ("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                + length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void write(OutputStream out, int status, String contentType, byte[] body) throws IOException {
        out.write(head(status, contentType, body.length));
        out.write(body);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    // ---- plumbing ----

    private static ServerSocket bind(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the fault server to port " + port, e);
        }
    }

    private void startAccepting(ServerSocket s) {
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket socket = s.accept();
                    open.add(socket);
                    Thread h = new Thread(() -> serve(socket), "fault-server-conn");
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "fault-server-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            Request request = read(socket.getInputStream());
            if (request == null) {
                return;
            }
            requests.incrementAndGet();
            last = request;
            behavior.handle(request, socket, socket.getOutputStream());
        } catch (SocketException ignored) {
            // the client gave up, or the behaviour reset the connection
        } catch (IOException ignored) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private static Request read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0D0A0D0A) {
                break;
            }
        }
        if (last4 != 0x0D0A0D0A) {
            return null;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] first = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = new byte[0];
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        }
        return new Request(first[0], first.length > 1 ? first[1] : "/", headers, body);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        closed = true;
        refuseConnections();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return "FaultServer{" + uri() + (closed ? ", closed" : "") + "}";
    }
}
