package dev.maestro.expert;

import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Shared test builders. */
final class Fixtures {
    static final String SECRET = "sk-TEST-do-not-leak-7f3a9c";
    static final Price PRICE = new Price(2.0, 8.0);

    private Fixtures() {
    }

    static ModelCard openAiModel(String baseUrl) {
        return ModelCard.builder("Fake-VL", Backend.OPENAI)
                .baseUrl(baseUrl)
                .modelName("fake-vl-7b")
                .apiKeyEnv("FAKE_API_KEY")
                .price(PRICE)
                .timeout(Duration.ofMillis(1500))
                .maxConcurrency(2)
                .build();
    }

    static EnvLookup env() {
        return EnvLookup.of(Map.of("FAKE_API_KEY", SECRET));
    }

    static ExpertRequest request(ModelCard model, String prompt) {
        return request(model, prompt, List.of());
    }

    static ExpertRequest request(ModelCard model, String prompt, List<Path> images) {
        return new ExpertRequest(Task.text("t1", "What is 2+2?", "4", "arith"), model,
                SkillCard.simple("cot", "think step by step", "{question}"), prompt, images,
                ExpertRequest.Sampling.DEFAULT);
    }

    /** The repository's data folder, found from the module's working directory. */
    static Path data(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path p = dir.resolve("data").resolve(relative);
            if (Files.exists(p)) {
                return p;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("data/" + relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
