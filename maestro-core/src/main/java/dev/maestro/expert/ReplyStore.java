package dev.maestro.expert;

import java.util.Optional;

/**
 * Where {@link CachingExpert} keeps successful replies by cache key: a SQLite file or a PostgreSQL database
 * ({@link SqlReplyStore}), or anything else that maps a key to a reply. Implementations are safe for concurrent use;
 * several caching experts (one per model) and several processes may share one store. A failing store throws
 * {@link dev.maestro.MaestroException}; the caching expert then logs it and calls the backend.
 */
public interface ReplyStore extends AutoCloseable {
    /** The reply stored under {@code key}, as it was recorded. */
    Optional<ExpertReply> find(String key);

    /** Stores a successful reply of {@code model}@@{@code skill} under {@code key} (replacing one stored before). */
    void put(String key, String model, String skill, ExpertReply reply);

    /** Number of stored replies. */
    long size();

    /** Where the replies are, for messages (never a password). */
    String describe();

    /** A compact {@link #describe()} (a file's name) for {@code toString} chains. */
    default String shortName() {
        return describe();
    }

    @Override
    void close();
}
