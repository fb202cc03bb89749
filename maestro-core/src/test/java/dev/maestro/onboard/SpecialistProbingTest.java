package dev.maestro.onboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A new specialist among typical known experts (7 groups, none of the known experts stands out in any): adaptive
 * probing spends its probes where the specialist could beat the best known expert, and the Student-t group prior
 * lets those probes pull the group's estimate far from what the population predicts.
 */
class SpecialistProbingTest {
    static final int GROUPS = 7;
    static final double THETA = -1.2;
    static final double[] DELTA = {5.0, 0, 0, 0, 0, 0, 0};
    static Synthetic s;
    static ItemResponseModel model;
    static AbilityPrior prior;

    @BeforeAll
    static void fit() {
        s = new Synthetic(1400, GROUPS, 5);
        List<String> ids = new ArrayList<>();
        double[][] grades = new double[12][];
        for (int e = 0; e < grades.length; e++) {
            ids.add("m" + e);
            double[] d = new double[GROUPS];
            for (int g = 0; g < GROUPS; g++) {
                d[g] = 0.25 * s.gaussian();
            }
            grades[e] = s.sample(-0.5 + 0.15 * e, d);
        }
        model = ItemResponseModel.fit(s.outcomes(ids, grades), ItemResponseModel.Config.defaults());
        prior = AbilityPrior.population(model);
    }

    static ProbeSession.Result probe(ProbeSelector selector, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ProbeSession.Oracle oracle = item -> ProbeSession.Answer.graded(
                r.nextDouble() < s.p(item, THETA, DELTA) ? 1 : 0, 0);
        return ProbeSession.run(model, prior, selector, oracle, ProbeSession.Settings.of(30, seed).withTolerance(0),
                (n, p) -> { });
    }

    @Test
    void should_spend_most_probes_where_the_specialist_could_beat_the_best_known_expert() {
        double truth = s.groupAccuracy(0, THETA, DELTA);
        assertThat(truth).isGreaterThan(model.bestKnownAccuracy(0) + 0.1);
        int inStrongGroup = 0;
        int beatsBest = 0;
        double err = 0;
        int runs = 10;
        for (int k = 0; k < runs; k++) {
            ProbeSession.Result r = probe(ProbeSelector.adaptive(), 40 + k);
            inStrongGroup += (int) r.probes().stream().filter(p -> p.group().equals("g0")).count();
            double est = r.posterior().groupAccuracy(0).estimate();
            err += Math.abs(est - truth);
            if (est > model.bestKnownAccuracy(0)) {
                beatsBest++;
            }
        }
        // an even spread would put 30 / 7 ≈ 4.3 probes per run in the strong group; over twice that
        assertThat(inStrongGroup / (double) runs).isGreaterThan(2 * 30.0 / GROUPS);
        assertThat(err / runs).isLessThan(0.12);
        // 8 of 10 (the informative selector, which weighs each question's fitted discrimination, 9: these synthetic
        // discriminations are exact, the case where weighing them pays)
        assertThat(beatsBest).isGreaterThanOrEqualTo(8);
    }

    @Test
    void should_let_many_probes_in_one_group_pull_its_estimate_far_from_the_population() {
        // 20 probes in the strong group alone: the estimate follows them, not the population's offset
        double truth = s.groupAccuracy(0, THETA, DELTA);
        AbilityPosterior post = AbilityPosterior.of(model, prior, List.of());
        SplittableRandom r = new SplittableRandom(3);
        int n = 0;
        for (int i = 0; i < model.itemCount() && n < 20; i++) {
            if (model.groupOf(i) == 0) {
                post = post.with(new AbilityPosterior.Observation(i, r.nextDouble() < s.p(i, THETA, DELTA) ? 1 : 0));
                n++;
            }
        }
        assertThat(post.groupAccuracy(0).estimate()).isCloseTo(truth, within(0.12));
        assertThat(post.groupAccuracy(0).estimate()).isGreaterThan(model.bestKnownAccuracy(0));
    }
}
