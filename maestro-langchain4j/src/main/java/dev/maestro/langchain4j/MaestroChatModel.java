package dev.maestro.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.maestro.runtime.Maestro;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A LangChain4j {@link ChatModel} backed by Maestro: each chat request is one Maestro question (see
 * {@link Conversation} for how messages and images become it); the policy calls the registry's experts and answers.
 * The response's metadata is a {@link MaestroChatResponseMetadata} carrying the {@link Ledger} (calls, cost, latency,
 * the pairs called); token usage is the sum over the calls. So an AI Service can use Maestro as its model:
 *
 * <pre>{@code
 * Maestro maestro = Maestro.builder().registry(Path.of("my-registry")).policy("runs/x/policy.ckpt").build();
 * Assistant assistant = AiServices.create(Assistant.class, MaestroChatModel.create(maestro));
 * }</pre>
 *
 * <p>A question Maestro could not answer (an empty answer because every call failed, or none within the turn limit)
 * throws a
 * {@link dev.maestro.MaestroException} naming the errors, rather than returning an empty answer. Thread-safe.
 */
public final class MaestroChatModel implements ChatModel {
    private final Maestro maestro;
    private final List<ChatModelListener> listeners;

    private MaestroChatModel(Maestro maestro, List<ChatModelListener> listeners) {
        this.maestro = Objects.requireNonNull(maestro, "maestro");
        this.listeners = List.copyOf(listeners);
    }

    /** A chat model over this Maestro (which the caller keeps and closes). */
    public static MaestroChatModel create(Maestro maestro) {
        return new MaestroChatModel(maestro, List.of());
    }

    /** As {@link #create}, with LangChain4j listeners notified of each request, response and error. */
    public static MaestroChatModel create(Maestro maestro, List<ChatModelListener> listeners) {
        return new MaestroChatModel(maestro, listeners);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return Conversation.answer(maestro, request);
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of();
    }

    /** The Maestro underneath. */
    public Maestro maestro() {
        return maestro;
    }

    @Override
    public String toString() {
        return "MaestroChatModel[" + maestro.registry().name() + ", " + maestro.policy().name() + "]";
    }
}
