package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.testkit.FakeOpenAiServer.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maestro eval} against live endpoints that fail, through the real CLI: a model failing about 30% of its
 * requests (HTTP 500 and 429 with Retry-After) is reported with its error rate and its accuracy over succeeded calls
 * (exit 0, with a warning); a dead endpoint (connection refused) and a wrong key (401) end with exit status 3 and a
 * message naming the model and the cause.
 */
class LiveFailuresTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-live-failures-test-4c1d";
    private static final int TASKS = 60;
    private static final Pattern QUESTION = Pattern.compile("What is (\\d+) \\+ (\\d+)\\?");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    Path dir;
    private FakeOpenAiServer server;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final AtomicInteger flakyRequests = new AtomicInteger();
    private final AtomicInteger flakyFailed = new AtomicInteger();

    /** Uniform in [0,1) from a string. */
    static double unit(String s) {
        long h = 1469598103934665603L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 1099511628211L;
        }
        h ^= h >>> 29;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 32;
        return (h >>> 11) / (double) (1L << 53);
    }

    /** The flaky model is right on the questions where this holds (about 80%): its true accuracy. */
    static boolean flakyRight(int a, int b) {
        return unit(a + "+" + b) < 0.8;
    }

    @BeforeEach
    void start() throws IOException {
        server = FakeOpenAiServer.start(this::reply);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Reply reply(Request request) {
        Matcher m = MODEL.matcher(request.body());
        Matcher q = QUESTION.matcher(request.body());
        String model = m.find() ? m.group(1) : "?";
        if (!q.find()) {
            return Reply.of(400, "{\"error\":{\"message\":\"no question\"}}");
        }
        int a = Integer.parseInt(q.group(1));
        int b = Integer.parseInt(q.group(2));
        if (model.equals("locked")) {
            return Reply.of(401, "{\"error\":{\"message\":\"Incorrect API key provided: {AUTH}\"}}");
        }
        int attempt = attempts.computeIfAbsent(model + "|" + a + "+" + b, k -> new AtomicInteger()).getAndIncrement();
        double fate = unit(model + "|" + a + "+" + b + "|" + attempt);
        if (model.equals("flaky")) {
            flakyRequests.incrementAndGet();
            if (fate < 0.30) {
                flakyFailed.incrementAndGet();
                return fate < 0.24 ? Reply.of(500, "{\"error\":{\"message\":\"injected 500\"}}")
                        : Reply.of(429, "{\"error\":{\"message\":\"injected 429\"}}").withHeader("Retry-After", "0");
            }
        }
        int answer = model.equals("flaky") && !flakyRight(a, b) ? a + b + 1 : a + b;
        return Reply.ok(String.valueOf(answer), 20, 2);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A registry with the three models, one skill, and 60 addition tasks; returns [registry, tasks]. */
    private Path[] write() throws IOException {
        String url = server.baseUrl();
        Path reg = dir.resolve("registry");
        Files.createDirectories(reg.resolve("skills/direct"));
        Files.writeString(reg.resolve("models.yaml"), """
                name: live-failures
                description: three live models behind a fake endpoint that fails
                defaults: {backend: openai, api-key-env: LIVE_FAILURES_KEY, base-url: %s, timeout: 5s, max-concurrency: 2}
                models:
                  - id: flaky
                    model-name: flaky
                    description: "accurate adder behind an endpoint failing 30%% of requests"
                  - id: locked
                    model-name: locked
                    description: "an endpoint that refuses our key"
                  - id: dead
                    model-name: dead
                    base-url: http://127.0.0.1:%d/v1
                    description: "an endpoint nobody listens on"
                """.formatted(url, closedPort()));
        Files.writeString(reg.resolve("skills/direct/SKILL.md"), """
                ---
                name: direct
                level: 1
                description: answer with the number only
                ---
                {question}
                """);
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < TASKS; i++) {
            int a = 10 + 7 * i;
            int b = 3 + 11 * i;
            tasks.append("{\"id\":\"add-").append(i).append("\",\"source\":\"live\",\"question\":\"What is ").append(a)
                    .append(" + ").append(b).append("?\",\"answer\":\"").append(a + b).append("\"}\n");
        }
        Files.writeString(dir.resolve("tasks.jsonl"), tasks.toString());
        return new Path[] {reg, dir.resolve("tasks.jsonl")};
    }

    private record Outcome(int exit, String console, JsonNode report) {
    }

    private Outcome eval(String pair, String out) throws IOException {
        Path[] files = write();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
        int exit;
        System.setOut(both);
        System.setErr(both);
        try {
            List<String> args = new ArrayList<>(List.of("eval", "--registry", files[0].toString(), "--tasks",
                    files[1].toString(), "--split", "all", "--policy", "fixed:" + pair, "--threads", "2", "--no-progress",
                    "--out", dir.resolve(out).toString()));
            exit = CliEnv.with(Map.of("LIVE_FAILURES_KEY", KEY), () -> Main.run(args.toArray(String[]::new)));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String console = captured.toString(StandardCharsets.UTF_8);
        System.out.println(console);
        Path report = dir.resolve(out).resolve("report.json");
        return new Outcome(exit, console, Files.exists(report) ? JSON.readTree(report.toFile()) : null);
    }

    @Test
    void should_report_a_flaky_pairs_error_rate_and_its_accuracy_when_it_answers() throws IOException {
        // when
        Outcome o = eval("flaky@@direct", "flaky");

        // then it ends normally, with a warning naming the model and what failed
        assertThat(o.exit()).as(o.console()).isZero();
        assertThat(o.console()).contains("maestro eval: warning: model 'flaky' (flaky@@direct)").contains("requests");
        JsonNode pair = o.report().path("sections").path("calls_by_pair").path("flaky@@direct");
        double serverRate = flakyFailed.get() / (double) flakyRequests.get();
        double reported = pair.path("request_error_rate").asDouble(-1);
        System.out.printf("flaky: server failed %d of %d requests (%.3f), report says %.3f; %d of %d calls failed%n",
                flakyFailed.get(), flakyRequests.get(), serverRate, reported, pair.path("errors").asLong(),
                pair.path("calls").asLong());
        assertThat(pair.path("requests").asInt()).isEqualTo(flakyRequests.get());
        assertThat(reported).isCloseTo(serverRate, Offset.offset(0.05));
        assertThat(reported).isCloseTo(0.30, Offset.offset(0.10));
        assertThat(pair.path("request_errors_by_kind").path("http_status").asInt()).isPositive();
        assertThat(pair.path("request_errors_by_kind").path("rate_limited").asInt()).isPositive();
        assertThat(pair.path("health").asText()).isEqualTo("warn");

        // and its accuracy over the tasks whose calls succeeded matches the model's true accuracy within the CI
        JsonNode system = o.report().path("systems").get(0);
        int n = system.path("tasks_calls_succeeded").asInt();
        double acc = system.path("accuracy_calls_succeeded").asDouble();
        long right = 0;
        for (int i = 0; i < TASKS; i++) {
            right += flakyRight(10 + 7 * i, 3 + 11 * i) ? 1 : 0;
        }
        double truth = right / (double) TASKS;
        double z = 1.96;
        double centre = (acc + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(acc * (1 - acc) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        System.out.printf("flaky: accuracy %.4f over all, %.4f over %d tasks whose calls succeeded (CI %.3f..%.3f); "
                + "true accuracy %.4f%n", system.path("accuracy").asDouble(), acc, n, centre - half, centre + half, truth);
        assertThat(n).isGreaterThanOrEqualTo(TASKS - 5);
        assertThat(truth).isBetween(centre - half, centre + half);
        assertThat(system.path("error_rate").asDouble()).isLessThan(0.1);
    }

    @Test
    void should_end_with_status_3_naming_the_model_when_the_endpoint_is_dead() throws IOException {
        Outcome o = eval("dead@@direct", "dead");

        assertThat(o.exit()).as(o.console()).isEqualTo(Health.UNUSABLE);
        assertThat(o.console()).contains("maestro eval: model 'dead' (dead@@direct): 60 of 60 calls failed (100.0%)")
                .contains("unusable: endpoint unreachable");
        JsonNode pair = o.report().path("sections").path("calls_by_pair").path("dead@@direct");
        assertThat(pair.path("health").asText()).isEqualTo("unusable");
        assertThat(o.report().path("systems").get(0).path("error_rate").asDouble()).isEqualTo(1.0);
    }

    @Test
    void should_end_with_status_3_naming_the_model_when_the_key_is_refused() throws IOException {
        Outcome o = eval("locked@@direct", "locked");

        assertThat(o.exit()).as(o.console()).isEqualTo(Health.UNUSABLE);
        assertThat(o.console()).contains("maestro eval: model 'locked' (locked@@direct)")
                .contains("unusable: authentication failed (401 Unauthorized").doesNotContain(KEY);
        assertThat(Files.readString(dir.resolve("locked/report.json"))).doesNotContain(KEY);
    }
}
