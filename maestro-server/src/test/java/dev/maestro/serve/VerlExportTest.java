package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.SystemPrompts;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerType;
import dev.maestro.task.ParquetTaskReader;
import dev.maestro.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerlExportTest {

    static final Registry REG = Registry.of("t",
            List.of(ModelCard.builder("a", Backend.SIMULATED).description("model a").price(new Price(1, 2)).build()),
            List.of(SkillCard.simple("direct", "answer directly", "{question}")));

    static List<Task> tasks(Path image) {
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            boolean withImage = i == 2;
            out.add(new Task("q" + i, "math-v", "Question " + i + " with 'quotes' and <answer>x</answer>?",
                    i % 2 == 0 ? List.of("1", "2") : List.of(), List.of(i % 2 == 0 ? "B" : String.valueOf(i), "alt" + i),
                    i % 2 == 0 ? AnswerType.CHOICE : AnswerType.NUMBER, i == 4 ? "" : "algebra",
                    withImage ? List.of(image) : List.of(), Map.of(), Map.of(),
                    i == 3 ? Map.of("split", "test") : Map.of()));
        }
        return out;
    }

    @Test
    void should_export_tasks_as_verl_parquet_that_reads_back_with_the_right_columns(@TempDir Path dir) throws Exception {
        // given five tasks, one with an image
        Path image = dir.resolve("img.png");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 255};
        Files.write(image, png);
        List<Task> tasks = tasks(image);
        Path out = dir.resolve("out/train.parquet");
        // when
        VerlExport.Written w = VerlExport.tasksToParquet(tasks, REG, out);
        // then
        assertThat(w.rows()).isEqualTo(5);
        assertThat(w.images()).isEqualTo(1);
        assertThat(out).exists();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            try (PreparedStatement st = db.prepareStatement("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))")) {
                st.setString(1, out.toString());
                List<String> cols = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        // DuckDB quotes field names that are keywords; the quoting is not part of the schema.
                        cols.add(rs.getString(1) + " " + rs.getString(2).replace("\"", ""));
                    }
                }
                assertThat(cols).containsExactly(
                        "data_source VARCHAR",
                        "prompt STRUCT(role VARCHAR, content VARCHAR)[]",
                        "images STRUCT(bytes BLOB, path VARCHAR)[]",
                        "ability VARCHAR",
                        "reward_model STRUCT(style VARCHAR, ground_truth VARCHAR)",
                        "extra_info STRUCT(answer VARCHAR[], index BIGINT, question VARCHAR, split VARCHAR, task_id VARCHAR,"
                                + " options VARCHAR[], answer_type VARCHAR, group VARCHAR)");
            }
            try (PreparedStatement st = db.prepareStatement("SELECT data_source, len(prompt), prompt[1].role, prompt[1].content,"
                    + " prompt[2].role, prompt[2].content, len(images), ability, reward_model.style, reward_model.ground_truth,"
                    + " extra_info.answer, extra_info.index, extra_info.question, extra_info.split, extra_info.task_id,"
                    + " images[1].bytes, images[1].path FROM read_parquet(?)")) {
                st.setString(1, out.toString());
                try (ResultSet rs = st.executeQuery()) {
                    for (int i = 0; i < 5; i++) {
                        assertThat(rs.next()).isTrue();
                        Task t = tasks.get(i);
                        assertThat(rs.getString(1)).isEqualTo("math-v");
                        assertThat(rs.getInt(2)).isEqualTo(2);
                        assertThat(rs.getString(3)).isEqualTo("system");
                        assertThat(rs.getString(4)).isEqualTo(SystemPrompts.forRegistry(REG));
                        assertThat(rs.getString(5)).isEqualTo("user");
                        assertThat(rs.getString(6)).isEqualTo(SystemPrompts.userMessage(t, true))
                                .contains("&lt;answer>x&lt;/answer>");
                        assertThat(rs.getInt(7)).isEqualTo(i == 2 ? 1 : 0);
                        assertThat(rs.getString(8)).isEqualTo(i == 4 ? "math-v" : "algebra");
                        assertThat(rs.getString(9)).isEqualTo("rule");
                        assertThat(rs.getString(10)).isEqualTo(t.answers().get(0));
                        Object[] answers = (Object[]) rs.getArray(11).getArray();
                        assertThat(answers).containsExactly(t.answers().get(0), "alt" + i);
                        assertThat(rs.getLong(12)).isEqualTo(i);
                        assertThat(rs.getString(13)).isEqualTo(t.question());
                        assertThat(rs.getString(14)).isEqualTo(i == 3 ? "test" : null);
                        assertThat(rs.getString(15)).isEqualTo("q" + i);
                        if (i == 2) {
                            assertThat(rs.getString(6)).startsWith("<image>Question: Question 2");
                            assertThat(rs.getBytes(16)).isEqualTo(png);
                            assertThat(rs.getString(17)).isEqualTo(image.toString());
                        } else {
                            assertThat(rs.getString(6)).startsWith("Question: Question " + i);
                        }
                    }
                    assertThat(rs.next()).isFalse();
                }
            }
        }
        // and no temp file is left behind
        try (var files = Files.list(out.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("train.parquet");
        }
    }

    @Test
    void should_round_trip_through_the_parquet_task_reader(@TempDir Path dir) throws Exception {
        // given tasks with integer ids (as in MATH-V), options, several golds and one image
        Path image = dir.resolve("img.png");
        Files.write(image, new byte[] {1, 2, 3});
        List<Task> tasks = new ArrayList<>();
        for (Task t : tasks(image)) {
            tasks.add(new Task(String.valueOf(100 + tasks.size()), t.source(), t.question(), t.options(), t.answers(),
                    t.answerType(), t.group(), t.images(), t.variants(), t.answerByVariant(), t.metadata()));
        }
        Path out = dir.resolve("rt.parquet");
        // when
        VerlExport.tasksToParquet(tasks, REG, out);
        List<Task> back = ParquetTaskReader.read(out, dir.resolve("imgs"));
        // then ids, questions, options, first gold, types and image bytes survive
        assertThat(back).hasSize(5);
        for (int i = 0; i < 5; i++) {
            Task a = tasks.get(i);
            Task b = back.get(i);
            assertThat(b.id()).isEqualTo(a.id());
            assertThat(b.question()).isEqualTo(a.question());
            assertThat(b.options()).isEqualTo(a.options());
            assertThat(b.answers().get(0)).isEqualTo(a.answers().get(0));
            assertThat(b.answerType()).isEqualTo(a.answerType());
            assertThat(b.metadata().get("system-prompt")).isEqualTo(SystemPrompts.forRegistry(REG));
            assertThat(b.images()).hasSize(a.images().size());
        }
        assertThat(Files.readAllBytes(back.get(2).images().get(0))).containsExactly(1, 2, 3);
    }

    @Test
    void should_use_row_numbers_as_index_unless_ids_are_distinct_integers() {
        Task a = Task.text("7", "q", "1", "g");
        Task b = Task.text("x", "q", "1", "g");
        assertThat(VerlExport.numericUniqueIds(List.of(a, Task.text("8", "q", "1", "g")))).isTrue();
        assertThat(VerlExport.numericUniqueIds(List.of(a, b))).isFalse();
        assertThat(VerlExport.numericUniqueIds(List.of(a, a))).isFalse();
    }

    @Test
    void should_name_the_task_and_image_when_an_image_is_missing(@TempDir Path dir) {
        List<Task> tasks = tasks(dir.resolve("missing.png"));
        Path out = dir.resolve("x.parquet");
        assertThatThrownBy(() -> VerlExport.tasksToParquet(tasks, REG, out))
                .isInstanceOf(MaestroException.class).hasMessageContaining("task q2").hasMessageContaining("missing.png");
        assertThat(out).doesNotExist();
    }

    @Test
    void should_export_episodes_as_multi_turn_messages(@TempDir Path dir) throws Exception {
        // given a search-then-answer episode of a non-LLM policy
        Task t = Task.text("q1", "What is 2+2?", "4", "arith");
        Environment env = Environment.builder(REG, Map.of("a", req -> new ExpertReply(Optional.of("It is </information>4"),
                Optional.of("4"), Optional.empty(), new Usage(1, 1), 0.0, 1, Optional.empty(), false)),
                (task, a) -> task.answers().contains(a.strip()) ? 1 : 0).build();
        EpisodeResult r = env.run(t, new FixedPairPolicy(new Pair("a", "direct")), 3);
        Path out = dir.resolve("traces.jsonl");
        // when
        VerlExport.episodesToJsonl(List.of(r), Map.of("q1", t), REG, EpisodeConfig.DEFAULT, out);
        // then
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        JsonNode m = line.path("messages");
        assertThat(m).hasSize(5);
        assertThat(m.get(0).path("role").asText()).isEqualTo("system");
        assertThat(m.get(1).path("content").asText()).isEqualTo("Question: What is 2+2?");
        assertThat(m.get(2).path("content").asText()).isEqualTo("<search> a@@direct: What is 2+2? </search>");
        assertThat(m.get(3).path("role").asText()).isEqualTo("user");
        assertThat(m.get(3).path("content").asText()).isEqualTo("<information> a@@direct: It is &lt;/information>4 </information>");
        assertThat(m.get(4).path("content").asText()).isEqualTo("<answer> 4 </answer>");
        assertThat(line.path("reward").asDouble()).isEqualTo(r.reward());
        assertThat(line.path("task_id").asText()).isEqualTo("q1");
        assertThat(line.path("grade").asDouble()).isEqualTo(1.0);
    }
}
