package dev.maestro.policy;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Pair;
import java.util.random.RandomGenerator;

/** Always calls one (model, skill) pair with the question, then adopts its answer. */
public final class FixedPairPolicy implements Policy {
    private final Pair pair;
    private final String name;

    public FixedPairPolicy(Pair pair) {
        this(pair, "fixed:" + pair.id());
    }

    public FixedPairPolicy(Pair pair, String name) {
        this.pair = pair;
        this.name = name;
    }

    public Pair pair() {
        return pair;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        return callThenAdopt(view, pair);
    }

    /** Shared by single-pair policies: call {@code pair} once, then answer with what it said. */
    static Action callThenAdopt(EpisodeView view, Pair pair) {
        if (view.observations().isEmpty()) {
            if (!view.callablePairs().contains(pair)) {
                return Action.Answer.of("");
            }
            return Action.Search.of(Call.of(pair, view.task().question()));
        }
        Observation o = view.observations().get(0);
        return Action.Answer.from(o.index(), o.answer().orElse(""));
    }
}
