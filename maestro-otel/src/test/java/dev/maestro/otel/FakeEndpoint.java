package dev.maestro.otel;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server on 127.0.0.1: {@code /good/v1/chat/completions} answers "42" with 100 prompt and 20 completion tokens,
 * {@code /bad/...} answers 500; any other path (an OTLP collector's {@code /v1/traces}) records the request and
 * answers 200 with an empty body.
 */
final class FakeEndpoint implements AutoCloseable {
    record Received(String path, String contentType, int bytes) {
    }

    private final HttpServer server;
    final List<Received> received = new CopyOnWriteArrayList<>();

    FakeEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            received.add(new Received(path, ex.getRequestHeaders().getFirst("Content-Type"), in.length));
            int status = 200;
            String body = "";
            if (path.startsWith("/good/")) {
                body = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"good-model\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"The answer is 42\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"total_tokens\":120}}";
            } else if (path.startsWith("/bad/")) {
                status = 500;
                body = "{\"error\":{\"message\":\"down\"}}";
            }
            byte[] out = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
