package dev.maestro.policy;

import dev.maestro.MaestroException;
import java.util.List;

/**
 * The shape of the learned policy's scoring network: what loading a checkpoint needs, and nothing about how it
 * was trained (that is the trainer's config, kept in the checkpoint header as written).
 *
 * @param hidden     hidden layer sizes of the scoring MLP
 * @param projection dimensions the question embedding is projected to (capped at the embedding size)
 * @param seed       seeds the initial weights and the question projection
 */
public record PolicyArchitecture(List<Integer> hidden, int projection, long seed) {
    public PolicyArchitecture {
        hidden = List.copyOf(hidden);
        if (hidden.isEmpty() || hidden.stream().anyMatch(h -> h < 1) || projection < 1) {
            throw new MaestroException("invalid policy architecture: hidden " + hidden + ", projection " + projection
                    + " (need at least one hidden layer, sizes >= 1, projection >= 1)");
        }
    }

    /** Seed of the question projection, derived from the network seed. */
    public long projectionSeed() {
        return seed * 31 + 17;
    }
}
