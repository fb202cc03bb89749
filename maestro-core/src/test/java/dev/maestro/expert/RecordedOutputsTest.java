package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.io.GzipBomb;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordedOutputsTest {
    @TempDir
    Path dir;

    private static RecordedOutputs parse(String text, RecordedOutputs.Mode mode) {
        return RecordedOutputs.read(new StringReader(text), "rows.jsonl", mode);
    }

    @Test
    void should_index_rows_by_task_model_and_skill_with_all_optional_fields() {
        String rows = """
                {"task_id": "1", "model": "M", "skill": "cot", "response": "so 60", "answer": "60", "correct": true, "tokens": {"input": 812, "output": 95}, "cost_usd": 0.002, "latency_ms": 1450}
                {"task_id": 2, "model": "M", "skill": "cot", "correct": false, "tokens": 40, "extra": {"ignored": [1, 2]}}

                {"task_id": "1", "model": "M", "skill": "direct", "answer": null, "correct": null}
                """;

        RecordedOutputs out = parse(rows, RecordedOutputs.Mode.STRICT);

        assertThat(out.size()).isEqualTo(3);
        RecordedOutputs.Row full = out.find("1", "M", "cot").orElseThrow();
        assertThat(full.response()).contains("so 60");
        assertThat(full.answer()).contains("60");
        assertThat(full.correct()).contains(true);
        assertThat(full.inputTokens()).isEqualTo(OptionalLong.of(812));
        assertThat(full.outputTokens()).isEqualTo(OptionalLong.of(95));
        assertThat(full.costUsd()).isEqualTo(OptionalDouble.of(0.002));
        assertThat(full.latencyMs()).isEqualTo(OptionalDouble.of(1450));
        RecordedOutputs.Row numeric = out.find("2", "M", "cot").orElseThrow();
        assertThat(numeric.correct()).contains(false);
        assertThat(numeric.inputTokens()).isEmpty();
        assertThat(numeric.outputTokens()).isEqualTo(OptionalLong.of(40));
        RecordedOutputs.Row bare = out.find("1", "M", "direct").orElseThrow();
        assertThat(bare.response()).isEmpty();
        assertThat(bare.answer()).isEmpty();
        assertThat(bare.correct()).isEmpty();
        assertThat(out.find("1", "M", "other")).isEmpty();
        assertThat(out.find("3", "M", "cot")).isEmpty();
        assertThat(out.find("1", "N", "cot")).isEmpty();
        assertThat(out.models()).containsExactly("M");
        assertThat(out.skills("M")).containsExactlyInAnyOrder("cot", "direct");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\", \"correct\": \"yes\"}|field 'correct' must be true, false or null",
            "{\"task_id\": \"1\", \"model\": \"M\"}|missing required field(s) skill",
            "{\"model\": \"M\", \"skill\": \"s\"}|missing required field(s) task_id",
            "{\"task_id\": \"1\", \"model\": 3, \"skill\": \"s\"}|field 'model' must be a non-empty string",
            "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\", \"tokens\": {\"input\": 3}}|needs an 'output' count",
            "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\", \"latency_ms\": -5}|field 'latency_ms' must be a number >= 0",
            "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\"|invalid JSON",
            "[1, 2]|expected a JSON object",
            "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\"} {}|trailing content"})
    void should_reject_a_corrupt_row_naming_file_and_line(String bad, String expected) {
        String rows = "{\"task_id\": \"0\", \"model\": \"M\", \"skill\": \"s\"}\n" + bad + "\n";

        assertThatThrownBy(() -> parse(rows, RecordedOutputs.Mode.STRICT))
                .isInstanceOf(MaestroException.class)
                .hasMessageStartingWith("rows.jsonl:2: ")
                .hasMessageContaining(expected);
    }

    @Test
    void should_reject_duplicates_naming_both_lines() {
        String rows = """
                {"task_id": "1", "model": "M", "skill": "s", "correct": true}
                {"task_id": "2", "model": "M", "skill": "s", "correct": true}
                {"task_id": "1", "model": "M", "skill": "s", "correct": false}
                """;

        assertThatThrownBy(() -> parse(rows, RecordedOutputs.Mode.STRICT))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("rows.jsonl:3: duplicate row for task 1, model M, skill s (first at line 1)");
    }

    @Test
    void should_skip_and_count_corrupt_rows_in_lenient_mode() {
        String rows = """
                {"task_id": "1", "model": "M", "skill": "s", "correct": true}
                not json
                {"task_id": "1", "model": "M", "skill": "s", "correct": false}
                {"task_id": "2", "model": "M", "skill": "s", "correct": false}
                """;

        RecordedOutputs out = parse(rows, RecordedOutputs.Mode.LENIENT);

        assertThat(out.size()).isEqualTo(2);
        assertThat(out.skipped()).isEqualTo(2);
        assertThat(out.problems()).hasSize(2);
        assertThat(out.problems().get(0)).startsWith("rows.jsonl:2: invalid JSON");
        assertThat(out.problems().get(1)).startsWith("rows.jsonl:3: duplicate");
        assertThat(out.find("1", "M", "s").orElseThrow().correct()).contains(true);
    }

    @Test
    void should_read_gzip_by_content_and_share_one_index_per_path() throws IOException {
        // given the same rows plain and gzip-compressed under a misleading name
        String rows = "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\", \"answer\": \"B\"}\n";
        Path plain = Files.writeString(dir.resolve("r.jsonl"), rows);
        Path gz = dir.resolve("r.data");
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(gz))) {
            os.write(rows.getBytes(StandardCharsets.UTF_8));
        }

        // when
        RecordedOutputs a = RecordedOutputs.load(plain);
        RecordedOutputs b = RecordedOutputs.load(dir.resolve("./r.jsonl"));
        RecordedOutputs c = RecordedOutputs.load(gz);

        // then
        assertThat(b).isSameAs(a);
        assertThat(c.find("1", "M", "s").orElseThrow().answer()).contains("B");
        assertThat(a.find("1", "M", "s").orElseThrow().answer()).contains("B");
    }

    @Test
    void should_reload_a_changed_file() throws IOException {
        Path f = Files.writeString(dir.resolve("r.jsonl"), "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\"}\n");
        RecordedOutputs first = RecordedOutputs.load(f);
        Files.writeString(f, "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\"}\n"
                + "{\"task_id\": \"2\", \"model\": \"M\", \"skill\": \"s\"}\n");

        RecordedOutputs second = RecordedOutputs.load(f);

        assertThat(second.size()).isEqualTo(2);
        assertThat(first.size()).isEqualTo(1);
    }

    @Test
    void should_refuse_a_gzip_bomb_without_newline_in_one_line_naming_the_limit() throws IOException {
        // given 64 MiB of 'A' with no newline in 70 kB of gzip (the attack used 4.5 GiB: NegativeArraySizeException)
        Path bomb = GzipBomb.write(dir.resolve("recorded.jsonl.gz"), 64, (byte) 'A');

        // when / then: strict and lenient alike, one line naming file:line, the limit and its setting
        for (RecordedOutputs.Mode mode : RecordedOutputs.Mode.values()) {
            assertThatThrownBy(() -> RecordedOutputs.read(bomb, mode))
                    .isInstanceOf(MaestroException.class)
                    .hasMessageStartingWith(bomb + ":1: line longer than 16 MiB")
                    .hasMessageContaining("MAESTRO_MAX_LINE_BYTES")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void should_refuse_gzip_data_inflating_beyond_the_cap(@TempDir Path tmp) throws IOException {
        // given 64 MiB of newlines: every line is short, only the total is absurd
        Path bomb = GzipBomb.write(tmp.resolve("recorded.jsonl.gz"), 64, (byte) '\n');

        assertThatThrownBy(() -> RecordedOutputs.read(bomb, RecordedOutputs.Mode.LENIENT, 1 << 20, 8L << 20))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("decompresses to more than 8 MiB")
                .hasMessageContaining("MAESTRO_MAX_INFLATED_BYTES");
    }

    @Test
    void should_name_a_missing_file() {
        assertThatThrownBy(() -> RecordedOutputs.load(dir.resolve("nope.jsonl.gz")))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("recorded outputs file not found")
                .hasMessageContaining("nope.jsonl.gz");
    }

    @Test
    void should_load_all_mathv_rows_quickly() {
        Path file = Fixtures.data("mathv/recorded.jsonl.gz");
        RecordedOutputs.read(file, RecordedOutputs.Mode.STRICT); // warm-up (class loading, JIT)

        // CPU time of this thread: wall time on a shared 2-core machine mostly measures the neighbours
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        RecordedOutputs out = RecordedOutputs.read(file, RecordedOutputs.Mode.STRICT);
        double ms = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
        double wallMs = (System.nanoTime() - t0) / 1e6;

        System.out.printf("MATH-V recorded rows: %d loaded in %.1f ms CPU (%.1f ms wall)%n", out.size(), ms, wallMs);
        assertThat(out.size()).isEqualTo(45_600);
        assertThat(out.skipped()).isZero();
        assertThat(out.models()).hasSize(12);
        assertThat(ms).isLessThan(2000);
    }

    @Test
    void should_load_all_blind_rows() {
        RecordedOutputs out = RecordedOutputs.read(Fixtures.data("blind/recorded.jsonl.gz"), RecordedOutputs.Mode.STRICT);
        assertThat(out.size()).isEqualTo(40_960);
        assertThat(out.models()).containsExactlyInAnyOrder("GPT-4o", "Gemini-1.5-Pro", "Claude-3-Sonnet", "Claude-3.5-Sonnet");
    }
}
