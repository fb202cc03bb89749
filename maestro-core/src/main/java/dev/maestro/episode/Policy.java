package dev.maestro.episode;

import dev.maestro.protocol.Action;
import java.util.random.RandomGenerator;

/**
 * Decides, turn by turn, whether to call experts, which (model, skill) pairs with what input, and
 * when to answer. Implementations are thread-safe or per-episode; {@code rng} is the episode's own
 * seeded generator, so a run is reproducible.
 */
public interface Policy {
    String name();

    /** {@code learned}, {@code baseline}, {@code llm} or {@code upper-bound}. */
    default String kind() {
        return "baseline";
    }

    Action decide(EpisodeView view, RandomGenerator rng);
}
