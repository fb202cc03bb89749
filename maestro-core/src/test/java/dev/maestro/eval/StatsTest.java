package dev.maestro.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void should_widen_a_small_samples_interval_by_students_t_not_the_normals_196() {
        // five draws with mean 0.6 and sample SD 0.1: half-width t(4) 0.1 / sqrt(5) = 2.776 * 0.04472 = 0.1241
        double[] x = {0.45, 0.55, 0.6, 0.65, 0.75};
        double sd = Math.sqrt((0.0225 + 0.0025 + 0 + 0.0025 + 0.0225) / 4);

        double[] ci = Stats.mean95(x);

        assertThat(ci[0]).isCloseTo(0.6, within(1e-12));
        assertThat(ci[2] - ci[0]).isCloseTo(2.776 * sd / Math.sqrt(5), within(1e-12));
        assertThat(ci[0] - ci[1]).isCloseTo(ci[2] - ci[0], within(1e-12));
    }

    @Test
    void should_give_no_interval_for_one_value_and_join_the_table_smoothly_past_thirty() {
        assertThat(Stats.mean95(new double[] {0.3})).containsExactly(0.3, Double.NaN, Double.NaN);
        assertThat(Stats.mean95(new double[0])[0]).isNaN();
        // the expansion past the table: t(31) = 2.0395, t(60) = 2.0003, t(120) = 1.9799 (standard tables)
        assertThat(Stats.t975(31)).isCloseTo(2.0395, within(5e-4));
        assertThat(Stats.t975(60)).isCloseTo(2.0003, within(5e-4));
        assertThat(Stats.t975(120)).isCloseTo(1.9799, within(5e-4));
        assertThat(Stats.t975(30)).isGreaterThan(Stats.t975(31));
    }
}
