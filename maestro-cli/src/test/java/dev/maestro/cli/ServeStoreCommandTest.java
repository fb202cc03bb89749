package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.Usage;
import dev.maestro.serve.Feedback;
import dev.maestro.serve.TraceStore;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --store} and {@code collect --from-traces} on PostgreSQL and SQLite. */
class ServeStoreCommandTest {
    @TempDir
    Path dir;

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(EmbeddedPg.env());
        env.put("MAESTRO_HOME", dir.resolve("home").toString());
        return env;
    }

    @Test
    void should_serve_with_a_postgresql_store_and_collect_the_rated_questions_from_it() throws Exception {
        String url = EmbeddedPg.newDatabase();
        List<String> serve = List.of("serve", "--registry", ServeCommandTest.PAPER_SIM.toString(), "--store", url);
        String id;
        boolean noAnswer;
        try (ServeCommand.Started s = ServeLoopTest.serve(serve, env())) {
            JsonNode r = ServeLoopTest.post(s.server().url() + "/v1/chat/completions",
                    "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}");
            id = r.path("id").asText();
            // a served reply without an answer says why in its content and in maestro.no_answer
            noAnswer = r.path("maestro").has("no_answer");
            ServeLoopTest.post(s.server().url() + "/v1/feedback", "{\"id\":\"" + id + "\",\"correct\":true,\"comment\":\"ok\"}");
            assertThat(s.store().orElseThrow().location().isPostgres()).isTrue();
        }

        LivePathTest.Result r = LivePathTest.run(env(), List.of("collect", "--from-traces", url, "--out", dir.resolve("served").toString()));

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("1 tasks written").contains("1 rated")
                .contains("postgresql://maestro@127.0.0.1:").doesNotContain(EmbeddedPg.password());
        String row = Files.readString(dir.resolve("served/tasks.jsonl"));
        assertThat(row).contains("\"id\":\"" + id + "\"").contains("\"question\":\"What is 2+2?\"").contains("\"feedback\":\"correct\"");
        // an empty answer rated correct cannot be gold (the simulated registry answers new questions with nothing)
        assertThat(row).contains(noAnswer ? "\"gold\":\"none\"" : "\"gold\":\"feedback\"");
    }

    static EpisodeResult answered(String answer) {
        return new EpisodeResult("chat", "chat", "fixed:a@@b", 1, Optional.of(answer), 0, "none", 0, 1, 0.001, 5, new Usage(10, 2),
                0, 2, false, List.of(), dev.maestro.episode.EpisodeNotes.NONE);
    }

    static void fill(TraceStore store) {
        long t0 = 1_767_225_600_000L;
        String[][] served = {{"chatcmpl-a", "What is 2+2?", "4"}, {"chatcmpl-b", "Capital of Peru?", "Lima"},
                {"chatcmpl-c", "What is 2+2?", "4"}, {"chatcmpl-d", "Name a prime.", "9"}, {"chatcmpl-e", "Unrated?", "x"}};
        for (int i = 0; i < served.length; i++) {
            store.record(served[i][0], t0 + i, new Task(served[i][0], "chat", served[i][1], List.of(), List.of(), AnswerType.UNKNOWN,
                    "chat", List.of(), Map.of(), Map.of(), Map.of()), answered(served[i][2]));
        }
        store.flush();
        store.feedback("chatcmpl-a", new Feedback(Optional.empty(), Optional.of(true), Optional.empty(), t0 + 10));
        store.feedback("chatcmpl-b", new Feedback(Optional.of(0.9), Optional.of(true), Optional.of("yes"), t0 + 11));
        store.feedback("chatcmpl-d", new Feedback(Optional.of(0.0), Optional.of(false), Optional.empty(), t0 + 12));
    }

    @Test
    void should_collect_the_same_task_set_from_postgresql_and_sqlite() throws Exception {
        String url = EmbeddedPg.newDatabase();
        Path file = dir.resolve("serve.db");
        try (TraceStore pg = TraceStore.open(StoreLocation.parse(url, EmbeddedPg.env())); TraceStore lite = TraceStore.open(file)) {
            fill(pg);
            fill(lite);
        }

        LivePathTest.Result fromPg = LivePathTest.run(env(), List.of("collect", "--from-traces", url, "--out", dir.resolve("a").toString()));
        LivePathTest.Result fromLite = LivePathTest.run(env(), List.of("collect", "--from-traces", file.toString(), "--out",
                dir.resolve("b").toString()));

        assertThat(fromPg.exit()).as(fromPg.out()).isZero();
        assertThat(fromLite.exit()).as(fromLite.out()).isZero();
        assertThat(fromLite.out()).contains("5 served questions").contains("4 tasks written").contains("2 with gold from feedback")
                .contains("1 repeated questions merged");
        String tasks = Files.readString(dir.resolve("b/tasks.jsonl"));
        assertThat(tasks.lines()).hasSize(4);
        assertThat(Files.readString(dir.resolve("a/tasks.jsonl"))).isEqualTo(tasks);
    }

    @Test
    void should_refuse_bad_store_options_with_one_clear_line() throws Exception {
        LivePathTest.Result literal = LivePathTest.run(env(), List.of("collect", "--from-traces", "postgresql://u:hunter2@127.0.0.1:9/db",
                "--out", dir.resolve("x").toString()));
        LivePathTest.Result missing = LivePathTest.run(env(), List.of("collect", "--from-traces", dir.resolve("nope.db").toString(),
                "--out", dir.resolve("x").toString()));
        LivePathTest.Result mixed = LivePathTest.run(env(), List.of("collect", "--from-traces", "t.db", "--budget", "1", "--out", "x"));
        LivePathTest.Result noBudget = LivePathTest.run(env(), List.of("collect", "--suite", "paper-sim", "--out", "x"));
        LivePathTest.Result down = LivePathTest.run(env(), List.of("serve", "--registry", ServeCommandTest.PAPER_SIM.toString(),
                "--port", "0", "--store", "postgresql://maestro@127.0.0.1:9/db?password-env=" + EmbeddedPg.PASSWORD_VAR));

        assertThat(literal.exit()).isEqualTo(2);
        assertThat(literal.out()).startsWith("maestro collect: store URL: a password written in the URL").doesNotContain("hunter2");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).contains("no trace store file");
        assertThat(mixed.exit()).isEqualTo(2);
        assertThat(mixed.out()).contains("--from-traces reads a trace store and calls no model");
        assertThat(noBudget.exit()).isEqualTo(2);
        assertThat(noBudget.out()).contains("--budget USD is required");
        assertThat(down.exit()).isEqualTo(2);
        assertThat(down.out()).contains("maestro serve: cannot open store postgresql://maestro@127.0.0.1:9/db")
                .doesNotContain(EmbeddedPg.password());
        assertThat(down.out().lines().filter(l -> l.startsWith("maestro serve:")).count()).isEqualTo(1);
        ServeCommand both = ServeCommandTest.parse(new ServeCommand(), "--registry", "x", "--store", "a.db", "--traces", "t.db");
        assertThatThrownBy(both::start).isInstanceOf(MaestroException.class).hasMessageContaining("either --store, or --cache and --traces");
    }
}
