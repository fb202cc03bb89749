package dev.maestro;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedsTest {
    /**
     * Values printed by the four SplitMix copies this class replaced (Evaluator.taskSeed, GrpoTrainer.mix,
     * SimulatedExpert.mix, HashingEmbedder.mix): a changed number here moves every seeded result.
     */
    @Test
    void should_give_the_numbers_of_the_copies_it_replaced() {
        assertThat(Seeds.finish(42L)).isEqualTo(-6387817139659442654L);
        assertThat(Seeds.of(7, "mathv-0001")).isEqualTo(-6747358829452188514L);
        assertThat(Seeds.of(7, "é-ü")).isEqualTo(-7482515023647641956L);
        assertThat(Seeds.of(7, -1)).isEqualTo(-1058577943711170651L);
        assertThat(Seeds.of(7, 123456)).isEqualTo(6946445154006067732L);
        assertThat(Seeds.fold(7, 1, 2, 3)).isEqualTo(-4506616744126921670L);
        assertThat(Seeds.fold(7 ^ 0x5DEECE66DL, -5)).isEqualTo(2646810835115670546L);
    }
}
