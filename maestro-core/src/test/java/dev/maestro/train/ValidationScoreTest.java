package dev.maestro.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValidationScoreTest {
    static Validation.Score score(double... perTask) {
        double s = 0;
        for (double v : perTask) {
            s += v;
        }
        return new Validation.Score(perTask, s / perTask.length, 0, 0);
    }

    @Test
    void should_not_replace_the_start_when_the_gain_is_within_the_noise() {
        // given: two policies that differ on 2 of 10 tasks, one each way plus one more win: mean gain 0.1
        Validation.Score start = score(1, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        Validation.Score later = score(1, 1, 0, 0, 0, 0, 1, 0, 0, 0);

        // then: the standard error of the paired difference (~0.18) exceeds the gain
        assertThat(later.mean()).isGreaterThan(start.mean());
        assertThat(later.beatsClearly(start)).isFalse();
    }

    @Test
    void should_replace_the_start_when_it_wins_on_many_tasks_and_loses_on_none() {
        Validation.Score start = score(0, 0, 0, 0, 0, 0, 0, 0, 1, 1);
        Validation.Score later = score(1, 1, 1, 1, 0, 0, 0, 0, 1, 1);

        assertThat(later.beatsClearly(start)).isTrue();
        assertThat(start.beatsClearly(later)).isFalse();
    }

    @Test
    void should_leave_masked_tasks_out_of_the_comparison() {
        // a task masked for either policy (NaN) says nothing about their difference
        Validation.Score start = score(0, 0, 0, Double.NaN);
        Validation.Score later = score(1, 1, 1, 1);

        assertThat(later.beatsClearly(start)).isTrue();
    }
}
