package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetTaskReaderTest {

    @TempDir
    Path dir;

    private static Path fixture() {
        return Path.of("src/test/resources/parquet/verl-sample.parquet").toAbsolutePath();
    }

    @Test
    void should_read_the_committed_verl_fixture() throws IOException {
        // when
        List<Task> tasks = ParquetTaskReader.read(fixture(), dir.resolve("images"));

        // then
        assertThat(tasks).extracting(Task::id).containsExactly("0", "1", "2");
        Task first = tasks.get(0);
        assertThat(first.source()).isEqualTo("mathv");
        assertThat(first.question()).isEqualTo("What is 2+2?");
        assertThat(first.answers()).containsExactly("4");
        assertThat(first.answerType()).isEqualTo(AnswerType.NUMBER);
        assertThat(first.metadata()).containsEntry("split", "train").containsKey("system-prompt");
        assertThat(first.images()).hasSize(1);
        assertThat(first.images().get(0).getFileName().toString()).endsWith(".png");
        assertThat(Files.readAllBytes(first.images().get(0))).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        Task chart = tasks.get(1);
        assertThat(chart.images()).hasSize(2);
        assertThat(chart.images().get(1).getFileName().toString()).endsWith(".jpg");
        // the same bytes are stored once
        assertThat(chart.images().get(0)).isEqualTo(first.images().get(0));
        assertThat(chart.answerType()).isEqualTo(AnswerType.TEXT);
        Task half = tasks.get(2);
        assertThat(half.question()).isEqualTo("Half of one?"); // from the user message: extra_info.question is null
        assertThat(half.images()).isEmpty();
        assertThat(AnswerGrader.create().grade(half, "0.5")).isOne();
    }

    @Test
    void should_round_trip_tasks_through_the_writer() throws IOException {
        // given
        Path png = dir.resolve("x.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3});
        List<Task> tasks = List.of(
                new Task("7", "math-v", "Which? <image1>", List.of("$8 \\mathrm{~kg}$", "9 kg"), List.of("A"),
                        AnswerType.CHOICE, "arithmetic", List.of(png), Map.of(), Map.of(), Map.of("split", "testmini")),
                new Task("LineIntersection-0001", "vlms-are-blind", "Count {2}", List.of(), List.of("2"), AnswerType.NUMBER,
                        "LineIntersection", List.of(), Map.of(), Map.of(), Map.of()),
                new Task("w", "vlms-are-blind", "Which letter?", List.of(), List.of(), AnswerType.UNKNOWN, "CircledWord",
                        List.of(), Map.of(), Map.of(), Map.of()));
        Path out = dir.resolve("out/export.parquet");

        // when
        ParquetTaskWriter.write(tasks, "You are Maestro.", out);
        List<Task> back = ParquetTaskReader.read(out, dir.resolve("cache"));

        // then
        assertThat(back).hasSize(3);
        for (int i = 0; i < 3; i++) {
            Task a = tasks.get(i);
            Task b = back.get(i);
            assertThat(b.id()).isEqualTo(a.id());
            assertThat(b.source()).isEqualTo(a.source());
            assertThat(b.question()).isEqualTo(a.question());
            assertThat(b.options()).isEqualTo(a.options());
            assertThat(b.answers()).isEqualTo(a.answers());
            assertThat(b.answerType()).isEqualTo(a.answerType());
            assertThat(b.group()).isEqualTo(a.group());
            assertThat(b.images()).hasSameSizeAs(a.images());
        }
        assertThat(Files.readAllBytes(back.get(0).images().get(0))).isEqualTo(Files.readAllBytes(png));
        assertThat(back.get(0).metadata()).containsEntry("split", "testmini").containsEntry("system-prompt", "You are Maestro.");
    }

    @Test
    void should_write_the_verl_column_shape() throws Exception {
        // given
        Path out = dir.resolve("shape.parquet");
        Task t = new Task("1", "math-v", "Q?", List.of("a", "b"), List.of("B"), AnswerType.CHOICE, "g", List.of(),
                Map.of(), Map.of(), Map.of());

        // when
        ParquetTaskWriter.write(List.of(t), "", out, Split.standard());

        // then: read back with plain SQL
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT data_source, len(prompt), prompt[1].role, prompt[1].content, "
                     + "len(images), reward_model.ground_truth, extra_info.index, extra_info.split FROM read_parquet("
                     + ParquetTaskReader.literal(out.toString()) + ")")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("math-v");
            assertThat(rs.getInt(2)).isEqualTo(1); // no system message for an empty system prompt
            assertThat(rs.getString(3)).isEqualTo("user");
            assertThat(rs.getString(4)).isEqualTo("Q?\nOptions:\n(A) a\n(B) b");
            assertThat(rs.getInt(5)).isZero();
            assertThat(rs.getString(6)).isEqualTo("B");
            assertThat(rs.getString(7)).isEqualTo("1");
            assertThat(rs.getString(8)).isEqualTo(Split.standard().assign(t).name().toLowerCase());
        }
    }

    @Test
    void should_reject_files_that_are_not_verl_parquet() throws Exception {
        // given
        Path other = dir.resolve("other.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 1 AS x) TO " + ParquetTaskReader.literal(other.toString()) + " (FORMAT parquet)");
        }

        // then
        assertThatThrownBy(() -> ParquetTaskReader.read(other, dir)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("column 'data_source' missing");
        assertThatThrownBy(() -> ParquetTaskReader.read(dir.resolve("none.parquet"), dir))
                .isInstanceOf(MaestroException.class).hasMessageContaining("parquet file not found");
    }

    @Test
    void should_resolve_path_only_images_inside_the_folder() throws Exception {
        // given
        Files.write(dir.resolve("pic.png"), new byte[] {1});
        Path ok = dir.resolve("ok.parquet");
        Path bad = dir.resolve("bad.parquet");
        writePathOnly(ok, "pic.png");
        writePathOnly(bad, "../outside.png");

        // then
        assertThat(ParquetTaskReader.read(ok, dir).get(0).images()).containsExactly(dir.resolve("pic.png"));
        assertThatThrownBy(() -> ParquetTaskReader.read(bad, dir)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("escapes the folder");
    }

    @Test
    void should_refuse_absolute_and_symlinked_image_paths_that_leave_the_folder(@TempDir Path outside) throws Exception {
        // given: an absolute path to an existing file outside, and a symlink inside that points outside
        Path secret = Files.write(outside.resolve("secret.png"), new byte[] {1});
        Files.createSymbolicLink(dir.resolve("link.png"), secret);
        Path absolute = dir.resolve("absolute.parquet");
        Path linked = dir.resolve("linked.parquet");
        writePathOnly(absolute, secret.toString());
        writePathOnly(linked, "link.png");

        // then
        assertThatThrownBy(() -> ParquetTaskReader.read(absolute, dir)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("escapes the folder");
        assertThatThrownBy(() -> ParquetTaskReader.read(linked, dir)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("image path 'link.png' escapes the folder").hasMessageContaining("symbolic link");
    }

    private static void writePathOnly(Path out, String path) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'x' AS data_source, [{'role': 'user', 'content': 'q'}] AS prompt, "
                    + "[{'bytes': NULL::BLOB, 'path': " + ParquetTaskReader.literal(path) + "}] AS images, "
                    + "{'ground_truth': '1'} AS reward_model) TO " + ParquetTaskReader.literal(out.toString())
                    + " (FORMAT parquet)");
        }
    }
}
