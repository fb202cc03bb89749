package dev.maestro.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.policy.embed.HashingEmbedder;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryEncodingTest {
    @Test
    void should_compare_the_question_with_each_pairs_model_and_skill_description_centred_over_the_pairs() {
        HashingEmbedder emb = HashingEmbedder.create(384);
        List<ModelCard> models = List.of(
                ModelCard.builder("geo", Backend.SIMULATED).description("solves geometry: the angle of a triangle").build(),
                ModelCard.builder("med", Backend.SIMULATED).description("a medical model for clinical questions").build());
        List<SkillCard> skills = List.of(
                SkillCard.simple("direct", "answers directly", "{question}"),
                SkillCard.simple("cot", "thinks step by step about angles", "{question}"),
                SkillCard.simple("ocr", "reads the text in an image", "{question}"));
        Registry reg = Registry.of("r", models, skills);
        RegistryEncoding enc = RegistryEncoding.of(reg, new RegistryEncoding.DescriptionCache(emb));
        float[] q = emb.embed("what is the angle of this triangle");

        double[] sims = enc.similarities(q);

        // the naive computation: per pair and per side, the unit description against the question, centred over the
        // pairs, times 10
        List<Pair> pairs = enc.pairs();
        assertThat(pairs).hasSize(6);
        double[] m = new double[pairs.size()];
        double[] s = new double[pairs.size()];
        double mm = 0;
        double ms = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            m[i] = dot(PairHistory.unit(emb.embed(reg.model(p.model()).orElseThrow().description())), q);
            s[i] = dot(PairHistory.unit(emb.embed(reg.skill(p.skill()).orElseThrow().description())), q);
            mm += m[i] / pairs.size();
            ms += s[i] / pairs.size();
        }
        for (int i = 0; i < pairs.size(); i++) {
            assertThat(sims[2 * i]).isCloseTo(10 * (m[i] - mm), within(1e-12));
            assertThat(sims[2 * i + 1]).isCloseTo(10 * (s[i] - ms), within(1e-12));
        }
        // the geometry model reads closer to a triangle question than the medical one
        int geo = pairs.indexOf(new Pair("geo", "direct"));
        int med = pairs.indexOf(new Pair("med", "direct"));
        assertThat(sims[2 * geo]).isGreaterThan(sims[2 * med]);
    }

    private static double dot(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }
}
