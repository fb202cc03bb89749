package dev.maestro.policy;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.registry.Pair;
import java.util.List;
import java.util.random.RandomGenerator;

/** Calls one uniformly random callable pair, then adopts its answer. */
public final class RandomPairPolicy implements Policy {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        List<Pair> pairs = view.callablePairs();
        if (view.observations().isEmpty() && pairs.isEmpty()) {
            return Action.Answer.of("");
        }
        Pair p = view.observations().isEmpty() ? pairs.get(rng.nextInt(pairs.size())) : view.observations().get(0).call().pair();
        return FixedPairPolicy.callThenAdopt(view, p);
    }
}
