package dev.maestro.episode;

import dev.maestro.protocol.Action;
import dev.maestro.task.Task;
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

    /**
     * Once-per-task work done before the first decision (e.g. looking up the question's embedding and its
     * neighbours). The engine calls it outside the decision timer, so reported decision latency is the
     * per-turn cost only; the default does nothing.
     */
    default void prepare(Task task) {
    }

    /**
     * This policy with another weight on cost (dollars traded against accuracy, issue "Orchestrate, don't just
     * route"), e.g. for one served request ({@code maestro.cost_weight}). A policy that does not read a cost weight
     * returns itself, so callers can tell whether the weight took effect ({@code withCostWeight(w) != this}).
     */
    default Policy withCostWeight(double weight) {
        return this;
    }
}
