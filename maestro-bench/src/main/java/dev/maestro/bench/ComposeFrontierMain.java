package dev.maestro.bench;

import dev.maestro.eval.Cascades;
import dev.maestro.eval.PairMatrix;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How far fixed compositions go on a suite when each question's group is known: an upper bound for the cost curve of
 * issue 12, not a result (a user's question carries no group label). Per task group, every single pair, every
 * "a, then c where a gave no answer" fallback, and every cascade "a and b; if they agree answer that, else c" among
 * the 8 pairs best on train are replayed on the TRAIN split's pair matrix; for each price of accuracy λ (reward =
 * accuracy − λ · cost / best-single's cost) the best option per group is chosen on train and scored on TEST.
 * Also printed: the same options chosen once for all groups (what a label-free fixed composition reaches).
 * {@code SUITE_DIR [THREADS]}, e.g. {@code data/mmlupro}.
 */
public final class ComposeFrontierMain {
    private static final double[] LAMBDAS = {0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.13, 0.16, 0.2, 0.3, 0.5};

    /** A fixed composition of at most three pairs (indices into the pair matrix; -1 where unused). */
    private record Option(String kind, int a, int b, int c) {
        String label(List<Pair> pairs) {
            return switch (kind) {
                case "single" -> pairs.get(a).model();
                case "fallback" -> pairs.get(a).model() + " → " + pairs.get(c).model() + " if no answer";
                default -> pairs.get(a).model() + " + " + pairs.get(b).model() + ", else " + pairs.get(c).model();
            };
        }

        /** {correct, cost} of this option on task t. */
        double[] run(PairMatrix m, int t) {
            Optional<String> x = m.answer(t, a);
            if (kind.equals("single")) {
                return new double[]{m.grade(t, a), m.cost(t, a)};
            }
            if (kind.equals("fallback")) {
                return x.isPresent() ? new double[]{m.grade(t, a), m.cost(t, a)}
                        : new double[]{m.grade(t, c), m.cost(t, a) + m.cost(t, c)};
            }
            Cascades.Outcome o = Cascades.outcome(m, t, a, b, c);
            return new double[]{o.grade(), o.costUsd()};
        }
    }

    private ComposeFrontierMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/mmlupro");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        SuiteMatrices sm = SuiteMatrices.load(dir, threads);
        PairMatrix train = sm.train();
        PairMatrix test = sm.test();
        List<Pair> pairs = train.pairs();
        int best = pairs.indexOf(train.best());
        double ref = train.meanCost(best);
        List<Option> options = options(train);
        List<String> groups = train.tasks().stream().map(Task::group).distinct().sorted().toList();
        double[][][] tr = table(train, options, groups);
        double[][][] te = table(test, options, groups);
        int ntr = train.tasks().size();
        int nte = test.tasks().size();
        double testRef = test.meanCost(best);
        double bestAcc = 0;
        for (int t = 0; t < nte; t++) {
            bestAcc += test.grade(t, best);
        }
        System.out.printf(Locale.ROOT, "%s: %d train / %d test tasks, %d groups, %d options per group; best single %s: "
                        + "test %.2f%% at $%.6f%n", sm.name(), ntr, nte, groups.size(), options.size(),
                pairs.get(best).id(), 100 * bestAcc / nte, testRef);
        System.out.println("λ       per group (TRUE labels; upper bound)      one option for all groups");
        for (double lambda : LAMBDAS) {
            double[] g = chosen(tr, te, lambda, ref, groups.size(), false);
            double[] o = chosen(tr, te, lambda, ref, groups.size(), true);
            System.out.printf(Locale.ROOT, "%-6.2f  train %.2f%% test %.2f%% at %.2f×        test %.2f%% at %.2f×%n",
                    lambda, 100 * g[0] / ntr, 100 * g[2] / nte, g[3] / nte / testRef, 100 * o[2] / nte, o[3] / nte / testRef);
        }
    }

    private static List<Option> options(PairMatrix train) {
        List<Option> out = new ArrayList<>();
        List<Pair> pairs = train.pairs();
        for (int p = 0; p < pairs.size(); p++) {
            out.add(new Option("single", p, -1, -1));
        }
        List<Pair> top = train.ranked().subList(0, Math.min(8, pairs.size()));
        for (Pair a : top) {
            for (Pair c : top) {
                if (!a.equals(c)) {
                    out.add(new Option("fallback", pairs.indexOf(a), -1, pairs.indexOf(c)));
                }
            }
        }
        for (int i = 0; i < top.size(); i++) {
            for (int j = i + 1; j < top.size(); j++) {
                for (Pair c : top) {
                    if (!c.equals(top.get(i)) && !c.equals(top.get(j))) {
                        out.add(new Option("cascade", pairs.indexOf(top.get(i)), pairs.indexOf(top.get(j)), pairs.indexOf(c)));
                    }
                }
            }
        }
        return out;
    }

    /** [group][option] → {correct, cost} summed over the group's tasks. */
    private static double[][][] table(PairMatrix m, List<Option> options, List<String> groups) {
        double[][][] out = new double[groups.size()][options.size()][2];
        for (int t = 0; t < m.tasks().size(); t++) {
            int g = groups.indexOf(m.tasks().get(t).group());
            if (g < 0) {
                continue;
            }
            for (int o = 0; o < options.size(); o++) {
                double[] r = options.get(o).run(m, t);
                out[g][o][0] += r[0];
                out[g][o][1] += r[1];
            }
        }
        return out;
    }

    /** {train correct, train cost, test correct, test cost} of the options chosen on train at this λ. */
    private static double[] chosen(double[][][] tr, double[][][] te, double lambda, double ref, int groups, boolean pooled) {
        double[] out = new double[4];
        if (pooled) {
            int options = tr[0].length;
            int bestO = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < options; o++) {
                double v = 0;
                for (int g = 0; g < groups; g++) {
                    v += tr[g][o][0] - lambda * tr[g][o][1] / ref;
                }
                if (v > bestV) {
                    bestV = v;
                    bestO = o;
                }
            }
            for (int g = 0; g < groups; g++) {
                add(out, tr[g][bestO], te[g][bestO]);
            }
            return out;
        }
        for (int g = 0; g < groups; g++) {
            int bestO = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < tr[g].length; o++) {
                double v = tr[g][o][0] - lambda * tr[g][o][1] / ref;
                if (v > bestV) {
                    bestV = v;
                    bestO = o;
                }
            }
            add(out, tr[g][bestO], te[g][bestO]);
        }
        return out;
    }

    private static void add(double[] out, double[] tr, double[] te) {
        out[0] += tr[0];
        out[1] += tr[1];
        out[2] += te[0];
        out[3] += te[1];
    }
}
