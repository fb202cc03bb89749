package dev.maestro.onboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemResponseModelTest {

    static double correlation(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    @Test
    void should_recover_difficulties_and_abilities_it_was_generated_with() {
        // given: 30 experts with abilities spread over [-2, 2], 600 questions in 3 groups
        Synthetic s = new Synthetic(600, 3, 11);
        int ne = 30;
        double[] theta = new double[ne];
        List<String> ids = new ArrayList<>();
        double[][] grades = new double[ne][];
        for (int e = 0; e < ne; e++) {
            theta[e] = -2 + 4.0 * e / (ne - 1);
            ids.add("m" + e);
            grades[e] = s.sample(theta[e], new double[3]);
        }

        // when
        ItemResponseModel m = ItemResponseModel.fit(s.outcomes(ids, grades), ItemResponseModel.Config.defaults());

        // then
        double[] bHat = new double[600];
        for (int i = 0; i < 600; i++) {
            bHat[i] = m.difficulty(i);
        }
        double[] tHat = new double[ne];
        for (int e = 0; e < ne; e++) {
            tHat[e] = m.ability(e);
        }
        assertThat(correlation(bHat, s.b)).isGreaterThan(0.85);
        assertThat(correlation(tHat, theta)).isGreaterThan(0.97);
        assertThat(m.sweeps()).isLessThan(ItemResponseModel.Config.defaults().maxSweeps());
        assertThat(m.meanLogLikelihood()).isBetween(-0.69, 0.0);
    }

    @Test
    void should_give_a_specialist_a_high_offset_on_its_group_only() {
        // given: ten ordinary experts and one far better than the rest on group 1 alone
        Synthetic s = new Synthetic(450, 3, 5);
        List<String> ids = new ArrayList<>();
        double[][] grades = new double[11][];
        for (int e = 0; e < 10; e++) {
            ids.add("m" + e);
            grades[e] = s.sample(-1 + 0.2 * e, new double[3]);
        }
        ids.add("specialist");
        grades[10] = s.sample(-1, new double[] {0, 3, 0});

        // when
        ItemResponseModel m = ItemResponseModel.fit(s.outcomes(ids, grades), ItemResponseModel.Config.defaults());

        // then
        double[] d = m.groupOffsets(10);
        assertThat(d[1]).isGreaterThan(d[0] + 1).isGreaterThan(d[2] + 1);
        assertThat(m.groupAccuracy(1, m.ability(10) + d[1])).isGreaterThan(m.groupAccuracy(0, m.ability(10) + d[0]));
    }

    @Test
    void should_leave_unknown_outcomes_out_instead_of_reading_them_as_wrong() {
        // given: an expert right on every question it answered, unknown on the other half
        Synthetic s = new Synthetic(200, 2, 3);
        double[] half = new double[200];
        for (int i = 0; i < 200; i++) {
            half[i] = i % 2 == 0 ? 1 : Double.NaN;
        }
        double[][] grades = {s.sample(0, new double[2]), s.sample(0.5, new double[2]), half};

        // when
        ItemResponseModel m = ItemResponseModel.fit(s.outcomes(List.of("a", "b", "c"), grades),
                ItemResponseModel.Config.defaults());

        // then: it is the strongest, not a 50% expert
        assertThat(m.ability(2)).isGreaterThan(m.ability(0)).isGreaterThan(m.ability(1) - 1);
        assertThat(m.groupAccuracy(0, m.ability(2) + m.groupOffsets(2)[0])).isGreaterThan(0.8);
    }

    @Test
    void should_refuse_grades_outside_zero_to_one() {
        assertThatThrownBy(() -> Outcomes.of(List.of("a"), List.of("q"), List.of("g"), new double[][] {{2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside [0, 1]");
    }
}
