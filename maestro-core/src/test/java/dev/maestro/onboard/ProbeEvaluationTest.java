package dev.maestro.onboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.Progress;
import dev.maestro.registry.ModelFacts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeEvaluationTest {

    @Test
    void should_score_every_left_out_expert_against_held_out_questions_and_improve_with_probes() {
        // given: 12 experts, training and test questions drawn from the same model
        Synthetic train = new Synthetic(400, 2, 31);
        Synthetic test = new Synthetic(400, 2, 32);
        List<String> ids = new ArrayList<>();
        List<ExpertCard> cards = new ArrayList<>();
        double[][] tr = new double[12][];
        double[][] te = new double[12][];
        for (int e = 0; e < 12; e++) {
            double theta = -2 + 4.0 * e / 11;
            double[] delta = {0.5 * (e % 3 - 1), -0.5 * (e % 3 - 1)};
            ids.add("m" + e + "@@s");
            cards.add(new ExpertCard("m" + e + "@@s", "m" + e, "s", ModelFacts.NONE));
            tr[e] = train.sample(theta, delta);
            te[e] = test.sample(theta, delta);
        }

        // when
        ProbeEvaluation.Report rep = ProbeEvaluation.run(train.outcomes(ids, tr), test.outcomes(ids, te), cards,
                List.of(0, 10, 60), 2, 7, ItemResponseModel.Config.defaults(), Progress.NONE);

        // then
        assertThat(rep.experts()).hasSize(12);
        assertThat(rep.rows()).extracting(ProbeEvaluation.Row::estimator)
                .containsOnly("adaptive", "random", "random-raw");
        assertThat(rep.row("adaptive", 60).overallError()).isLessThan(rep.row("adaptive", 0).overallError() / 2);
        assertThat(rep.row("random", 60).groupError()).isLessThan(rep.row("random", 0).groupError());
        assertThat(rep.row("adaptive", 60).groupCoverage()).isBetween(0.5, 1.0);
        assertThat(rep.row("random-raw", 10).overallCoverage()).isNaN();
        assertThat(rep.table()).contains("adaptive").contains("random-raw").contains("bias");
        // the signed error averages the same differences the absolute error does, so it is never larger
        for (ProbeEvaluation.Row r : rep.rows()) {
            assertThat(Math.abs(r.overallBias())).isLessThanOrEqualTo(r.overallError() + 1e-12);
        }
        // each left-out expert's estimates, and their mean minus the test accuracy is the row's bias
        double bias = 0;
        for (ProbeEvaluation.ExpertRow x : rep.experts()) {
            assertThat(x.estimate("adaptive", 10)).isBetween(0.0, 1.0);
            assertThat(x.estimate("random", 60)).isBetween(0.0, 1.0);
            assertThat(x.estimate("random", 5)).isNaN();
            bias += (x.estimate("adaptive", 60) - x.testAccuracy()) / rep.experts().size();
        }
        assertThat(rep.row("adaptive", 60).overallBias()).isCloseTo(bias, within(1e-9));
    }
}
