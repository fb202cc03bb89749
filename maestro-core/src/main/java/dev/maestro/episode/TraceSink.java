package dev.maestro.episode;

/** Receives each finished episode (e.g. to append it to a JSONL trace). Must be thread-safe. */
@FunctionalInterface
public interface TraceSink {
    void accept(EpisodeResult result);

    TraceSink NONE = r -> { };
}
