package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace writer's batches, on SQLite and on PostgreSQL: every trace written, in order, flushed on close. */
class TraceRowsTest {
    /** More than one batch of the writer. */
    private static final int MANY = 1_234;

    @Test
    void should_write_every_trace_in_order_and_flush_on_close_in_sqlite(@TempDir Path dir) {
        everyTraceInOrder(StoreLocation.sqlite(dir.resolve("t.db")));
    }

    @Test
    void should_write_every_trace_in_order_and_flush_on_close_in_postgresql() {
        everyTraceInOrder(EmbeddedPg.newLocation());
    }

    @Test
    void should_leave_a_repeated_id_as_row_by_row_writes_did_in_sqlite(@TempDir Path dir) {
        repeatedIds(StoreLocation.sqlite(dir.resolve("batched.db")), StoreLocation.sqlite(dir.resolve("one-by-one.db")));
    }

    @Test
    void should_leave_a_repeated_id_as_row_by_row_writes_did_in_postgresql() {
        repeatedIds(EmbeddedPg.newLocation(), EmbeddedPg.newLocation());
    }

    @Test
    void should_replace_a_trace_stored_earlier_when_it_is_recorded_again_in_postgresql() {
        // COPY cannot replace a row: the batch falls back to the upserts, which can
        try (TraceStore store = TraceStore.open(EmbeddedPg.newLocation())) {
            store.record("a", 1_700_000_000_000L, TraceStoreTest.task("a", "first a"), TraceStoreTest.gradedEpisode());
            store.record("b", 1_700_000_000_000L, TraceStoreTest.task("b", "b"), TraceStoreTest.gradedEpisode());
            store.flush();
            store.record("c", 1_700_000_000_000L, TraceStoreTest.task("c", "c"), TraceStoreTest.gradedEpisode());
            store.record("a", 1_700_000_000_000L, TraceStoreTest.task("a", "second a"), TraceStoreTest.gradedEpisode());
            store.record("d", 1_700_000_000_000L, TraceStoreTest.task("d", "d"), TraceStoreTest.gradedEpisode());
            store.flush();

            assertThat(store.dropped()).isZero();
            assertThat(summaries(store)).containsExactly("d: d", "c: c", "b: b", "a: second a");
        }
    }

    @Test
    void should_store_the_same_values_with_copy_as_with_row_by_row_upserts_in_postgresql() {
        String[] questions = {"tab\there", "new\nline and \r", "back\\slash \\N", "\\.", "ünïcödé ✓ 𝄞", "", "quote \" and ' and ;"};
        try (TraceStore copied = TraceStore.open(EmbeddedPg.newLocation()); TraceStore upserted = TraceStore.open(EmbeddedPg.newLocation())) {
            for (int i = 0; i < questions.length; i++) { // one batch: COPY
                copied.record("q" + i, 1_700_000_000_000L + i, TraceStoreTest.task("t" + i, questions[i]), episode(i));
            }
            for (int i = 0; i < questions.length; i++) { // batches of one: the upsert
                upserted.record("q" + i, 1_700_000_000_000L + i, TraceStoreTest.task("t" + i, questions[i]), episode(i));
                upserted.flush();
            }
            copied.flush();
            for (int i = 0; i < questions.length; i++) {
                JsonNode c = copied.get("q" + i).orElseThrow();
                assertThat(c).isEqualTo(upserted.get("q" + i).orElseThrow());
                assertThat(c.path("question").asText()).isEqualTo(questions[i]);
            }
        }
    }

    /** Graded, ungraded, without an answer and with an answer full of characters COPY escapes. */
    private static EpisodeResult episode(int i) {
        var g = TraceStoreTest.gradedEpisode();
        return switch (i % 3) {
            case 0 -> g;
            case 1 -> new EpisodeResult(g.taskId(), g.group(), g.policy(), g.seed(), Optional.empty(), 0,
                    "none", 0, g.calls(), 1e-7, 0.1 + 0.2, g.usage(), 0, g.errors(), true, g.steps(), g.notes());
            default -> new EpisodeResult(g.taskId(), g.group(), g.policy(), g.seed(),
                    Optional.of("a\tb\\c\nd\r"), 0.5, "judge", 0, g.calls(), g.costUsd(), g.latencyMs(), g.usage(), 0,
                    g.errors(), false, g.steps(), g.notes());
        };
    }

    /** All in the same millisecond, so only the insertion order (rowid, seq) orders them; closed without a flush. */
    private static void everyTraceInOrder(StoreLocation where) {
        List<String> ids = new ArrayList<>();
        try (TraceStore store = TraceStore.open(where)) {
            for (int i = 0; i < MANY; i++) {
                ids.add("ep-" + i);
                store.record("ep-" + i, 1_700_000_000_000L, TraceStoreTest.task("t-" + i, "question " + i), TraceStoreTest.gradedEpisode());
            }
        }
        try (TraceStore store = TraceStore.open(where)) {
            JsonNode recent = store.recent(MANY + 10);
            List<String> newestFirst = new ArrayList<>();
            recent.forEach(n -> newestFirst.add(n.path("id").asText()));
            Collections.reverse(ids);
            assertThat(newestFirst).hasSize(MANY).containsExactlyElementsOf(ids);
            JsonNode last = store.get("ep-" + (MANY - 1)).orElseThrow();
            assertThat(last.path("question").asText()).isEqualTo("question " + (MANY - 1));
            assertThat(last.path("steps")).hasSize(3);
            assertThat(last.at("/steps/1/observations/0/answer").asText()).isEqualTo("7");
            assertThat(store.dropped()).isZero();
        }
    }

    /** The same id twice in one batch: the later row's values win, at the place row-by-row writes gave it. */
    private static void repeatedIds(StoreLocation batched, StoreLocation oneByOne) {
        String[][] rows = {{"a", "first a"}, {"b", "b"}, {"c", "c"}, {"a", "second a"}, {"d", "d"}};
        try (TraceStore all = TraceStore.open(batched); TraceStore single = TraceStore.open(oneByOne)) {
            for (String[] r : rows) { // within the writer's linger time: one batch
                all.record(r[0], 1_700_000_000_000L, TraceStoreTest.task(r[0], r[1]), TraceStoreTest.gradedEpisode());
            }
            for (String[] r : rows) {
                single.record(r[0], 1_700_000_000_000L, TraceStoreTest.task(r[0], r[1]), TraceStoreTest.gradedEpisode());
                single.flush(); // a batch of one row: one single-row statement
            }
            all.flush();
            assertThat(all.dropped()).isZero();
            assertThat(summaries(all)).hasSize(4).containsExactlyElementsOf(summaries(single)).contains("a: second a");
        }
    }

    private static List<String> summaries(TraceStore store) {
        List<String> out = new ArrayList<>();
        store.recent(10).forEach(n -> out.add(n.path("id").asText() + ": " + n.path("question").asText()));
        return out;
    }
}
