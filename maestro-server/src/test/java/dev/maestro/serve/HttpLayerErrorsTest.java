package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that Jetty refuses before any route runs (the HTTP parser's errors: duplicate Content-Length, Content-Length
 * with Transfer-Encoding, a bad request line, an unknown HTTP version, oversized headers, a broken chunk) are answered
 * like every other error of the server: OpenAI-shaped JSON {@code {"error": {"message", "type", "code"}}}, never
 * Jetty's HTML page. Sent over a raw socket, since a real client will not write such requests.
 */
class HttpLayerErrorsTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static MaestroServer server;
    private static int port;

    @BeforeAll
    static void start() {
        server = MaestroServer.builder(TestRig.fast().orchestrator).port(0).keys(ApiKeys.of(List.of("sk-k")))
                .requireAuth(true).maxBodyBytes(64 * 1024).build().start();
        port = URI.create(server.url()).getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<String[]> requests() {
        String post = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-k\r\n";
        return List.of(
                new String[] {"duplicate Content-Length", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello"},
                new String[] {"Content-Length and Transfer-Encoding", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
                new String[] {"bad request line", "GARBAGE\r\n\r\n"},
                new String[] {"unknown HTTP version", "GET /health HTTP/9.9\r\nHost: x\r\n\r\n"},
                new String[] {"oversized header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"},
                new String[] {"oversized URI", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"},
                new String[] {"broken chunk size", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
                new String[] {"space before colon", "GET /health HTTP/1.1\r\nHost : x\r\n\r\n"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void should_answer_http_layer_errors_as_openai_shaped_json(String what, String request) throws Exception {
        String response = exchange(request);

        int headerEnd = response.indexOf("\r\n\r\n");
        assertThat(headerEnd).as("%s: a response with headers: %s", what, response).isPositive();
        String head = response.substring(0, headerEnd);
        String body = response.substring(headerEnd + 4);
        int status = Integer.parseInt(head.substring(9, 12));
        assertThat(status).as("%s: %s", what, head).isBetween(400, 505).isNotEqualTo(500);
        assertThat(head.toLowerCase()).as(what).contains("content-type: application/json");
        assertThat(body).as(what).doesNotContain("<html").doesNotContain("<h2>");
        JsonNode error = M.readTree(body).path("error");
        assertThat(error.path("message").asText()).as("%s: %s", what, body).isNotBlank();
        assertThat(error.path("type").asText()).as(what).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).as(what).isNotBlank();
    }

    /** Writes the raw request and reads until the server closes the connection or goes quiet. */
    private static String exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | SocketException quiet) {
                // the server kept the connection open, or reset it after answering
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
