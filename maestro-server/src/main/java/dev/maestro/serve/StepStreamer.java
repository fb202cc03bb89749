package dev.maestro.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.episode.Step;
import dev.maestro.protocol.Action;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Wraps a policy for one streamed request so each finished step is reported as it happens: the environment
 * calls {@link #decide} right after a turn's observations are in, which is when the previous step is complete.
 * This needs no hook in the environment. One instance per episode (it keeps the pending step).
 */
final class StepStreamer implements Policy {
    private final Policy delegate;
    private final Consumer<ObjectNode> listener;
    private Action pending;
    private int pendingTurn;
    private int mark;
    private long pendingNanos;
    private int emittedUpTo; // steps with turn < emittedUpTo were reported

    StepStreamer(Policy delegate, Consumer<ObjectNode> listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        List<Observation> obs = view.observations();
        if (pending != null) {
            listener.accept(EpisodeJson.step(pendingTurn, text(pending), obs.subList(mark, obs.size()), "", pendingNanos));
            emittedUpTo = pendingTurn + 1;
            pending = null;
        }
        long t0 = System.nanoTime();
        Action a = delegate.decide(view, rng);
        pendingNanos = System.nanoTime() - t0;
        if (!(a instanceof Action.Answer)) {
            pending = a;
            pendingTurn = view.turn();
            mark = obs.size();
        }
        return a;
    }

    /** Reports the steps the episode finished without another decision (the last turn ran out). */
    void finish(EpisodeResult r) {
        for (Step s : r.steps()) {
            if (s.turn() >= emittedUpTo && !s.action().startsWith("<answer>")) {
                listener.accept(EpisodeJson.step(s));
                emittedUpTo = s.turn() + 1;
            }
        }
    }

    private static String text(Action a) {
        if (a instanceof Action.Search s) {
            return s.calls().stream().map(c -> "<search> " + c.model() + "@@" + c.skill() + ": " + c.input() + " </search>")
                    .collect(Collectors.joining(" "));
        }
        if (a instanceof Action.Malformed m) {
            return m.raw().length() <= 300 ? m.raw() : m.raw().substring(0, 300) + "…";
        }
        return "";
    }
}
