package dev.maestro.expert;

/**
 * A frozen expert model behind some backend. Implementations never throw for failures an
 * episode should see (timeouts, HTTP errors, missing records): they return
 * {@link ExpertReply#failure}. Implementations must be thread-safe: episodes call experts in parallel.
 */
public interface Expert extends AutoCloseable {
    ExpertReply call(ExpertRequest request);

    @Override
    default void close() {
    }
}
