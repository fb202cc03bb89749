package dev.maestro.protocol;

import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A small registry shared by the protocol tests. */
final class ProtocolFixtures {
    private ProtocolFixtures() {
    }

    /**
     * Gemini-Pro (text+image, all L1 skills), Qwen-VL (only {@code cot}), Text-Only (text, so not {@code zoom});
     * skills cot, direct (L1, text+image), zoom (L1, image only), ocr (L2 under zoom).
     */
    static Registry registry() {
        List<ModelCard> models = List.of(
                ModelCard.builder("Gemini-Pro", Backend.REPLAY).modalities(Set.of(Modality.TEXT, Modality.IMAGE)).build(),
                ModelCard.builder("Qwen-VL", Backend.REPLAY).modalities(Set.of(Modality.TEXT, Modality.IMAGE))
                        .skills(List.of("cot")).build(),
                ModelCard.builder("Text-Only", Backend.REPLAY).modalities(Set.of(Modality.TEXT)).build());
        List<SkillCard> skills = List.of(
                SkillCard.simple("cot", "think step by step", "{question}"),
                SkillCard.simple("direct", "answer directly", "{question}"),
                new SkillCard("zoom", 1, "crop and zoom", Optional.empty(), List.of("ocr"), List.of(),
                        Set.of(Modality.IMAGE), "{question}", Optional.empty()),
                new SkillCard("ocr", 2, "read text", Optional.of("zoom"), List.of(), List.of(),
                        Set.of(Modality.IMAGE), "{input}", Optional.empty()));
        return Registry.of("test", models, skills);
    }

    /** A registry with {@code n} models m0..m(n-1), to test that long lists are cut. */
    static Registry bigRegistry(int n) {
        List<ModelCard> models = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            models.add(ModelCard.builder("m" + i, Backend.REPLAY).build());
        }
        return Registry.of("big", models, List.of(SkillCard.simple("cot", "d", "{question}")));
    }
}
