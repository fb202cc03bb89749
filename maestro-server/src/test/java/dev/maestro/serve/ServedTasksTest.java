package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.Usage;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Served questions and their feedback into a task set, the same from SQLite and from PostgreSQL. */
class ServedTasksTest {
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};

    static EpisodeResult answered(String answer) {
        return new EpisodeResult("chat", "chat", "fixed:Chart-R1@@Chart_Problem_Solver", 1, Optional.of(answer), 0, "none", 0, 1,
                0.0042, 12.5, new Usage(120, 30), 0, 2, false, List.of(), dev.maestro.episode.EpisodeNotes.NONE);
    }

    static Task served(String id, String question, List<Path> images) {
        return new Task(id, "chat", question, List.of(), List.of(), AnswerType.UNKNOWN, "chat", images, Map.of(), Map.of(), Map.of());
    }

    /** The same served traffic and feedback, at the same times, into any store. */
    static void serveTraffic(TraceStore store, Path dir) throws Exception {
        Path image = Files.write(dir.resolve("image-0.png"), PNG);
        store.record("chatcmpl-1", T0, served("chatcmpl-1", "Which start-up grew 88%?", List.of()), answered("Go-Jek"));
        store.record("chatcmpl-2", T0 + 1, served("chatcmpl-2", "What is 17 * 23?", List.of()), answered("381"));
        store.record("chatcmpl-3", T0 + 2, served("chatcmpl-3", "How many bars?", List.of(image)), answered("7"));
        store.record("chatcmpl-4", T0 + 3, served("chatcmpl-4", "Which start-up grew 88%?", List.of()), answered("Go-Jek"));
        store.record("chatcmpl-5", T0 + 4, served("chatcmpl-5", "Write a haiku about rain.", List.of()), answered("Rain on tin..."));
        store.flush();
        assertThat(store.feedback("chatcmpl-1", new Feedback(Optional.empty(), Optional.of(true), Optional.of("checked"), T0 + 10))).isTrue();
        assertThat(store.feedback("chatcmpl-2", new Feedback(Optional.of(0.0), Optional.of(false), Optional.empty(), T0 + 11))).isTrue();
        assertThat(store.feedback("chatcmpl-5", new Feedback(Optional.of(0.8), Optional.empty(), Optional.of("nice"), T0 + 12))).isTrue();
    }

    @Test
    void should_turn_served_questions_into_tasks_with_feedback_as_gold(@TempDir Path dir) throws Exception {
        try (TraceStore store = TraceStore.open(dir.resolve("serve.db"))) {
            serveTraffic(store, dir);
            ServedTasks.Result r = ServedTasks.write(store, dir.resolve("out"), 0, false);
            List<Task> tasks = TaskReader.read(r.file());

            assertThat(r).extracting(ServedTasks.Result::tasks, ServedTasks.Result::withGold, ServedTasks.Result::rated,
                    ServedTasks.Result::served, ServedTasks.Result::merged).containsExactly(4, 1, 3, 5, 1);
            assertThat(tasks).extracting(Task::id).containsExactly("chatcmpl-1", "chatcmpl-2", "chatcmpl-3", "chatcmpl-5");
            Task rated = tasks.get(0);
            assertThat(rated.answers()).containsExactly("Go-Jek");
            assertThat(rated.metadata()).containsEntry("gold", "feedback").containsEntry("feedback", "correct")
                    .containsEntry("served_count", "2").containsEntry("trace_ids", "chatcmpl-1,chatcmpl-4")
                    .containsEntry("feedback_comment", "checked");
            Task wrong = tasks.get(1);
            assertThat(wrong.hasGold()).as("an answer rated incorrect is not gold").isFalse();
            assertThat(wrong.answerType()).isEqualTo(AnswerType.UNKNOWN);
            assertThat(wrong.metadata()).containsEntry("gold", "none").containsEntry("feedback", "incorrect")
                    .containsEntry("answers_rated_incorrect", "381").containsEntry("feedback_scores", "0.0");
            Task image = tasks.get(2);
            assertThat(image.hasGold()).isFalse();
            assertThat(image.metadata()).containsEntry("gold", "none").containsEntry("feedback", "none");
            assertThat(image.images()).hasSize(1);
            assertThat(Files.readAllBytes(image.images().get(0))).isEqualTo(PNG);
            assertThat(image.images().get(0).getFileName().toString()).endsWith(".png");
            assertThat(tasks.get(3).metadata()).containsEntry("feedback", "score").containsEntry("feedback_scores", "0.8")
                    .containsEntry("gold", "none");

            ServedTasks.Result goldOnly = ServedTasks.write(store, dir.resolve("gold"), 0, true);
            assertThat(TaskReader.read(goldOnly.file())).extracting(Task::id).containsExactly("chatcmpl-1");
            assertThat(goldOnly.leftOutNoGold()).isEqualTo(3);
            assertThat(TaskReader.read(ServedTasks.write(store, dir.resolve("late"), T0 + 3, false).file()))
                    .extracting(Task::id).containsExactly("chatcmpl-4", "chatcmpl-5");
        }
    }

    @Test
    void should_write_the_same_task_set_from_postgresql_and_from_sqlite(@TempDir Path dir) throws Exception {
        StoreLocation pg = EmbeddedPg.newLocation();
        try (TraceStore lite = TraceStore.open(dir.resolve("serve.db")); TraceStore shared = TraceStore.open(pg)) {
            serveTraffic(lite, dir);
            serveTraffic(shared, dir);
            ServedTasks.write(lite, dir.resolve("from-sqlite"), 0, false);
            ServedTasks.write(shared, dir.resolve("from-pg"), 0, false);
        }
        String a = Files.readString(dir.resolve("from-sqlite/tasks.jsonl"));
        assertThat(a.lines()).hasSize(4);
        assertThat(Files.readString(dir.resolve("from-pg/tasks.jsonl"))).isEqualTo(a);
        try (var files = Files.list(dir.resolve("from-sqlite/images"))) {
            for (Path f : files.toList()) {
                assertThat(Files.readAllBytes(dir.resolve("from-pg/images").resolve(f.getFileName()))).isEqualTo(Files.readAllBytes(f));
            }
        }
    }
}
