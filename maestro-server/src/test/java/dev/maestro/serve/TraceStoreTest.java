package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.Usage;
import dev.maestro.protocol.Call;
import dev.maestro.task.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceStoreTest {
    static final ObjectMapper M = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A graded two-step episode with one failed call, as a batch evaluation would produce it. */
    static EpisodeResult gradedEpisode() {
        Observation failed = new Observation(0, 0, new Call("Broken-M", "cot", "count the bars"), Optional.empty(), Optional.empty(),
                Optional.of(ExpertError.of(ExpertError.Kind.TIMEOUT, "no response within 50 ms")), Usage.NONE, 0, 50);
        Observation ok = new Observation(1, 1, new Call("Chart-R1", "Chart_Problem_Solver", "count the bars"), Optional.of("There are 7 bars."),
                Optional.of("7"), Optional.empty(), new Usage(200, 40), 0.0031, 830);
        List<Step> steps = List.of(new Step(0, "<search> Broken-M@@cot: count the bars </search>", List.of(failed), "", 1_000_000),
                new Step(1, "<search> Chart-R1@@Chart_Problem_Solver: count the bars </search>", List.of(ok), "", 2_000_000),
                new Step(2, "<answer> 7 </answer>", List.of(), "", 500_000));
        return new EpisodeResult("bars-1", "count", "fixed:test", 7, Optional.of("7"), 1.0, "grader", 0.99, 2, 0.0031, 880,
                new Usage(200, 40), 0, 1, false, steps, dev.maestro.episode.EpisodeNotes.NONE);
    }

    static Task task(String id, String q) {
        return new Task(id, "test", q, List.of(), List.of("7"), dev.maestro.task.AnswerType.NUMBER, "count", List.of(),
                java.util.Map.of(), java.util.Map.of(), java.util.Map.of());
    }

    @Test
    void should_store_and_read_back_an_episode_with_its_steps(@TempDir Path dir) {
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"))) {
            store.record("ep-1", task("bars-1", "How many bars are there?"), gradedEpisode());
            store.flush();

            JsonNode list = store.recent(10);
            JsonNode one = store.get("ep-1").orElseThrow();

            assertThat(list).hasSize(1);
            assertThat(list.get(0).path("question").asText()).isEqualTo("How many bars are there?");
            assertThat(list.get(0).has("steps")).isFalse();
            assertThat(one.path("grade").asDouble()).isEqualTo(1.0);
            assertThat(one.path("answer").asText()).isEqualTo("7");
            assertThat(one.path("cost_usd").asDouble()).isEqualTo(0.0031);
            assertThat(one.path("steps")).hasSize(3);
            assertThat(one.at("/steps/0/observations/0/error/kind").asText()).isEqualTo("timeout");
            assertThat(one.at("/steps/1/observations/0/answer").asText()).isEqualTo("7");
            assertThat(store.get("nope")).isEmpty();
        }
    }

    @Test
    void should_persist_across_reopen(@TempDir Path dir) {
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"))) {
            store.accept(gradedEpisode());
        }
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"))) {
            assertThat(store.recent(5)).hasSize(1);
            assertThat(store.recent(5).get(0).path("task_id").asText()).isEqualTo("bars-1");
        }
    }

    @Test
    void should_adopt_a_trace_file_written_before_schema_versions_and_migrate_it(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.db");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); java.sql.Statement st = c.createStatement()) {
            // the table as the release before versioned schemas created it, with one served episode
            st.execute("CREATE TABLE traces (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, task_id TEXT NOT NULL,"
                    + " question TEXT NOT NULL, policy TEXT NOT NULL, answer TEXT, grade REAL, graded_by TEXT NOT NULL,"
                    + " calls INTEGER NOT NULL, errors INTEGER NOT NULL, cost_usd REAL NOT NULL, latency_ms REAL NOT NULL,"
                    + " steps TEXT NOT NULL)");
            st.execute("INSERT INTO traces VALUES ('chatcmpl-old', 1700000000000, 'chatcmpl-old', 'Old question?', 'fixed:a@@b',"
                    + " 'forty-two', NULL, 'none', 1, 0, 0.001, 5.0, '[]')");
        }
        try (TraceStore store = TraceStore.open(file)) {
            assertThat(store.recent(5)).hasSize(1);
            assertThat(store.feedback("chatcmpl-old", new Feedback(java.util.Optional.empty(), java.util.Optional.of(true),
                    java.util.Optional.empty(), 1700000001000L))).isTrue();
            assertThat(store.served(0)).singleElement().satisfies(s -> {
                assertThat(s.answer()).contains("forty-two");
                assertThat(s.feedback().orElseThrow().correct()).contains(true);
            });
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT version FROM schema_version WHERE component = 'traces'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(TraceSchema.MIGRATIONS.size());
        }
    }

    @Test
    void should_serve_traces_of_chat_requests_over_http(@TempDir Path dir) throws Exception {
        TestRig rig = TestRig.fast();
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"));
                MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).traces(store).build().start()) {
            HttpResponse<String> chat = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + MaestroServer.CHAT))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"Which grew 88%?\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String id = M.readTree(chat.body()).path("id").asText();
            store.flush();

            JsonNode list = M.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/traces")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            JsonNode one = M.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/traces/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/traces/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(list.get(0).path("id").asText()).isEqualTo(id);
            assertThat(list.get(0).path("question").asText()).isEqualTo("Which grew 88%?");
            assertThat(one.path("grade").isNull()).as("no gold: grade unknown").isTrue();
            assertThat(one.at("/steps/0/observations/0/model").asText()).isEqualTo("Chart-R1");
            assertThat(one.path("answer").asText()).isEqualTo("Go-Jek");
            ChatApiTest.assertError(missing, 404, "invalid_request_error", "trace_not_found");
        }
    }

    @Test
    void should_store_the_steps_the_response_showed_and_list_their_calls(@TempDir Path dir) throws Exception {
        TestRig rig = TestRig.fast();
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"));
                MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).traces(store).build().start()) {
            JsonNode chat = M.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + MaestroServer.CHAT))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"Which grew 88%?\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            store.flush();

            JsonNode steps = chat.at("/maestro/steps");
            ArrayNode flat = M.createArrayNode();
            steps.forEach(step -> flat.addAll((ArrayNode) step.path("observations")));
            assertThat(steps).isNotEmpty();
            assertThat(flat).isNotEmpty();
            assertThat(chat.at("/maestro/calls")).isEqualTo(flat);
            assertThat(store.get(chat.path("id").asText()).orElseThrow().path("steps")).isEqualTo(steps);
        }
    }
}
