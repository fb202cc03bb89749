package dev.maestro.policy;

import dev.maestro.episode.EpisodeNotes;
import dev.maestro.protocol.ProtocolError;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One episode's chat with the orchestrator LLM, kept by {@link LlmPolicy} in the episode's
 * notes ({@link #NOTE}) so the policy object itself holds no per-episode state. It comes back with the
 * {@code EpisodeResult}, which is how traces are exported as multi-turn messages.
 *
 * <p>Not thread-safe: one per episode, touched only by the episode's thread.
 */
public final class LlmConversation {

    /** One chat message as sent to (or received from) the endpoint; images travel separately. */
    public record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }

    private final List<Message> messages = new ArrayList<>();
    private final List<String> imageUrls;
    int observationsSeen;
    List<ProtocolError> pendingErrors = List.of();
    long promptTokens;
    long completionTokens;
    int requests;
    int endpointFailures;

    LlmConversation(String system, String user, List<String> imageUrls) {
        messages.add(new Message("system", system));
        messages.add(new Message("user", user));
        this.imageUrls = List.copyOf(imageUrls);
    }

    void add(String role, String content) {
        messages.add(new Message(role, content));
    }

    /** The messages so far: system, user (the task), then assistant turns and user turns with information blocks. */
    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** Images attached to the first user message, as data URLs (empty when images are not sent). */
    public List<String> imageUrls() {
        return imageUrls;
    }

    /** Tokens the endpoint reported over all requests of the episode. */
    public long promptTokens() { return promptTokens; }
    public long completionTokens() { return completionTokens; }
    /** Completed requests (after retries). */
    public int requests() { return requests; }
    /** Turns lost because the endpoint failed (after retries). */
    public int endpointFailures() { return endpointFailures; }

    /** The conversation of a finished episode, if it was played by an {@link LlmPolicy}. */
    /** The key under which the LLM policy keeps an episode's conversation in its notes. */
    public static final EpisodeNotes.Key<LlmConversation> NOTE = EpisodeNotes.Key.of("llm-conversation", LlmConversation.class);

    public static Optional<LlmConversation> of(EpisodeNotes notes) {
        return notes.first(NOTE);
    }

    @Override
    public String toString() {
        return "LlmConversation[" + messages.size() + " messages, " + requests + " requests]";
    }
}
