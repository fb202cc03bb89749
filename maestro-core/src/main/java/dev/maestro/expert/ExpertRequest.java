package dev.maestro.expert;

import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One call to one expert.
 *
 * @param task        the task being solved (replay looks records up by its id)
 * @param model       the model card
 * @param skill       the skill card the prompt was rendered from
 * @param prompt      the rendered prompt sent to the model
 * @param images      images sent with the prompt (task images or tool outputs)
 * @param sampling    sampling parameters (part of the cache key)
 */
public record ExpertRequest(Task task, ModelCard model, SkillCard skill, String prompt, List<Path> images, Sampling sampling) {
    public ExpertRequest {
        images = List.copyOf(images);
    }

    /** Sampling parameters; {@code seed} empty means the backend's default. */
    public record Sampling(double temperature, int maxTokens, Optional<Long> seed) {
        public static final Sampling DEFAULT = new Sampling(0.2, 1024, Optional.empty());
    }
}
