package dev.maestro.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.maestro.runtime.Maestro;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A LangChain4j {@link StreamingChatModel} backed by Maestro, for AI Services that return {@code TokenStream} or
 * reactive types. Maestro decides its answer after its expert calls, so the stream is honest about that: one partial
 * response with the whole answer, then the complete response (with the {@link Ledger} in its metadata), or
 * {@code onError} with the cause. The work runs on the given executor (default: a new daemon thread per request), so
 * {@code chat} returns at once.
 */
public final class MaestroStreamingChatModel implements StreamingChatModel {
    private final Maestro maestro;
    private final Executor executor;
    private final List<ChatModelListener> listeners;

    private MaestroStreamingChatModel(Maestro maestro, Executor executor, List<ChatModelListener> listeners) {
        this.maestro = Objects.requireNonNull(maestro, "maestro");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.listeners = List.copyOf(listeners);
    }

    /** Over this Maestro (which the caller keeps and closes), one daemon thread per request. */
    public static MaestroStreamingChatModel create(Maestro maestro) {
        return new MaestroStreamingChatModel(maestro, r -> {
            Thread t = new Thread(r, "maestro-lc4j-stream");
            t.setDaemon(true);
            t.start();
        }, List.of());
    }

    /** Over this Maestro, running requests on {@code executor}, notifying {@code listeners}. */
    public static MaestroStreamingChatModel create(Maestro maestro, Executor executor, List<ChatModelListener> listeners) {
        return new MaestroStreamingChatModel(maestro, executor, listeners);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        executor.execute(() -> {
            ChatResponse response;
            try {
                response = Conversation.answer(maestro, request);
            } catch (RuntimeException e) {
                handler.onError(e);
                return;
            }
            handler.onPartialResponse(response.aiMessage().text());
            handler.onCompleteResponse(response);
        });
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
    public String toString() {
        return "MaestroStreamingChatModel[" + maestro.registry().name() + ", " + maestro.policy().name() + "]";
    }
}
