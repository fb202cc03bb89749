package dev.maestro.experiment;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blind-tools suite: BlindTest puzzles with images, recorded models plus deterministic image tools. */
class BlindToolsSuiteTest {
    static Workbench wb;

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("data/blind"))) {
            p = p.getParent();
        }
        return p;
    }

    @BeforeAll
    static void open() {
        wb = Workbench.open(Suite.load(repo().resolve("data/blind/suite-tools.yaml")), Workbench.Options.defaults());
    }

    @AfterAll
    static void close() {
        wb.close();
    }

    @Test
    void should_keep_only_the_800_puzzles_with_images_and_split_them_like_the_blind_suite() {
        Suite tools = wb.suite().orElseThrow();
        Suite blind = Suite.load(repo().resolve("data/blind"));

        assertThat(tools.name()).isEqualTo("blind-tools");
        assertThat(tools.filter()).isEqualTo(new Suite.Filter(Optional.of(true)));
        assertThat(wb.tasks()).hasSize(800).allMatch(Task::hasImages);
        assertThat(wb.tasks().stream().collect(Collectors.groupingBy(Task::group, Collectors.counting())))
                .containsEntry("CountingCircles", 150L).containsEntry("NestedSquares", 120L).containsEntry("SubwayMap", 40L);
        assertThat(List.of(tools.splitSalt(), tools.testFraction(), tools.validationFraction()))
                .isEqualTo(List.of(blind.splitSalt(), blind.testFraction(), blind.validationFraction()));
    }

    @Test
    void should_pair_replayed_models_with_prompts_only_and_the_tool_model_with_tool_skills_only() {
        Map<String, List<String>> byModel = wb.registry().pairs().stream()
                .collect(Collectors.groupingBy(Pair::model, Collectors.mapping(Pair::skill, Collectors.toList())));

        assertThat(byModel).hasSize(5);
        wb.registry().models().stream().filter(m -> m.backend() == Backend.REPLAY)
                .forEach(m -> assertThat(byModel.get(m.id())).as(m.id()).containsExactly("prompt-1", "prompt-2"));
        assertThat(byModel.get("image-tools")).containsExactly("count-circles", "nested-squares", "grid-size",
                "line-intersections", "touching-circles");
        assertThat(wb.registry().model("image-tools").orElseThrow().description()).contains("no model");
    }

    @Test
    void should_grade_tool_answers_with_the_suite_grader_and_replayed_answers_by_their_flags() {
        // given ten counting puzzles
        List<Task> circles = wb.tasks().stream().filter(t -> t.group().equals("CountingCircles")).limit(10).toList();

        for (Task t : circles) {
            // when the counting tool answers
            EpisodeResult tool = wb.env().run(t, new FixedPairPolicy(new Pair("image-tools", "count-circles")), 1);
            // then it is right (the tool is 100% on the shipped images) and graded against gold, at no cost
            assertThat(tool.grade()).as(t.id()).isEqualTo(1.0);
            assertThat(tool.gradedBy()).isEqualTo("grader");
            assertThat(tool.costUsd()).isZero();
            assertThat(tool.steps().get(0).observations().get(0).text().orElseThrow()).startsWith("[count-circles] ");

            // and a replayed model's answer is graded by its recorded flag
            EpisodeResult replay = wb.env().run(t, new FixedPairPolicy(new Pair("GPT-4o", "prompt-1")), 1);
            assertThat(replay.gradedBy()).isEqualTo("recorded-flag");
        }
    }

    @Test
    void should_fail_a_tool_skill_on_another_puzzle_type_without_claiming_a_right_answer() {
        Task word = wb.tasks().stream().filter(t -> t.group().equals("CircledWord")).findFirst().orElseThrow();

        EpisodeResult r = wb.env().run(word, new FixedPairPolicy(new Pair("image-tools", "grid-size")), 1);

        assertThat(r.grade()).isZero();
    }

    @Test
    void should_refuse_an_unknown_filter_key(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("suite.yaml"), "name: x\nfilter: {has-image: true}\n");

        assertThatThrownBy(() -> Suite.load(dir)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("filter.has-image: unknown filter key; valid: has-images");
    }

    @Test
    void should_default_to_every_task_without_a_filter(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("suite.yaml"), "name: x\n");

        Suite s = Suite.load(dir);

        assertThat(s.filter()).isEqualTo(Suite.Filter.ALL);
        assertThat(s.filter().test(Task.text("a", "q", "a", "g"))).isTrue();
        assertThat(new Suite.Filter(Optional.of(true)).test(Task.text("a", "q", "a", "g"))).isFalse();
    }
}
