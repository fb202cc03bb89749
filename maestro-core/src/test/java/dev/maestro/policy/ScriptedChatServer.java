package dev.maestro.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A scripted OpenAI-compatible orchestrator endpoint on 127.0.0.1 (ephemeral port): each request takes
 * the next scripted reply (when the script runs out, every request gets the fallback) and is recorded
 * with its Authorization header. Like vLLM, assistant texts are returned with the stop string removed.
 */
final class ScriptedChatServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One scripted reply; {@code body} may contain {AUTH}, replaced by the request's Authorization header. */
    record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        /**
         * A completion of {@code fullText} as vLLM returns it: if the text ends with a stop string, the
         * string is cut off and reported in {@code stop_reason} (when {@code vllmStopReason}).
         */
        static Reply assistant(String fullText, boolean vllmStopReason) {
            String content = fullText;
            Optional<String> stop = Optional.empty();
            for (String s : LlmPolicy.STOP) {
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
            if (vllmStopReason && stop.isPresent()) {
                choice.put("stop_reason", stop.get());
            }
            root.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20);
            return new Reply(200, root.toString(), Map.of(), 0);
        }

        static Reply assistant(String fullText) {
            return assistant(fullText, true);
        }

        static Reply status(int status, String body) {
            return new Reply(status, body, Map.of(), 0);
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

    /** One recorded request. */
    record Received(String authorization, JsonNode body) {
        JsonNode messages() {
            return body.path("messages");
        }

        /** The text of the last message (the model's view of "what just happened"). */
        String lastMessage() {
            JsonNode m = messages().get(messages().size() - 1);
            return m.path("content").asText();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Reply fallback = Reply.status(500, "{\"error\":\"script exhausted\"}");

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    ScriptedChatServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scripted-chat");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    ScriptedChatServer then(Reply r) {
        script.add(r);
        return this;
    }

    ScriptedChatServer thenAssistant(String... texts) {
        for (String t : texts) {
            script.add(Reply.assistant(t));
        }
        return this;
    }

    ScriptedChatServer fallback(Reply r) {
        fallback = r;
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] in = ex.getRequestBody().readAllBytes();
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            JsonNode body;
            try {
                body = JSON.readTree(in);
            } catch (IOException e) {
                body = JSON.createObjectNode().put("unparsable", new String(in, StandardCharsets.UTF_8));
            }
            if (!ex.getRequestURI().getPath().equals("/v1/chat/completions")) {
                send(ex, new Reply(404, "{\"error\":\"no such path\"}", Map.of(), 0), auth);
                return;
            }
            received.add(new Received(auth, body));
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
            }
        }
        byte[] out = r.body().replace("{AUTH}", auth).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(r.status(), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
