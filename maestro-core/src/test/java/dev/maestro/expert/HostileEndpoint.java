package dev.maestro.expert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test fixture: an HTTP endpoint on 127.0.0.1 that misbehaves the way the outside attack did (hardening issue,
 * findings C, D and E), for every request whatever its path: it can send its headers and then hold the connection,
 * trickle a completion one byte at a time, stream a huge completion as fast as the client reads it, or echo the
 * request's Authorization header inside a well-formed 200 completion. It counts the body bytes it managed to write,
 * so a test can tell whether the client stopped reading early.
 */
public final class HostileEndpoint implements AutoCloseable {
    /** What every request gets. */
    public enum Mode {
        /** 200 and Content-Length 500, then nothing for {@link #holdMs}, then close. */
        HANG,
        /** 200 and a small completion, one byte every {@link #trickleMs}. */
        TRICKLE,
        /** 200 and a completion of {@link #hugeBytes} bytes (declared with Content-Length unless chunked). */
        HUGE,
        /** Like {@link #HUGE} but chunked, so the size is not known up front. */
        HUGE_CHUNKED,
        /** 200 and a completion "Your key is AUTHORIZATION &lt;answer&gt;1&lt;/answer&gt;". */
        ECHO_KEY_200,
        /** A normal completion. */
        OK
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-endpoint");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong bodyBytesWritten = new AtomicLong();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Mode mode;
    private volatile long holdMs = 10_000;
    private volatile long trickleMs = 200;
    private volatile long hugeBytes = 100_000_000L;

    public HostileEndpoint(Mode mode) throws IOException {
        this.mode = mode;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public HostileEndpoint mode(Mode m) { this.mode = m; return this; }
    public HostileEndpoint holdMs(long v) { this.holdMs = v; return this; }
    public HostileEndpoint trickleMs(long v) { this.trickleMs = v; return this; }
    public HostileEndpoint hugeBytes(long v) { this.hugeBytes = v; return this; }

    /** {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Body bytes written to clients so far (a client that hangs up early keeps this small). */
    public long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    public int requests() {
        return requests.get();
    }

    /** A chat completion whose message content is {@code text}. */
    public static String completion(String text) {
        return FakeOpenAiServer.completion(text, 10, 5);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
            ex.getResponseHeaders().set("Content-Type", "application/json");
            OutputStream out = ex.getResponseBody();
            switch (mode) {
                case HANG -> {
                    ex.sendResponseHeaders(200, 500);
                    out.flush();
                    Thread.sleep(holdMs);
                }
                case TRICKLE -> {
                    byte[] data = completion("slow ".repeat(40) + "<answer>1</answer>").getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, data.length);
                    for (byte b : data) {
                        out.write(b);
                        out.flush();
                        bodyBytesWritten.incrementAndGet();
                        Thread.sleep(trickleMs);
                    }
                }
                case HUGE, HUGE_CHUNKED -> huge(ex, out, mode == Mode.HUGE_CHUNKED);
                case ECHO_KEY_200 -> send(ex, out, completion("Your key is " + auth + " <answer>1</answer>"));
                case OK -> send(ex, out, completion("The answer is 42. <answer>42</answer>"));
            }
        } catch (IOException | InterruptedException e) {
            // the client hung up: what a bounded client does
        }
    }

    private void huge(HttpExchange ex, OutputStream out, boolean chunked) throws IOException {
        byte[] start = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                .getBytes(StandardCharsets.UTF_8);
        byte[] end = "\"},\"finish_reason\":\"stop\"}]}".getBytes(StandardCharsets.UTF_8);
        long size = hugeBytes;
        ex.sendResponseHeaders(200, chunked ? 0 : start.length + size + end.length);
        out.write(start);
        byte[] chunk = new byte[1 << 16];
        Arrays.fill(chunk, (byte) 'A');
        for (long sent = 0; sent < size; ) {
            int n = (int) Math.min(chunk.length, size - sent);
            out.write(chunk, 0, n);
            sent += n;
            bodyBytesWritten.addAndGet(n);
        }
        out.write(end);
    }

    private void send(HttpExchange ex, OutputStream out, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        out.write(b);
        bodyBytesWritten.addAndGet(b.length);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
