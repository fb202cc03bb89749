package dev.maestro.collect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.eval.PairMatrix;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.Workbench;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collecting is faithful: collect 160 puzzles of the shipped BlindTest + tools suite (replay models, a tool-only
 * model, images, prompt slots mapped to recorded skills), then replay the collected suite: every replay pair has the
 * same grade and cost on every task as in the original. (Tool pairs are left out of the comparison: they run the
 * same programs on the same images, and running them twice takes minutes.)
 */
class ReplayRoundTripTest {
    static final Path SUITE = Path.of("..", "data", "blind", "suite-tools.yaml");

    @Test
    void should_replay_a_collected_suite_with_the_grades_and_costs_of_the_original(@TempDir Path out) {
        PairMatrix original;
        List<Task> tasks;
        try (Workbench wb = Workbench.open(Suite.load(SUITE), Workbench.Options.defaults())) {
            tasks = wb.tasks().subList(0, 160);
            Suite s = wb.suite().orElseThrow();
            CollectResult r = Collector.builder(wb.runtime(), tasks, out).tasksFile(s.tasks()).budgetUsd(1000)
                    .suite(new CollectedSuite.Spec(s.name(), s.splitSalt(), s.testFraction(), s.validationFraction(),
                            s.relativeTolerance(), s.keywords(), s.leaveOneOut()))
                    .build().run();
            assertThat(r.complete()).isTrue();
            assertThat(r.succeeded()).isEqualTo(160 * 8);
            original = replayPairs(wb, tasks);
        }
        try (Workbench copy = Workbench.open(Suite.load(out), Workbench.Options.defaults())) {
            assertThat(copy.tasks()).extracting(Task::id).containsExactlyElementsOf(tasks.stream().map(Task::id).toList());
            assertThat(copy.registry().pairs()).as("the tool-only model comes along").hasSize(13);
            assertThat(copy.keywords()).isEqualTo(Map.copyOf(Suite.load(SUITE).keywords()));
            PairMatrix replayed = replayPairs(copy, copy.tasks());

            assertThat(replayed.pairs()).isEqualTo(original.pairs());
            for (int t = 0; t < tasks.size(); t++) {
                for (int p = 0; p < original.pairs().size(); p++) {
                    assertThat(replayed.grade(t, p)).as("%s %s", tasks.get(t).id(), original.pairs().get(p)).isEqualTo(original.grade(t, p));
                    assertThat(replayed.cost(t, p)).as("%s %s", tasks.get(t).id(), original.pairs().get(p)).isEqualTo(original.cost(t, p));
                }
            }
        }
    }

    static PairMatrix replayPairs(Workbench wb, List<Task> tasks) {
        Registry replay = wb.registry().filterModels(m -> m.backend() == Backend.REPLAY);
        return PairMatrix.compute(wb.env().withRegistry(replay, Map.of()), tasks, 7, 2, Progress.NONE);
    }
}
