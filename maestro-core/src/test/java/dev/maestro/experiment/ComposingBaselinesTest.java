package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.eval.Cascades;
import dev.maestro.eval.Composition;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.SystemResult;
import dev.maestro.registry.Pair;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The cascade baseline and the composition section, on the shipped MATH-V replay (real recorded answers). */
class ComposingBaselinesTest {
    static final Path DATA = Path.of("..", "data");

    @Test
    void should_choose_the_cascade_on_train_and_run_it_on_test_exactly_as_its_replay_on_the_pair_matrix() {
        try (Workbench wb = Workbench.open(Suite.load(DATA.resolve("mathv")), Workbench.Options.defaults())) {
            List<Task> train = wb.part(Split.Part.TRAIN);
            List<Task> test = wb.part(Split.Part.TEST).subList(0, 400);
            PairMatrix m = PairMatrix.compute(wb.env(), train, 7, 2, Progress.NONE);
            // when the cascade is chosen on the training split
            Cascades.Choice c = Cascades.choose(m).orElseThrow();
            // then no triple of the candidates does better on train (the choice is the arg-max, not a guess)
            List<Pair> top = m.ranked().subList(0, Cascades.CANDIDATES);
            assertThat(top).contains(c.first(), c.second(), c.third());
            assertThat(c.trainAccuracy()).isGreaterThanOrEqualTo(m.accuracy(m.pairs().indexOf(m.best())) - 1e-12);
            // and the policy, run as episodes on test tasks, scores what the cascade rule gives on the test matrix
            PairMatrix tm = PairMatrix.compute(wb.env(), test, 7, 2, Progress.NONE);
            double expected = 0;
            double expectedCalls = 0;
            for (int t = 0; t < test.size(); t++) {
                Optional<String> a = tm.answer(t, tm.pairs().indexOf(c.first()));
                Optional<String> b = tm.answer(t, tm.pairs().indexOf(c.second()));
                if (a.isPresent() && a.equals(b)) {
                    expected += tm.grade(t, tm.pairs().indexOf(c.first()));
                    expectedCalls += 2;
                } else {
                    int third = tm.pairs().indexOf(c.third());
                    expected += tm.answer(t, third).isPresent() ? tm.grade(t, third)
                            : a.isPresent() || b.isEmpty() ? tm.grade(t, tm.pairs().indexOf(c.first()))
                            : tm.grade(t, tm.pairs().indexOf(c.second()));
                    expectedCalls += 3;
                }
            }
            List<EpisodeResult> rs = Evaluator.run(wb.env().withConfig(wb.env().config().withMaxCalls(4)), c.policy(),
                    test, 7, 2, Progress.NONE);
            SystemResult s = SystemResult.of("cascade", "baseline", null, rs, "");
            assertThat(s.accuracy()).isCloseTo(expected / test.size(), Offset.offset(1e-9));
            assertThat(s.mean_calls()).isCloseTo(expectedCalls / test.size(), Offset.offset(1e-9));

            // the composition section counts those calls: 2 where the first two agreed, 3 otherwise
            Composition comp = Composition.of(rs, 1.0);
            assertThat(comp.meanCalls()).isCloseTo(s.mean_calls(), Offset.offset(1e-3));
            assertThat(comp.callShare().get("0") + comp.callShare().get("1")).isZero();
            assertThat(comp.callShare().get("2") + comp.callShare().get("3+")).isCloseTo(1.0, Offset.offset(1e-3));
            assertThat(comp.callShare().get("2")).isCloseTo(
                    rs.stream().filter(r -> r.calls() == 2).count() / (double) rs.size(), Offset.offset(1e-4));
            assertThat(comp.topSequences().keySet().iterator().next()).contains(c.first().id()).contains(c.second().id());
            assertThat(comp.callShareByGroup()).isNotEmpty();
        }
    }

    @Test
    void should_offer_no_cascade_where_no_expert_returns_answer_text() {
        // replayed BlindTest outcomes carry correctness flags only: nothing can agree
        try (Workbench wb = Workbench.open(Suite.load(DATA.resolve("blind")), Workbench.Options.defaults())) {
            PairMatrix m = PairMatrix.compute(wb.env(), wb.part(Split.Part.TRAIN).subList(0, 200), 7, 2, Progress.NONE);
            assertThat(Cascades.choose(m)).isEmpty();
        }
    }
}
