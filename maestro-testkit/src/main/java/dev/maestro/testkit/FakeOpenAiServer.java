package dev.maestro.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The one fake OpenAI-compatible endpoint of the tests: a JDK {@link HttpServer} on 127.0.0.1 (free port) that
 * records every request and answers each with a {@link Reply}. A request takes the next reply queued with
 * {@link #then}; when none is queued, the {@link Responder} decides (by default: a 404 for anything but
 * {@code POST /v1/chat/completions}, else the reply set with {@link #always}, a successful completion until then).
 *
 * <p>Replies cover what the tests need from an endpoint, well-behaved or not: a status and body (with
 * {@code {AUTH}} replaced by the request's Authorization header, to test redaction), extra headers, a delay, a
 * vLLM-style assistant message cut at the request's stop string, a connection closed without a response, a body
 * cut in half, headers followed by silence, a body trickled one byte at a time, and a body of any size (declared or
 * chunked). Behaviours that depend on the request (seeded fault schedules, models that compute answers) are
 * {@link Responder}s written next to the tests that use them.
 *
 * <p>{@link #close()} stops the server and its worker threads, so thread-leak checks can rely on it.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The path a chat-completions client posts to, under {@link #baseUrl()}. */
    public static final String CHAT_PATH = "/v1/chat/completions";

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Decides the reply to a request no queued reply was left for. Called on the server's worker threads. */
    @FunctionalInterface
    public interface Responder {
        Reply reply(Request request) throws InterruptedException;
    }

    /**
     * One request as the server received it.
     *
     * @param number  1-based arrival number
     * @param path    the raw path, without the query
     * @param query   the raw query string, "" without one
     * @param headers request headers as the JDK server keys them
     */
    public record Request(int number, String method, String path, String query, Map<String, List<String>> headers,
            String body) {
        /** The first value of a header (names are case-insensitive). */
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                    .map(e -> e.getValue().get(0)).findFirst();
        }

        /** The Authorization header, or "" without one. */
        public String authorization() {
            return header("Authorization").orElse("");
        }

        /** The raw path with {@code ?query} when there is one. */
        public String pathAndQuery() {
            return query.isEmpty() ? path : path + "?" + query;
        }

        /** True for {@code POST /v1/chat/completions}. */
        public boolean isChatCompletion() {
            return "POST".equals(method) && CHAT_PATH.equals(path);
        }

        /** The body as JSON; a body that is not JSON reads as {@code {"unparsable": body}}. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode().put("unparsable", body);
            }
        }

        /** The {@code model} field of the body, or "". */
        public String model() {
            return json().path("model").asText("");
        }

        /** The chat messages of the body (an empty array node when there are none). */
        public JsonNode messages() {
            return json().path("messages");
        }

        /** The text of the last message (the model's view of "what just happened"). */
        public String lastMessage() {
            JsonNode m = messages();
            return m.isEmpty() ? "" : m.get(m.size() - 1).path("content").asText();
        }

        /** Every message's text (string content, or the text parts of multi-part content), one per line. */
        public String prompt() {
            StringBuilder out = new StringBuilder();
            for (JsonNode m : messages()) {
                JsonNode c = m.path("content");
                if (c.isTextual()) {
                    out.append(c.asText()).append('\n');
                } else {
                    c.forEach(p -> out.append(p.path("text").asText("")).append('\n'));
                }
            }
            return out.toString();
        }
    }

    /** What one request gets. Immutable; build with the static factories and refine with the {@code with…} methods. */
    public static final class Reply {
        private enum Kind { FULL, RESET, TRUNCATED, HANG, TRICKLE, HUGE, HUGE_CHUNKED }

        private final Kind kind;
        private final int status;
        private final Function<Request, String> body;
        private final Map<String, String> headers;
        private final long delayMs;
        /** HANG: how long to hold; TRICKLE: ms per byte; HUGE: body bytes. */
        private final long amount;

        private Reply(Kind kind, int status, Function<Request, String> body, Map<String, String> headers, long delayMs,
                long amount) {
            this.kind = kind;
            this.status = status;
            this.body = body;
            this.headers = Map.copyOf(headers);
            this.delayMs = delayMs;
            this.amount = amount;
        }

        /** {@code status} with {@code body} as JSON ({@code {AUTH}} becomes the request's Authorization header). */
        public static Reply of(int status, String body) {
            return new Reply(Kind.FULL, status, r -> body, Map.of(), 0, 0);
        }

        /** A successful completion of {@code text} with that usage. */
        public static Reply ok(String text, int promptTokens, int completionTokens) {
            return of(200, completion(text, promptTokens, completionTokens));
        }

        /** An error status with an OpenAI-style error body. */
        public static Reply status(int status) {
            return of(status, "{\"error\":{\"message\":\"scripted " + status + "\"}}");
        }

        public static Reply status(int status, String body) {
            return of(status, body);
        }

        /**
         * An assistant message as vLLM returns it: when {@code fullText} ends with one of the request's {@code stop}
         * strings, the string is cut off and, if {@code stopReason}, reported in {@code stop_reason}.
         */
        public static Reply assistant(String fullText, boolean stopReason) {
            return new Reply(Kind.FULL, 200, r -> assistantJson(fullText, stopReason, r), Map.of(), 0, 0);
        }

        public static Reply assistant(String fullText) {
            return assistant(fullText, true);
        }

        /** The connection is closed without a response. */
        public static Reply reset() {
            return new Reply(Kind.RESET, 0, r -> "", Map.of(), 0, 0);
        }

        /** 200 with the full length of {@code body} declared, then only its first half, then the connection closes. */
        public static Reply truncated(String body) {
            return new Reply(Kind.TRUNCATED, 200, r -> body, Map.of(), 0, 0);
        }

        /** 200 and Content-Length 500, then nothing for {@code holdMs}, then the connection closes. */
        public static Reply hang(long holdMs) {
            return new Reply(Kind.HANG, 200, r -> "", Map.of(), 0, holdMs);
        }

        /** 200 and {@code body}, one byte every {@code msPerByte}. */
        public static Reply trickle(String body, long msPerByte) {
            return new Reply(Kind.TRICKLE, 200, r -> body, Map.of(), 0, msPerByte);
        }

        /** 200 and a completion {@code bytes} long, its size declared up front, sent as fast as the client reads. */
        public static Reply huge(long bytes) {
            return new Reply(Kind.HUGE, 200, r -> "", Map.of(), 0, bytes);
        }

        /** Like {@link #huge} but chunked, so the client cannot know the size up front. */
        public static Reply hugeChunked(long bytes) {
            return new Reply(Kind.HUGE_CHUNKED, 200, r -> "", Map.of(), 0, bytes);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(kind, status, body, h, delayMs, amount);
        }

        /** The same reply after {@code ms} of silence (before any header). */
        public Reply delayed(long ms) {
            return new Reply(kind, status, body, headers, ms, amount);
        }

        @Override
        public String toString() {
            return kind == Kind.FULL ? "Reply[" + status + "]" : "Reply[" + kind.name().toLowerCase(Locale.ROOT) + "]";
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bodyBytesWritten = new AtomicLong();
    private final Responder responder;
    private volatile Reply always = Reply.ok("fallback answer", 10, 3);

    private FakeOpenAiServer(Optional<Responder> responder) throws IOException {
        this.responder = responder.orElse(r -> r.isChatCompletion() ? always
                : Reply.of(404, "{\"error\":{\"message\":\"no route " + r.method() + " " + r.path() + "\"}}"));
        // a deep accept queue: serve tests open dozens of connections at once
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/", this::handle);
        // our own executor, shut down in close(): HttpServer.stop does not stop it
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-openai");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** A server answering chat completions with queued replies, then {@link #always}'s (default: a completion). */
    public static FakeOpenAiServer start() throws IOException {
        return new FakeOpenAiServer(Optional.empty());
    }

    /** A server whose replies {@code responder} decides, on any path, once the queued replies are used up. */
    public static FakeOpenAiServer start(Responder responder) throws IOException {
        return new FakeOpenAiServer(Optional.of(responder));
    }

    /** A chat completion body whose message content is {@code text}. */
    public static String completion(String text, int promptTokens, int completionTokens) {
        String escaped = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"fake\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + escaped + "\"},"
                + "\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}";
    }

    /** {@code http://127.0.0.1:PORT/v1}, the base URL of an OpenAI-compatible client. */
    public String baseUrl() {
        return origin() + "/v1";
    }

    /** {@code http://127.0.0.1:PORT}, for clients (native provider APIs) that add their own path. */
    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Queues replies for the next requests, in order, before the responder is asked. */
    public FakeOpenAiServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** What the default responder answers chat completions with once the queue is empty. */
    public FakeOpenAiServer always(Reply reply) {
        always = reply;
        return this;
    }

    /** Requests received so far, counted on arrival (before the reply). */
    public int requests() {
        return requests.get();
    }

    /** Every request so far, in arrival order. */
    public List<Request> received() {
        return List.copyOf(received);
    }

    /** Body bytes written to clients so far (a client that hangs up early keeps this small). */
    public long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    private void handle(HttpExchange ex) {
        try {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String query = ex.getRequestURI().getRawQuery();
            Request request = new Request(requests.incrementAndGet(), ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                    query == null ? "" : query, Map.copyOf(ex.getRequestHeaders()), body);
            received.add(request);
            Reply queued = script.poll();
            send(ex, request, queued != null ? queued : responder.reply(request));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | UncheckedIOException clientGone) {
            // the client timed out or hung up, or the reply itself broke the stream: nothing to do
        } finally {
            try {
                ex.close();
            } catch (RuntimeException | Error ignored) {
                // closing a stream cut short complains; the connection is closed anyway
            }
        }
    }

    private void send(HttpExchange ex, Request request, Reply r) throws IOException, InterruptedException {
        if (r.delayMs > 0) {
            Thread.sleep(r.delayMs);
        }
        if (r.kind == Reply.Kind.RESET) {
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        r.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        OutputStream out = ex.getResponseBody();
        switch (r.kind) {
            case FULL, TRUNCATED, TRICKLE -> {
                byte[] bytes = r.body.apply(request).replace("{AUTH}", request.authorization()).getBytes(StandardCharsets.UTF_8);
                // 0 would mean "chunked" to the JDK server; an empty body is declared with -1
                ex.sendResponseHeaders(r.status, bytes.length == 0 ? -1 : bytes.length);
                if (r.kind == Reply.Kind.FULL) {
                    write(out, bytes, 0, bytes.length);
                    out.close();
                } else if (r.kind == Reply.Kind.TRUNCATED) {
                    write(out, bytes, 0, bytes.length / 2);
                } else {
                    for (int i = 0; i < bytes.length; i++) {
                        write(out, bytes, i, 1);
                        Thread.sleep(r.amount);
                    }
                }
            }
            case HANG -> {
                ex.sendResponseHeaders(r.status, 500);
                out.flush();
                Thread.sleep(r.amount);
            }
            case HUGE, HUGE_CHUNKED -> huge(ex, out, r.amount, r.kind == Reply.Kind.HUGE_CHUNKED);
            default -> throw new IllegalStateException("unhandled reply kind " + r.kind);
        }
    }

    private void write(OutputStream out, byte[] bytes, int from, int length) throws IOException {
        out.write(bytes, from, length);
        out.flush();
        bodyBytesWritten.addAndGet(length);
    }

    private void huge(HttpExchange ex, OutputStream out, long size, boolean chunked) throws IOException {
        byte[] start = ("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] end = "\"},\"finish_reason\":\"stop\"}]}".getBytes(StandardCharsets.UTF_8);
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
        out.close();
    }

    private static String assistantJson(String fullText, boolean stopReason, Request request) {
        List<String> stops = new ArrayList<>();
        request.json().path("stop").forEach(s -> stops.add(s.asText()));
        String content = fullText;
        Optional<String> stop = Optional.empty();
        for (String s : stops) {
            if (fullText.endsWith(s)) {
                content = fullText.substring(0, fullText.length() - s.length());
                stop = Optional.of(s);
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "cmpl-1").put("object", "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        if (stopReason && stop.isPresent()) {
            choice.put("stop_reason", stop.get());
        }
        root.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20);
        return root.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
