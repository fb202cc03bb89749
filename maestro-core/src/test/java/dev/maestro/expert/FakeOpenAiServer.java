package dev.maestro.expert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 (ephemeral port) for tests. Each
 * request takes the next scripted {@link Reply}; when the script is empty it answers with a
 * successful completion. It records every request (body and Authorization header) and counts them.
 */
final class FakeOpenAiServer implements AutoCloseable {

    /** One scripted answer. {@code body} may contain {AUTH}, replaced by the request's Authorization header. */
    record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        static Reply ok(String text, int promptTokens, int completionTokens) {
            return new Reply(200, completion(text, promptTokens, completionTokens), Map.of(), 0);
        }

        static Reply status(int status) {
            return new Reply(status, "{\"error\":{\"message\":\"scripted " + status + "\"}}", Map.of(), 0);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new java.util.HashMap<>(headers);
            h.put(name, value);
            return new Reply(status, body, Map.copyOf(h), delayMs);
        }

        Reply delayed(long ms) {
            return new Reply(status, body, headers, ms);
        }
    }

    record Received(String path, String authorization, String body, Map<String, List<String>> headers) {
        /** The first value of a request header (names are case-insensitive), or null. */
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Reply fallback = Reply.ok("fallback answer", 10, 3);

    FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-openai");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static String completion(String text, int promptTokens, int completionTokens) {
        String escaped = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"fake\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + escaped + "\"},"
                + "\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}";
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    FakeOpenAiServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    FakeOpenAiServer always(Reply reply) {
        fallback = reply;
        return this;
    }

    int requests() {
        return requests.get();
    }

    List<Received> received() {
        return received;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            requests.incrementAndGet();
            received.add(new Received(ex.getRequestURI().getPath(), auth, body, Map.copyOf(ex.getRequestHeaders())));
            if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals("/v1/chat/completions")) {
                send(ex, new Reply(404, "{\"error\":{\"message\":\"no route\"}}", Map.of(), 0), auth);
                return;
            }
            Reply r = script.poll();
            send(ex, r == null ? fallback : r, auth);
        }
    }

    private static void send(HttpExchange ex, Reply r, String auth) throws IOException {
        if (r.delayMs() > 0) {
            try {
                Thread.sleep(r.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        byte[] bytes = r.body().replace("{AUTH}", auth == null ? "" : auth).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(r.status(), bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        } catch (IOException clientGone) {
            // the client timed out and closed the connection: nothing to do
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
