package dev.maestro.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The one- and two-answer look-ahead of a call, under the independent-errors vote model. */
class LookaheadTest {
    private static final double WRONG = 9; // ten options

    /** e^vote of an expert of accuracy p. */
    private static double factor(double p) {
        return p * WRONG / (1 - p);
    }

    @Test
    void should_value_a_first_call_at_its_pairs_accuracy() {
        // before any answer, the answer a call leaves has the posterior of a lone answer: its supporter's accuracy
        double e = Lookahead.expectedPosterior(new double[1], 0, WRONG + 1, 0, 0.7, WRONG);

        assertThat(e).isCloseTo(0.7, within(1e-12));
    }

    @Test
    void should_never_expect_less_than_the_current_lead() {
        // given: one answer of a 0.7 expert (posterior 0.7), or two disagreeing answers
        double[] one = {factor(0.7)};
        double[] two = {factor(0.7), factor(0.65)};
        double leadOne = one[0] / (WRONG + one[0]);
        double leadTwo = two[0] / (WRONG - 1 + two[0] + two[1]);

        for (double p : new double[] {0.1, 0.3, 0.5, 0.65, 0.8, 0.95}) {
            assertThat(Lookahead.expectedPosterior(one, 1, WRONG, 0, p, WRONG)).isGreaterThanOrEqualTo(leadOne - 1e-12);
            assertThat(Lookahead.expectedPosterior(two, 2, WRONG - 1, 0, p, WRONG)).isGreaterThanOrEqualTo(leadTwo - 1e-12);
        }
    }

    @Test
    void should_see_little_in_a_second_opinion_and_much_in_a_tie_breaker() {
        // given: a lone answer of a 0.7 expert, and a split between a 0.7 and a 0.65 expert
        double[] one = {factor(0.7)};
        double[] two = {factor(0.7), factor(0.65)};
        double leadOne = one[0] / (WRONG + one[0]);
        double leadTwo = two[0] / (WRONG - 1 + two[0] + two[1]);

        // when a 0.65 expert is asked
        double second = Lookahead.expectedPosterior(one, 1, WRONG, 0, 0.65, WRONG) - leadOne;
        double third = Lookahead.expectedPosterior(two, 2, WRONG - 1, 0, 0.65, WRONG) - leadTwo;

        // then: one disagreement cannot overturn the lone answer, so the second opinion is worth ~nothing one answer
        // ahead; the tie-breaker is worth a lot
        assertThat(second).isLessThan(0.01);
        assertThat(third).isGreaterThan(0.15);
    }

    @Test
    void should_value_the_chance_to_break_a_tie_it_creates_two_answers_ahead() {
        double[] one = new double[3];
        one[0] = factor(0.7);
        double leadOne = one[0] / (WRONG + one[0]);

        // a free follow-up by a 0.65 expert: asking a second opinion now opens the tie-breaker
        double free = Lookahead.expectedWithFollowUp(one, 1, WRONG, 0, 0.65, WRONG, 0.65, 0);
        // a follow-up too dear to ever pay: the value is the one-answer look-ahead
        double dear = Lookahead.expectedWithFollowUp(one, 1, WRONG, 0, 0.65, WRONG, 0.65, 1);

        assertThat(free - leadOne).isGreaterThan(0.02);
        assertThat(dear).isCloseTo(Lookahead.expectedPosterior(one, 1, WRONG, 0, 0.65, WRONG), within(1e-12));
        // the weights are restored
        assertThat(one).containsExactly(factor(0.7), 0, 0);
    }

    @Test
    void should_keep_an_answer_that_cannot_be_compared_as_a_floor() {
        // no text answers, but an output without text whose supporter is 0.9 accurate: a 0.6 expert's answer
        // cannot beat it, so the expected posterior stays at 0.9
        double e = Lookahead.expectedPosterior(new double[1], 0, WRONG + 1, 0.9, 0.6, WRONG);

        assertThat(e).isCloseTo(0.9, within(1e-12));
    }
}
