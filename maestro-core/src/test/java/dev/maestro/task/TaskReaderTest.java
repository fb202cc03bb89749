package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskReaderTest {

    @TempDir
    Path dir;

    @Test
    void should_read_all_3040_mathv_tasks_with_types_groups_and_images() {
        // when
        List<Task> tasks = TaskReader.read(Data.mathv("tasks.jsonl"));

        // then
        assertThat(tasks).hasSize(3040);
        Map<AnswerType, Long> byType = tasks.stream().collect(Collectors.groupingBy(Task::answerType, Collectors.counting()));
        assertThat(byType.get(AnswerType.CHOICE)).isEqualTo(1532);
        assertThat(byType.get(AnswerType.NUMBER) + byType.get(AnswerType.TEXT)).isEqualTo(1508);
        assertThat(tasks.stream().filter(Task::hasImages)).hasSize(304)
                .allSatisfy(t -> assertThat(t.images().get(0)).exists().hasFileName(t.id() + ".jpg"));
        assertThat(tasks.stream().map(Task::group).distinct()).hasSize(16);
        Task first = tasks.get(0);
        assertThat(first.id()).isEqualTo("1");
        assertThat(first.source()).isEqualTo("math-v");
        assertThat(first.group()).isEqualTo("arithmetic");
        assertThat(first.answers()).containsExactly("60");
        assertThat(first.answerType()).isEqualTo(AnswerType.NUMBER);
        assertThat(first.metadata()).containsEntry("level", "2").containsEntry("split", "test");
        assertThat(first.hasImages()).isFalse();
        assertThat(tasks.get(1).answerType()).isEqualTo(AnswerType.CHOICE);
        assertThat(tasks.get(1).options()).containsExactly("A", "B", "C", "D", "E");
    }

    @Test
    void should_read_all_5120_blindtest_tasks_as_prompt_slots_without_params() {
        // when
        List<Task> tasks = TaskReader.read(Data.blind("tasks.jsonl"));

        // then
        assertThat(tasks).hasSize(5120);
        assertThat(tasks).allSatisfy(t -> {
            assertThat(t.variants()).containsOnlyKeys("prompt-1", "prompt-2");
            assertThat(t.question()).isEqualTo(t.variants().get("prompt-1"));
            assertThat(t.metadata()).containsOnlyKeys("recorded-skill:prompt-1", "recorded-skill:prompt-2");
        });
        assertThat(tasks.stream().filter(Task::hasImages)).hasSize(800);
        Map<String, Long> byGroup = tasks.stream().collect(Collectors.groupingBy(Task::group, Collectors.counting()));
        assertThat(byGroup).containsEntry("LineIntersection", 1800L).containsEntry("CircledWord", 1248L)
                .containsEntry("SubwayMap", 536L).hasSize(7);
    }

    @Test
    void should_map_blindtest_variants_gold_and_types_by_task() {
        // given
        Map<String, Task> tasks = TaskReader.read(Data.blind("tasks.jsonl")).stream()
                .collect(Collectors.toMap(Task::id, t -> t));

        // then: CountingCircles lists how_many first, so slot 1 records as how_many
        Task circles = tasks.values().stream().filter(t -> t.group().equals("CountingCircles")).findFirst().orElseThrow();
        assertThat(circles.metadata()).containsEntry("recorded-skill:prompt-1", "how_many")
                .containsEntry("recorded-skill:prompt-2", "count");
        assertThat(circles.answerType()).isEqualTo(AnswerType.NUMBER);
        Task touching = tasks.get("TouchingCircle-0001");
        assertThat(touching.answerByVariant()).containsOnlyKeys("prompt-1", "prompt-2");
        assertThat(touching.answerType()).isEqualTo(AnswerType.TEXT);
        assertThat(touching.images().get(0)).exists();
        Task grid = tasks.values().stream().filter(t -> t.group().equals("CountingRowsAndColumns")).findFirst().orElseThrow();
        assertThat(grid.answers().get(0)).matches("\\d+x\\d+");
        assertThat(grid.answerType()).isEqualTo(AnswerType.TEXT);
        Task word = tasks.values().stream().filter(t -> t.group().equals("CircledWord")).findFirst().orElseThrow();
        assertThat(word.answers()).isEmpty();
        assertThat(word.answerType()).isEqualTo(AnswerType.UNKNOWN);
        assertThat(word.hasGold()).isFalse();
    }

    @Test
    void should_never_copy_blindtest_params_into_the_task() throws IOException {
        // given: params holding a recognisable secret
        write("images/a.png", "x");
        Path file = write("t.jsonl", "{\"id\":\"X-1\",\"source\":\"vlms-are-blind\",\"task\":\"NestedSquares\","
                + "\"question_variants\":{\"count\":\"Count squares {3}\",\"how_many\":\"How many squares?\"},"
                + "\"answer\":\"4\",\"params\":{\"depth\":4,\"source_name\":\"SECRET_depth_4\"},\"image\":\"images/a.png\"}");

        // when
        Task t = TaskReader.read(file).get(0);

        // then
        assertThat(t.toString()).doesNotContain("SECRET").doesNotContain("depth");
        assertThat(t.images()).containsExactly(dir.resolve("images/a.png"));
    }

    @Test
    void should_read_the_generic_format() throws IOException {
        // given
        write("img/q.png", "x");
        Path file = write("suite.jsonl",
                "{\"id\":\"q1\",\"source\":\"ours\",\"question\":\"2+2?\",\"answer\":4}\n"
                        + "\n"
                        + "{\"id\":\"q2\",\"source\":\"ours\",\"question\":\"Pick\",\"options\":[\"red\",\"blue\"],\"answer\":\"B\","
                        + "\"group\":\"colours\",\"images\":[\"img/q.png\"],\"metadata\":{\"k\":\"v\"}}\n"
                        + "{\"id\":\"q3\",\"source\":\"ours\",\"question\":\"Capital?\",\"answers\":[\"Paris\",\"paris, france\"]}\n"
                        + "{\"id\":\"q4\",\"source\":\"ours\",\"question\":\"Unknown?\",\"answer_type\":\"unknown\"}");

        // when
        List<Task> tasks = TaskReader.read(file);

        // then
        assertThat(tasks).extracting(Task::answerType)
                .containsExactly(AnswerType.NUMBER, AnswerType.CHOICE, AnswerType.TEXT, AnswerType.UNKNOWN);
        assertThat(tasks.get(0).group()).isEqualTo("ours");
        assertThat(tasks.get(1).group()).isEqualTo("colours");
        assertThat(tasks.get(1).images()).containsExactly(dir.resolve("img/q.png"));
        assertThat(tasks.get(1).metadata()).containsEntry("k", "v");
        assertThat(tasks.get(2).answers()).containsExactly("Paris", "paris, france");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad json            | {\"id\":\"a\",                                                   | :1: bad JSON",
        "not an object       | [1,2]                                                           | :1: expected a JSON object",
        "missing id          | {\"source\":\"ours\",\"question\":\"q\",\"answer\":\"1\"}          | :1: missing 'id'",
        "missing question    | {\"id\":\"a\",\"source\":\"ours\",\"answer\":\"1\"}                | :1: task 'a': missing 'question'",
        "mathv no question   | {\"id\":\"a\",\"source\":\"math-v\",\"options\":[],\"answer\":\"1\"} | :1: task 'a': missing 'question'",
        "mathv bad letter    | {\"id\":\"a\",\"source\":\"math-v\",\"question\":\"q\",\"options\":[\"x\",\"y\"],\"answer\":\"C\"} | not an option letter A-B",
        "escaping image      | {\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\",\"images\":[\"../../etc/passwd\"]} | escapes the folder",
        "absolute image      | {\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\",\"images\":[\"/etc/passwd\"]} | is absolute",
        "missing image       | {\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\",\"images\":[\"nope.png\"]} | image file 'nope.png' not found",
        "bad answer type     | {\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\",\"answer_type\":\"essay\"} | is not one of choice, number, text, unknown",
        "blind no variants   | {\"id\":\"a\",\"source\":\"vlms-are-blind\",\"task\":\"T\"}       | missing 'question_variants'",
        "object as id        | {\"id\":{\"x\":1},\"source\":\"ours\",\"question\":\"q\"}          | field 'id' must be a string or number",
    })
    void should_name_file_line_and_problem_for_corrupt_rows(String name, String line, String expected) throws IOException {
        // given
        Path file = write("bad.jsonl", line.strip());

        // when / then
        assertThatThrownBy(() -> TaskReader.read(file)).isInstanceOf(MaestroException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(expected.strip());
    }

    @Test
    void should_reject_duplicate_ids_with_the_second_line_number() throws IOException {
        // given
        Path file = write("dup.jsonl", "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\"}\n"
                + "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\"}");

        // when / then
        assertThatThrownBy(() -> TaskReader.read(file)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("dup.jsonl:2: duplicate id 'a'");
    }

    @Test
    void should_cap_line_and_question_length_against_hostile_input() throws IOException {
        // given
        String huge = "x".repeat(5000);
        Path file = write("huge.jsonl", "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"" + huge + "\"}\n"
                + "{\"id\":\"b\",\"source\":\"ours\",\"question\":\"" + "y".repeat(200) + "\"}\n"
                + "{\"id\":\"c\",\"source\":\"ours\",\"question\":\"ok\"}");
        TaskReader.Options opts = TaskReader.Options.defaults().withMaxLineChars(1000).withMaxQuestionChars(100);

        // when / then
        assertThatThrownBy(() -> TaskReader.read(file, opts)).hasMessageContaining("huge.jsonl:1: line longer than 1000");
        TaskReader.Result lenient = TaskReader.read(file, opts.withLenient(true));
        assertThat(lenient.tasks()).extracting(Task::id).containsExactly("c");
        assertThat(lenient.skipped()).isEqualTo(2);
        assertThat(lenient.problems().get(1)).contains("huge.jsonl:2: task 'b': question longer than 100");
    }

    @Test
    void should_refuse_a_line_without_newline_beyond_the_default_cap_naming_the_setting() throws IOException {
        // given 20 MiB without a newline (the default cap is 16 MiB)
        Path file = dir.resolve("endless.jsonl");
        try (Writer w = Files.newBufferedWriter(file)) {
            char[] block = new char[1 << 20];
            Arrays.fill(block, 'x');
            for (int i = 0; i < 20; i++) {
                w.write(block);
            }
        }

        // when / then: one line naming file:line, the limit and how to raise it
        assertThatThrownBy(() -> TaskReader.read(file)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("endless.jsonl:1: line longer than 16777216 characters")
                .hasMessageContaining("MAESTRO_MAX_LINE_BYTES");
    }

    @Test
    void should_skip_and_count_corrupt_rows_when_lenient() throws IOException {
        // given
        Path file = write("mixed.jsonl", "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\"}\n"
                + "not json\n"
                + "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\"}\n"
                + "{\"id\":\"b\",\"source\":\"ours\",\"question\":\"q\"}\r\n");

        // when
        TaskReader.Result r = TaskReader.read(file, TaskReader.Options.defaults().withLenient(true));

        // then
        assertThat(r.tasks()).extracting(Task::id).containsExactly("a", "b");
        assertThat(r.skipped()).isEqualTo(2);
        assertThat(r.problems()).hasSize(2).anySatisfy(p -> assertThat(p).contains("mixed.jsonl:2: bad JSON"))
                .anySatisfy(p -> assertThat(p).contains("mixed.jsonl:3: duplicate id"));
    }

    @Test
    void should_fail_clearly_for_a_missing_file() {
        assertThatThrownBy(() -> TaskReader.read(dir.resolve("none.jsonl"))).isInstanceOf(MaestroException.class)
                .hasMessageContaining("cannot read tasks file").hasMessageContaining("none.jsonl");
    }

    @Test
    void should_refuse_an_image_symlink_that_leads_outside_the_folder(@TempDir Path outside) throws IOException {
        // given: suite/img/q.png -> a file in another folder
        Path secret = Files.writeString(outside.resolve("secret.png"), "x");
        Path file = write("suite/tasks.jsonl", "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\",\"images\":[\"img/q.png\"]}");
        Files.createDirectories(dir.resolve("suite/img"));
        Files.createSymbolicLink(dir.resolve("suite/img/q.png"), secret);

        // when / then
        assertThatThrownBy(() -> TaskReader.read(file)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("tasks.jsonl:1").hasMessageContaining("image path 'img/q.png' escapes the folder")
                .hasMessageContaining("symbolic link");
    }

    @Test
    void should_accept_an_image_symlink_that_stays_inside_the_folder() throws IOException {
        // given: suite/img/q.png -> suite/real/q.png
        Path real = write("suite/real/q.png", "x");
        Path file = write("suite/tasks.jsonl", "{\"id\":\"a\",\"source\":\"ours\",\"question\":\"q\",\"images\":[\"img/q.png\"]}");
        Files.createDirectories(dir.resolve("suite/img"));
        Files.createSymbolicLink(dir.resolve("suite/img/q.png"), real);

        // when / then
        assertThat(TaskReader.read(file).get(0).images()).containsExactly(dir.resolve("suite/img/q.png"));
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }
}
