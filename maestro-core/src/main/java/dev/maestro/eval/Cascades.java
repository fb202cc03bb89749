package dev.maestro.eval;

import dev.maestro.policy.CascadePolicy;
import dev.maestro.registry.Pair;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the {@link CascadePolicy} baseline on the training split: among the {@link #CANDIDATES} pairs with the
 * best training accuracy, every pair {a, b} asked first and every third pair c, replayed on the training tasks' pair
 * matrix exactly as the policy would run (agree → a's answer; else c's, else a's, else b's). The most accurate triple
 * wins; ties go to the cheaper one. Only suites whose experts return answer text can agree, so there is no cascade
 * where no pair gave any answer (replayed BlindTest outcomes carry only correctness flags).
 */
public final class Cascades {
    /** How many of the best training pairs a cascade is built from. */
    public static final int CANDIDATES = 8;

    private Cascades() {
    }

    /**
     * The chosen triple and how it did on the training split.
     *
     * @param escalated share of training tasks on which the first two disagreed and the third was called
     */
    public record Choice(Pair first, Pair second, Pair third, double trainAccuracy, double trainCostUsd, double escalated) {
        public CascadePolicy policy() {
            return new CascadePolicy(first, second, third, "cascade");
        }
    }

    public static Optional<Choice> choose(PairMatrix train) {
        List<Pair> ranked = train.ranked();
        if (ranked.size() < 3 || train.tasks().isEmpty() || !train.hasAnswers()) {
            return Optional.empty();
        }
        List<Pair> top = ranked.subList(0, Math.min(CANDIDATES, ranked.size()));
        Choice best = null;
        for (int i = 0; i < top.size(); i++) {
            for (int j = i + 1; j < top.size(); j++) {
                for (Pair c : top) {
                    if (c.equals(top.get(i)) || c.equals(top.get(j))) {
                        continue;
                    }
                    Choice x = replay(train, top.get(i), top.get(j), c);
                    if (best == null || x.trainAccuracy() > best.trainAccuracy() + 1e-12
                            || (Math.abs(x.trainAccuracy() - best.trainAccuracy()) <= 1e-12 && x.trainCostUsd() < best.trainCostUsd())) {
                        best = x;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The cascade (a, b; else c) replayed on a pair matrix: accuracy, mean cost and escalation share. */
    public static Choice replay(PairMatrix m, Pair a, Pair b, Pair c) {
        int pa = m.pairs().indexOf(a);
        int pb = m.pairs().indexOf(b);
        int pc = m.pairs().indexOf(c);
        double correct = 0;
        double cost = 0;
        int escalated = 0;
        int n = m.tasks().size();
        for (int t = 0; t < n; t++) {
            Outcome o = outcome(m, t, pa, pb, pc);
            correct += o.grade();
            cost += o.costUsd();
            escalated += o.escalated() ? 1 : 0;
        }
        return new Choice(a, b, c, correct / n, cost / n, escalated / (double) n);
    }

    /** What the cascade did on one task: its grade, what it paid, and whether it called the third pair. */
    public record Outcome(double grade, double costUsd, boolean escalated) {
    }

    /**
     * The cascade of the pair matrix's pairs a, b (else c) on task t, as {@link CascadePolicy} plays it: the agreed
     * answer, else the third's, else (the third gave none) the first's, or the second's when only it answered.
     */
    public static Outcome outcome(PairMatrix m, int t, int a, int b, int c) {
        Optional<String> x = m.answer(t, a);
        Optional<String> y = m.answer(t, b);
        double cost = m.cost(t, a) + m.cost(t, b);
        if (x.isPresent() && x.equals(y)) {
            return new Outcome(m.grade(t, a), cost, false);
        }
        cost += m.cost(t, c);
        if (m.answer(t, c).isPresent()) {
            return new Outcome(m.grade(t, c), cost, true);
        }
        return new Outcome(x.isPresent() || y.isEmpty() ? m.grade(t, a) : m.grade(t, b), cost, true);
    }
}
