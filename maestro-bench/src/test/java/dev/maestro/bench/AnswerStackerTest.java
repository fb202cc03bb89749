package dev.maestro.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The stacker learns whom to follow from who was right on train, not from how many agree. */
class AnswerStackerTest {

    /**
     * Three voters on n tasks with gold "A": voter 0 is always right; voters 1 and 2 agree on the wrong "B" on two
     * tasks in three (a majority vote would follow them) and are right otherwise.
     */
    private static Ballots outvotedExpert(int n) {
        String[][] a = new String[n][];
        double[][] g = new double[n][];
        for (int t = 0; t < n; t++) {
            String others = t % 3 == 0 ? "A" : "B";
            a[t] = new String[]{"A", others, others};
            double o = others.equals("A") ? 1 : 0;
            g[t] = new double[]{1, o, o};
        }
        return new Ballots(a, g, new double[n][3], new int[n], 1, filled(n, 3));
    }

    @Test
    void should_follow_the_voter_that_is_always_right_against_a_wrong_majority() {
        Ballots train = outvotedExpert(30);

        AnswerStacker s = AnswerStacker.fit(train, false, 0.1);

        double[] w = s.weights();
        assertThat(w[0]).isGreaterThan(w[1] + w[2]);
        assertThat(s.accuracy(outvotedExpert(12))).isEqualTo(1.0);
    }

    @Test
    void should_use_the_group_slots_when_each_voter_is_right_in_one_group() {
        // voter 0 is right on group 0, voter 1 on group 1; they always disagree
        int n = 40;
        String[][] a = new String[n][];
        double[][] g = new double[n][];
        int[] group = new int[n];
        for (int t = 0; t < n; t++) {
            group[t] = t % 2;
            a[t] = new String[]{"A", "B"};
            g[t] = group[t] == 0 ? new double[]{1, 0} : new double[]{0, 1};
        }
        Ballots b = new Ballots(a, g, new double[n][2], group, 2, filled(n, 3));

        double plain = AnswerStacker.fit(b, false, 0.1).accuracy(b);
        double labelled = AnswerStacker.fit(b, true, 0.1).accuracy(b);

        assertThat(plain).isEqualTo(0.5);
        assertThat(labelled).isEqualTo(1.0);
    }

    @Test
    void should_count_a_task_nobody_answered_as_wrong() {
        String[][] a = {{"A", "A"}, {null, null}};
        double[][] g = {{1, 1}, {0, 0}};
        Ballots b = new Ballots(a, g, new double[2][2], new int[2], 1, filled(2, 3));

        AnswerStacker s = AnswerStacker.fit(b, false, 1);

        assertThat(s.choose(b, 1)).isEqualTo(-1);
        assertThat(s.accuracy(b)).isEqualTo(0.5);
    }

    @Test
    void should_shrink_the_weights_as_the_penalty_grows() {
        Ballots train = outvotedExpert(30);

        double weak = AnswerStacker.fit(train, false, 0.1).weights()[0];
        double strong = AnswerStacker.fit(train, false, 100).weights()[0];

        assertThat(strong).isPositive().isLessThan(weak);
    }

    private static double[] filled(int n, double x) {
        double[] out = new double[n];
        Arrays.fill(out, x);
        return out;
    }
}
