package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.expert.ExpertError;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The shipped MMLU-Pro replay suite: its registry, its tasks, and how the replay treats missing and empty rows. */
class MmluproSuiteTest {
    static final Path DATA = Path.of("..", "data");

    @Test
    void should_replay_a_missing_row_as_not_recorded_and_a_null_answer_as_an_output_without_an_answer() {
        try (Workbench wb = Workbench.open(Suite.load(DATA.resolve("mmlupro")), Workbench.Options.defaults())) {
            // the registry: 24 recorded models, one skill, each with a description and a price
            assertThat(wb.registry().name()).isEqualTo("mmlupro-replay");
            assertThat(wb.registry().models()).hasSize(24);
            assertThat(wb.registry().pairs()).hasSize(24);
            for (ModelCard m : wb.registry().models()) {
                assertThat(m.description()).as(m.id()).isNotBlank();
                assertThat(m.price().inputPerMillion()).as(m.id()).isPositive();
            }
            // the tasks: all 12,032 questions, the category as group, ten options at most
            assertThat(wb.tasks()).hasSize(12_032);
            Set<String> groups = wb.tasks().stream().map(Task::group).collect(Collectors.toSet());
            assertThat(groups).hasSize(14).contains("math", "law", "chemistry");
            assertThat(wb.tasks()).allMatch(t -> !t.options().isEmpty() && t.options().size() <= 10);

            Pair deepseek = Pair.parse("DeepSeek-Coder-V2@@cot-5shot");
            // question 3872 has no DeepSeek-Coder-V2 row: an error observation, never a guess
            EpisodeResult missing = wb.env().run(task(wb, "3872"), new FixedPairPolicy(deepseek), 7);
            Observation o = missing.steps().get(0).observations().get(0);
            assertThat(o.error()).map(ExpertError::kind).contains(ExpertError.Kind.NOT_RECORDED);
            assertThat(missing.expertFailures()).isEqualTo(1);
            assertThat(missing.grade()).isZero();
            // question 177's row has a null answer (upstream extracted none): an ordinary output without an answer
            EpisodeResult empty = wb.env().run(task(wb, "177"), new FixedPairPolicy(deepseek), 7);
            Observation e = empty.steps().get(0).observations().get(0);
            assertThat(e.ok()).isTrue();
            assertThat(e.answer().filter(a -> !a.isBlank())).isEmpty();
            assertThat(empty.expertFailures()).isZero();
            assertThat(empty.grade()).isZero();
            // billed at the fixed 5-shot prompt size plus the recorded output estimate, at the registry's price
            assertThat(e.usage().inputTokens()).isEqualTo(2000);
            ModelCard m = wb.registry().model("DeepSeek-Coder-V2").orElseThrow();
            assertThat(e.costUsd()).isCloseTo(m.price().cost(2000, e.usage().outputTokens()), Offset.offset(1e-12));
        }
    }

    private static Task task(Workbench wb, String id) {
        return wb.tasks().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }
}
