package dev.maestro.expert;

import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.ChatContext;
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
 * @param history     chat messages sent before the prompt (a served conversation's system prompts and earlier
 *                    turns, see {@link ChatContext}); empty for dataset tasks. Part of the cache key.
 */
public record ExpertRequest(Task task, ModelCard model, SkillCard skill, String prompt, List<Path> images, Sampling sampling,
                            List<ChatContext.Message> history) {
    public ExpertRequest {
        images = List.copyOf(images);
        history = List.copyOf(history);
    }

    /** A request without chat history. */
    public ExpertRequest(Task task, ModelCard model, SkillCard skill, String prompt, List<Path> images, Sampling sampling) {
        this(task, model, skill, prompt, images, sampling, List.of());
    }

    /** The same request to another model (a fallback deployment): same prompt, images, sampling and history. */
    public ExpertRequest withModel(ModelCard other) {
        return new ExpertRequest(task, other, skill, prompt, images, sampling, history);
    }

    /**
     * Sampling parameters; {@code seed} empty means the backend's default, {@code topP} empty and {@code stop} empty
     * send nothing. A model card's {@link dev.maestro.registry.RequestSettings} override these per model.
     */
    public record Sampling(double temperature, int maxTokens, Optional<Long> seed, Optional<Double> topP, List<String> stop) {
        public static final Sampling DEFAULT = new Sampling(0.2, 1024, Optional.empty());

        public Sampling {
            stop = List.copyOf(stop);
        }

        public Sampling(double temperature, int maxTokens, Optional<Long> seed) {
            this(temperature, maxTokens, seed, Optional.empty(), List.of());
        }

        /** These defaults with what a chat client asked for put over them. */
        public Sampling overriddenBy(ChatContext.Sampling s) {
            if (s.isEmpty()) {
                return this;
            }
            return new Sampling(s.temperature().orElse(temperature), s.maxTokens().orElse(maxTokens), s.seed().or(() -> seed),
                    s.topP().or(() -> topP), s.stop().isEmpty() ? stop : s.stop());
        }
    }
}
