package dev.maestro.policy.embed;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns text into a fixed-length vector (questions, model and skill descriptions) for the learned
 * policy. Implementations are thread-safe.
 */
public interface TextEmbedder {
    /** The vector of {@code text}, of length {@link #dimension()}. The caller owns the returned array. */
    float[] embed(String text);

    int dimension();

    /**
     * Identifies the model and its settings (e.g. {@code bge-small-en-v1.5-q}); persisted caches
     * record it and refuse to mix vectors of different embedders.
     */
    String name();

    /** Embeds many texts; implementations may run them in parallel. Order is preserved. */
    default List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(embed(t));
        }
        return out;
    }
}
