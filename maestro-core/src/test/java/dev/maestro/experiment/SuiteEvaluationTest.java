package dev.maestro.experiment;

import dev.maestro.eval.SystemResult;
import dev.maestro.eval.Report;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.expert.RecordedOutputs;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.runtime.Embedders;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteEvaluationTest {
    static final Path DATA = Path.of("..", "data");

    @Test
    void should_reproduce_the_recorded_accuracy_of_the_best_single_pair_on_the_mathv_test_split() {
        // given the shipped MATH-V suite
        try (Workbench wb = Workbench.open(Suite.load(DATA.resolve("mathv")), Workbench.Options.defaults())) {
            // when the baselines are fitted on the training split and scored on the test split
            Report r = SuiteEvaluation.run(wb, SuiteEvaluation.Options.baselinesOnly(7, 2, Progress.NONE)).report();
            // then best-single is the pair with the best training accuracy, and its test accuracy is exactly the
            // share of test problems whose recorded output for that pair is flagged correct
            SystemResult best = r.system("best-single");
            String[] pair = best.pair().split("@@");
            RecordedOutputs rec = RecordedOutputs.load(DATA.resolve("mathv/recorded.jsonl.gz"));
            List<Task> test = wb.part(Split.Part.TEST);
            long correct = test.stream().filter(t -> rec.find(t.id(), pair[0], pair[1])
                    .flatMap(RecordedOutputs.Row::correct).orElse(false)).count();
            assertThat(best.accuracy()).isCloseTo(correct / (double) test.size(), Offset.offset(1e-4));
            assertThat(best.pair()).isEqualTo("Gemini-Pro@@direct");
            assertThat(r.tasks()).isEqualTo(test.size());
            assertThat(r.simulated()).isFalse();
            // and the oracles are labelled upper bounds, above every system
            assertThat(r.system("oracle").kind()).isEqualTo("upper-bound");
            assertThat(r.system("per-group-oracle").kind()).isEqualTo("upper-bound");
            assertThat(r.system("oracle").accuracy()).isGreaterThan(r.system("majority-vote").accuracy());
        }
    }

    @Test
    void should_label_simulated_reports() {
        try (Workbench wb = Workbench.open(Suite.load(DATA.resolve("paper-sim")), Workbench.Options.defaults())) {
            Report r = SuiteEvaluation.run(wb, SuiteEvaluation.Options.baselinesOnly(7, 2, Progress.NONE)).report();
            assertThat(r.simulated()).isTrue();
            assertThat(r.system("per-group-oracle").accuracy() - r.system("best-single").accuracy()).isGreaterThan(0.10);
        }
    }

    @Test
    void should_test_the_learned_policy_under_the_turn_and_call_limits_it_was_trained_and_validated_with(@TempDir Path dir) {
        // given a policy trained (one step) and validated with at most one call in two turns
        TrainConfig cfg = TrainConfig.builder().maxTurns(2).maxCalls(1).minSteps(1).maxSteps(1).maxTrainTasks(64)
                .validationEvery(1).build();
        try (Workbench wb = Workbench.open(Suite.load(DATA.resolve("mathv")), Workbench.Options.defaults());
             CachingEmbedder emb = Embedders.caching(dir).open(Embedders.HASHING)) {
            // when the suite is evaluated
            Report r = SuiteEvaluation.run(wb, new SuiteEvaluation.Options(7, 2, Optional.of(cfg), Optional.of(emb),
                    Optional.empty(), Progress.NONE, false, List.of())).report();
            // then on test it makes at most that one call too (the environment's default would allow three in four
            // turns, and its inputs, such as the share of calls left, would differ from validation's)
            SystemResult learned = r.system("maestro");
            assertThat(learned.mean_calls()).isBetween(0.5, 1.0);
        }
    }
}
