package dev.maestro.onboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.registry.ModelFacts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class CardPriorTest {
    /** A card with everything the known cards have but a size. */
    static final ModelFacts NO_SIZE = ModelFacts.NONE.withTuning(ModelFacts.Tuning.INSTRUCT).withOpenWeights(true);

    static ModelFacts facts(double size) {
        return ModelFacts.NONE.withSizeB(size).withTuning(ModelFacts.Tuning.INSTRUCT).withOpenWeights(true);
    }

    /** 16 experts whose ability grows with log size (plus noise); the card should predict it. */
    static CardPrior fitted(boolean informativeCards, List<ExpertCard> cards) {
        return fitted(informativeCards, false, cards);
    }

    /** As above; with {@code priced}, each known card also carries a price that grows with its size. */
    static CardPrior fitted(boolean informativeCards, boolean priced, List<ExpertCard> cards) {
        Synthetic s = new Synthetic(400, 2, 9);
        List<String> ids = new ArrayList<>();
        double[][] grades = new double[16][];
        double[] sizes = {1, 2, 3, 7, 8, 13, 14, 30, 34, 70, 72, 7, 3, 40, 100, 200};
        for (int e = 0; e < 16; e++) {
            double theta = -3 + 0.8 * Math.log(sizes[e]) / Math.log(2) + 0.2 * s.gaussian();
            ids.add("m" + e + "@@s");
            grades[e] = s.sample(theta - 1.5, new double[2]);
            cards.add(new ExpertCard("m" + e + "@@s", "m" + e, "s",
                    informativeCards ? facts(sizes[e]) : ModelFacts.NONE.withFamily("simulated"),
                    priced ? OptionalDouble.of(0.02 * sizes[e]) : OptionalDouble.empty()));
        }
        ItemResponseModel m = ItemResponseModel.fit(s.outcomes(ids, grades), ItemResponseModel.Config.defaults());
        return CardPrior.fit(m, cards);
    }

    @Test
    void should_learn_ability_from_size_and_measure_its_error_by_leaving_models_out() {
        List<ExpertCard> cards = new ArrayList<>();
        CardPrior cp = fitted(true, cards);

        assertThat(cp.quality().models()).isEqualTo(16);
        assertThat(cp.quality().usesCard()).isTrue();
        assertThat(cp.quality().cardRmse()).isLessThan(cp.quality().meanRmse() * 0.7);
        assertThat(cp.quality().cardAccuracyMae()).isLessThan(cp.quality().meanAccuracyMae());
        AbilityPrior big = cp.prior(new ExpertCard("new-big@@s", "new-big", "s", facts(150)));
        AbilityPrior small = cp.prior(new ExpertCard("new-small@@s", "new-small", "s", facts(2)));
        assertThat(big.thetaMean()).isGreaterThan(small.thetaMean() + 1);
        assertThat(big.source()).contains("card prior over 16 known models");
        assertThat(big.thetaVar()).isCloseTo(Math.pow(cp.quality().cardRmse(), 2), within(0.05));
    }

    @Test
    void should_give_a_finite_prior_when_every_known_expert_answered_alike() {
        // three known models that answered every question the same way (e.g. copies of one model behind different
        // names): their abilities are equal, and the regression of group offsets on ability has nothing to go on
        Synthetic s = new Synthetic(60, 2, 3);
        double[] grades = s.sample(0.5, new double[2]);
        List<String> ids = List.of("a@@s", "b@@s", "c@@s");
        ItemResponseModel m = ItemResponseModel.fit(s.outcomes(ids, new double[][] {grades, grades, grades}),
                ItemResponseModel.Config.defaults());
        List<ExpertCard> cards = ids.stream().map(id -> new ExpertCard(id, id.substring(0, 1), "s", ModelFacts.NONE)).toList();

        AbilityPrior p = CardPrior.fit(m, cards).prior(new ExpertCard("d@@s", "d", "s", ModelFacts.NONE));

        assertThat(p.thetaMean()).isFinite();
        assertThat(Arrays.stream(p.deltaMean())).allMatch(Double::isFinite);
        assertThat(Arrays.stream(p.deltaSlope())).allMatch(Double::isFinite);
        assertThat(Arrays.stream(p.deltaVar())).allMatch(v -> v > 0 && Double.isFinite(v));
        assertThat(AbilityPosterior.of(m, p, List.of()).overallAccuracy(200, 7).estimate()).isBetween(0.0, 1.0);
    }

    @Test
    void should_fall_back_to_the_mean_when_cards_carry_nothing() {
        List<ExpertCard> cards = new ArrayList<>();
        CardPrior cp = fitted(false, cards);

        AbilityPrior a = cp.prior(new ExpertCard("x@@s", "x", "s", ModelFacts.NONE.withFamily("simulated")));
        AbilityPrior b = cp.prior(new ExpertCard("y@@s", "y", "s", facts(300)));
        assertThat(a.thetaMean()).isEqualTo(b.thetaMean());
        assertThat(cp.quality().usesCard()).isFalse();
        assertThat(a.source()).contains("the card did not predict better");
    }
    @Test
    void should_place_a_card_missing_a_fact_by_the_facts_it_has_with_their_own_error() {
        // given cards whose size predicts ability, all with a size
        List<ExpertCard> cards = new ArrayList<>();
        CardPrior cp = fitted(true, cards);

        // when a new card has no size (and nothing else that tells the known models apart)
        AbilityPrior sized = cp.prior(new ExpertCard("a@@s", "a", "s", facts(30)));
        AbilityPrior unsized = cp.prior(new ExpertCard("b@@s", "b", "s", NO_SIZE));

        // then its ability is as uncertain as the facts it has leave it (here the spread of the known models), not
        // as the sized cards' error, and its source says what it lacks
        assertThat(unsized.thetaVar()).isGreaterThan(sized.thetaVar() + 0.5);
        assertThat(unsized.thetaVar()).isCloseTo(Math.pow(cp.quality().meanRmse(), 2), within(0.05));
        assertThat(unsized.source()).contains("lacks size");
        assertThat(sized.source()).doesNotContain("lacks");
    }

    @Test
    void should_give_a_card_without_a_size_the_whole_weight_of_its_price_not_half_of_it() {
        // given known cards whose size and price both grow with ability: a regression on both splits the weight
        List<ExpertCard> cards = new ArrayList<>();
        CardPrior cp = fitted(true, true, cards);

        // when a new card priced like a 150B model has no size
        AbilityPrior sized = cp.prior(new ExpertCard("s@@s", "s", "s", facts(150), OptionalDouble.of(0.02 * 150)));
        AbilityPrior unsized = cp.prior(new ExpertCard("u@@s", "u", "s", NO_SIZE, OptionalDouble.of(0.02 * 150)));

        // then the price alone places it as the two facts together place its sized twin (imputing the size at the
        // known models' mean would have placed it about halfway to the mean)
        assertThat(unsized.thetaMean()).isCloseTo(sized.thetaMean(), within(0.4));
        assertThat(unsized.source()).contains("lacks size");
    }

    @Test
    void should_read_scale_from_the_price_when_a_card_has_no_size() {
        // given known cards whose size and price both grow with ability
        List<ExpertCard> cards = new ArrayList<>();
        CardPrior cp = fitted(true, true, cards);

        // when two new cards have no size, one priced like the largest known models and one like the smallest
        AbilityPrior dear = cp.prior(new ExpertCard("d@@s", "d", "s", NO_SIZE, OptionalDouble.of(4.0)));
        AbilityPrior cheap = cp.prior(new ExpertCard("c@@s", "c", "s", NO_SIZE, OptionalDouble.of(0.04)));
        AbilityPrior unpriced = cp.prior(new ExpertCard("u@@s", "u", "s", NO_SIZE));

        // then the price places them apart, and a card with neither is the widest
        assertThat(dear.thetaMean()).isGreaterThan(cheap.thetaMean() + 1);
        assertThat(unpriced.thetaVar()).isGreaterThan(dear.thetaVar());
    }
}
