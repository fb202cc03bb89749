package dev.maestro.policy;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Pair;
import dev.maestro.task.AnswerKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A two-stage cascade, the classic composition of experts: call two pairs at once; when their answers agree, answer
 * that; otherwise call a third pair and answer what it says (the agreeing answer, if the third sides with one of the
 * first two, is the same). When the third gives no answer, the first answer given wins. The three pairs are fixed
 * (chosen on the training split by {@code dev.maestro.eval.Cascades}).
 */
public final class CascadePolicy implements Policy {
    private final Pair first;
    private final Pair second;
    private final Pair third;
    private final String name;

    public CascadePolicy(Pair first, Pair second, Pair third, String name) {
        this.first = first;
        this.second = second;
        this.third = third;
        this.name = name;
    }

    public Pair first() { return first; }
    public Pair second() { return second; }
    public Pair third() { return third; }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        List<Observation> obs = view.observations();
        if (obs.isEmpty()) {
            List<Call> calls = new ArrayList<>();
            for (Pair p : List.of(first, second)) {
                if (view.callablePairs().contains(p) && calls.size() < view.callsLeft()) {
                    calls.add(Call.of(p, view.task().question()));
                }
            }
            return calls.isEmpty() ? Action.Answer.of("") : new Action.Search(calls);
        }
        Optional<Observation> a = answerOf(obs, first);
        Optional<Observation> b = answerOf(obs, second);
        boolean thirdCalled = obs.stream().anyMatch(o -> o.call().pair().equals(third));
        if (a.isPresent() && b.isPresent()
                && AnswerKey.of(view.task(), a.get().answer().get()).equals(AnswerKey.of(view.task(), b.get().answer().get()))) {
            return adopt(a.get());
        }
        if (!thirdCalled && view.callablePairs().contains(third) && view.callsLeft() > 0 && !view.lastTurn()) {
            return Action.Search.of(Call.of(third, view.task().question()));
        }
        Optional<Observation> c = answerOf(obs, third);
        return adopt(c.or(() -> a).or(() -> b).orElse(obs.get(0)));
    }

    private static Optional<Observation> answerOf(List<Observation> obs, Pair p) {
        return obs.stream().filter(o -> o.call().pair().equals(p) && o.ok() && o.answer().filter(x -> !x.isBlank()).isPresent())
                .findFirst();
    }

    private static Action adopt(Observation o) {
        return Action.Answer.from(o.index(), o.answer().orElse(""));
    }
}
