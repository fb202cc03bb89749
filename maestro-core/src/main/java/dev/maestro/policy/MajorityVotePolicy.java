package dev.maestro.policy;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Pair;
import dev.maestro.task.AnswerKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Calls k pairs in parallel (in the given order, best first) and answers the most frequent normalised
 * answer; ties go to the bin holding the earliest (best) pair's answer. When no call returned an answer
 * (e.g. replayed outputs without text) it adopts the first pair's output, so it degrades to that pair.
 */
public final class MajorityVotePolicy implements Policy {
    private final List<Pair> pairs;

    public MajorityVotePolicy(List<Pair> pairs) {
        this.pairs = List.copyOf(pairs);
    }

    @Override
    public String name() {
        return "majority-vote";
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        if (view.observations().isEmpty()) {
            List<Call> calls = new ArrayList<>();
            for (Pair p : pairs) {
                if (view.callablePairs().contains(p) && calls.size() < view.callsLeft()) {
                    calls.add(Call.of(p, view.task().question()));
                }
            }
            return calls.isEmpty() ? Action.Answer.of("") : new Action.Search(calls);
        }
        return vote(view.observations(), view);
    }

    static Action vote(List<Observation> obs, EpisodeView view) {
        Map<String, Integer> count = new HashMap<>();
        Map<String, Observation> first = new HashMap<>();
        for (Observation o : obs) {
            if (o.answer().isEmpty() || o.answer().get().isBlank()) {
                continue;
            }
            String key = AnswerKey.of(view.task(), o.answer().get());
            count.merge(key, 1, Integer::sum);
            first.putIfAbsent(key, o);
        }
        if (count.isEmpty()) {
            Observation o = obs.get(0);
            return Action.Answer.from(o.index(), o.answer().orElse(""));
        }
        Observation best = null;
        int bestCount = -1;
        for (Map.Entry<String, Observation> e : first.entrySet()) {
            int c = count.get(e.getKey());
            Observation o = e.getValue();
            if (c > bestCount || (c == bestCount && o.index() < best.index())) {
                best = o;
                bestCount = c;
            }
        }
        return Action.Answer.from(best.index(), best.answer().orElse(""));
    }
}
