package dev.maestro.episode;

/** Receives each finished episode (e.g. to append it to a JSONL trace). Must be thread-safe. */
@FunctionalInterface
public interface TraceSink {
    void accept(EpisodeResult result);

    TraceSink NONE = r -> { };

    /** This sink, then {@code next}. */
    default TraceSink and(TraceSink next) {
        TraceSink first = this;
        return r -> {
            first.accept(r);
            next.accept(r);
        };
    }
}
