package dev.maestro.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a chat client sent besides its question, for a task built from a chat request ({@code maestro serve}): the
 * earlier messages of the conversation (system prompts and earlier turns, with their images) and the sampling
 * parameters the client asked for. Tasks read from datasets have {@link #NONE}.
 *
 * <p>How it reaches an expert (docs/serve.md, docs/skills.md): the skill runner sends {@link #history()} as chat
 * messages before the rendered skill prompt, unless the skill's template places it itself with the
 * {@code {conversation}} placeholder ({@link #transcript()}); the sampling values replace the runtime's defaults,
 * and a value the model card of {@code models.yaml} sets still wins over them (the registry author knows the
 * endpoint).
 *
 * @param history  the messages before the question, oldest first
 * @param sampling what the client asked experts to sample with
 */
public record ChatContext(List<Message> history, Sampling sampling) {
    /** No conversation, no sampling request: a task from a dataset. */
    public static final ChatContext NONE = new ChatContext(List.of(), Sampling.NONE);

    public ChatContext {
        history = List.copyOf(history);
        Objects.requireNonNull(sampling, "sampling");
    }

    public static ChatContext of(List<Message> history, Sampling sampling) {
        return new ChatContext(history, sampling);
    }

    public boolean isEmpty() {
        return history.isEmpty() && sampling.isEmpty();
    }

    /**
     * The earlier user and assistant turns as text, for the {@code {conversation}} placeholder: one {@code User: ...} or
     * {@code Assistant: ...} line each (system messages are not part of it: they always go as system messages).
     */
    public String transcript() {
        StringBuilder sb = new StringBuilder();
        for (Message m : history) {
            if (m.role() == Role.SYSTEM) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(m.role().label()).append(": ").append(m.text());
            if (!m.images().isEmpty()) {
                sb.append(" [").append(m.images().size()).append(m.images().size() == 1 ? " image]" : " images]");
            }
        }
        return sb.toString();
    }

    /** The system messages of the history, in order. */
    public List<Message> system() {
        return history.stream().filter(m -> m.role() == Role.SYSTEM).toList();
    }

    /** Images of the earlier user and assistant turns, in order. */
    public List<Path> turnImages() {
        List<Path> out = new ArrayList<>();
        history.stream().filter(m -> m.role() != Role.SYSTEM).forEach(m -> out.addAll(m.images()));
        return out;
    }

    /** Who said a message. */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        /** The OpenAI role name ({@code system}, {@code user}, {@code assistant}). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        String label() {
            return switch (this) {
                case SYSTEM -> "System";
                case USER -> "User";
                case ASSISTANT -> "Assistant";
            };
        }
    }

    /**
     * One earlier message.
     *
     * @param role   who said it
     * @param text   its text (parts joined by newlines)
     * @param images its images, stored as files for the request
     */
    public record Message(Role role, String text, List<Path> images) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(text, "text");
            images = List.copyOf(images);
        }

        public static Message of(Role role, String text) {
            return new Message(role, text, List.of());
        }
    }

    /**
     * The client's sampling request; an empty value leaves the runtime's default.
     *
     * @param temperature {@code temperature}
     * @param topP        {@code top_p}
     * @param maxTokens   {@code max_tokens} (or {@code max_completion_tokens}) of each expert call
     * @param seed        {@code seed}
     * @param stop        {@code stop} sequences
     */
    public record Sampling(Optional<Double> temperature, Optional<Double> topP, Optional<Integer> maxTokens,
                           Optional<Long> seed, List<String> stop) {
        public static final Sampling NONE = new Sampling(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of());

        public Sampling {
            stop = List.copyOf(stop);
        }

        public boolean isEmpty() {
            return equals(NONE);
        }
    }
}
