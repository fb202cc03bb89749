package dev.maestro.bench;

import dev.maestro.MaestroException;
import dev.maestro.eval.Cascades;
import dev.maestro.eval.PairMatrix;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * How accurate an aggregator can be that sees the answers of the k pairs best on train on <em>every</em> question: a
 * second upper-bound style analysis for issue 12, next to {@link ComposeFrontierMain}'s fixed compositions. For k in
 * {1, 2, 3, 5, 8, all}, a conditional-logit stacker ({@link AnswerStacker}) over the distinct answers of the top k is
 * fitted on TRAIN, its L2 chosen on VALIDATION and it is scored on TEST, without and with the true task group
 * (the "labels" rows, which a user's question does not carry); the policy's log-odds vote over the same answers is
 * printed for comparison. An adaptive variant asks best-single and one of the next four pairs first and asks the rest
 * of the top k only when those two disagree. Costs are the mean per test task of every pair asked, as a ratio to
 * best-single's mean test cost. {@code SUITE_DIR [THREADS]}, e.g. {@code data/mmlupro}.
 */
public final class AggregateBoundMain {
    private static final int ALL = Integer.MAX_VALUE;
    private static final int[] KS = {1, 2, 3, 5, 8, ALL};
    private static final int[] ADAPTIVE_KS = {3, 5, 8, ALL};
    /** The policy's vote model keeps an accuracy off 0 and 1 so that its vote stays finite (as Featurizer.vote). */
    private static final double CLIP = 0.02;
    private static final double[] L2 = {0.1, 1, 10, 100};

    /** One result for the reading: test accuracy and cost ratio, and whether it uses the true groups. */
    private record Row(String name, boolean labels, double accuracy, double costRatio) {
    }

    /** A stacker fitted on TRAIN with the L2 that did best on VALIDATION. */
    private record Fitted(AnswerStacker stacker, double l2) {
    }

    private AggregateBoundMain() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        Path dir = Path.of(args.length > 0 ? args[0] : "data/mmlupro");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        SuiteMatrices sm = SuiteMatrices.load(dir, threads);
        PairMatrix train = sm.train();
        PairMatrix test = sm.test();
        if (!train.hasAnswers()) {
            throw new MaestroException(sm.name() + ": the replayed outputs carry no answer text, which the aggregators "
                    + "compare; use a suite whose recorded rows have answers (e.g. data/mmlupro)");
        }
        List<Pair> pairs = train.pairs();
        int[] ranked = train.ranked().stream().mapToInt(pairs::indexOf).toArray();
        int best = ranked[0];
        double ref = test.meanCost(best);
        List<String> groups = train.tasks().stream().map(Task::group).distinct().sorted().toList();
        double bestAcc = 0;
        for (int t = 0; t < test.tasks().size(); t++) {
            bestAcc += test.grade(t, best) / test.tasks().size();
        }
        System.out.printf(Locale.ROOT, "%s: %d TRAIN / %d VALIDATION / %d TEST tasks, %d pairs, %d groups; best single "
                        + "(on TRAIN) %s: test %.2f%% at $%.6f%n", sm.name(), train.tasks().size(),
                sm.validation().tasks().size(), test.tasks().size(), pairs.size(), groups.size(), pairs.get(best).id(),
                100 * bestAcc, ref);
        System.out.println("Upper-bound style analysis: each stacker is fitted on TRAIN (L2 chosen on VALIDATION from "
                + "{0.1, 1, 10, 100}) and scored on TEST, as if every listed pair were asked on every question (the cost "
                + "column pays for that). Columns and rows marked 'labels' use each question's TRUE group, which a user's "
                + "question does not carry.");
        List<Row> rows = new ArrayList<>();
        double cascadeCost = cascade(sm, ref);

        System.out.println();
        System.out.println("k     cost×   some answer right   log-odds vote   stacker (L2)       stacker+labels (L2)");
        for (int k : KS) {
            int n = Math.min(k, pairs.size());
            if (k != ALL && k > pairs.size()) {
                continue;
            }
            int[] voters = Arrays.copyOf(ranked, n);
            Ballots tr = Ballots.of(train, voters, groups);
            Ballots va = Ballots.of(sm.validation(), voters, groups);
            Ballots te = Ballots.of(test, voters, groups);
            double cost = meanCost(te) / ref;
            double vote = voteAccuracy(te, trainAccuracies(train, voters));
            Fitted plain = fit(tr, va, false);
            Fitted labelled = fit(tr, va, true);
            double pa = plain.stacker().accuracy(te);
            double la = labelled.stacker().accuracy(te);
            String name = k == ALL ? "all" : Integer.toString(k);
            System.out.printf(Locale.ROOT, "%-5s %5.2f×  %6.2f%%             %6.2f%%         %-18s %s%n",
                    name, cost, 100 * someRight(te), 100 * vote, shown(pa, plain), shown(la, labelled));
            rows.add(new Row("log-odds vote, top " + name, false, vote, cost));
            rows.add(new Row("stacker, top " + name, false, pa, cost));
            rows.add(new Row("stacker+labels, top " + name, true, la, cost));
        }

        System.out.println();
        System.out.println("Adaptive: ask best single + second; if both answer the same, answer that; else ask the rest "
                + "of the top k and stack all their answers (stacker fitted on the TRAIN tasks where the two disagreed).");
        System.out.println("second                                       k     escalated  cost×   stacker (L2)       stacker+labels (L2)");
        for (int k : ADAPTIVE_KS) {
            if (k != ALL && k > pairs.size()) {
                continue;
            }
            for (int s = 1; s < Math.min(5, ranked.length); s++) {
                int[] voters = adaptiveVoters(ranked, s, Math.min(k, pairs.size()));
                Ballots tr = Ballots.of(train, voters, groups);
                Ballots va = Ballots.of(sm.validation(), voters, groups);
                Ballots te = Ballots.of(test, voters, groups);
                Fitted plain = fit(tr.rows(disagree(tr)), va.rows(disagree(va)), false);
                Fitted labelled = fit(tr.rows(disagree(tr)), va.rows(disagree(va)), true);
                double[] p = adaptive(te, plain.stacker());
                double[] l = adaptive(te, labelled.stacker());
                String name = k == ALL ? "all" : Integer.toString(k);
                System.out.printf(Locale.ROOT, "%-44s %-5s %6.2f%%    %5.2f×  %-18s %s%n",
                        pairs.get(ranked[s]).id(), name, 100 * p[2], p[1] / ref, shown(p[0], plain),
                        shown(l[0], labelled));
                String label = "adaptive, second " + pairs.get(ranked[s]).id() + ", top " + name;
                rows.add(new Row(label, false, p[0], p[1] / ref));
                rows.add(new Row(label + " + labels", true, l[0], l[1] / ref));
            }
        }
        reading(rows, bestAcc, cascadeCost);
        System.out.printf(Locale.ROOT, "(%.0f s)%n", (System.nanoTime() - start) / 1e9);
    }

    /** The suite's cascade baseline (chosen on the whole training split, as Baselines does), replayed on TEST. */
    private static double cascade(SuiteMatrices sm, double ref) {
        return Cascades.choose(sm.trainAll()).map(c -> {
            Cascades.Choice onTest = Cascades.replay(sm.test(), c.first(), c.second(), c.third());
            System.out.printf(Locale.ROOT, "cascade baseline (%s + %s, else %s; chosen on TRAIN+VALIDATION, replayed on the "
                    + "TEST pair matrix): test %.2f%% at %.2f×%n", c.first().id(), c.second().id(), c.third().id(),
                    100 * onTest.trainAccuracy(), onTest.trainCostUsd() / ref);
            return onTest.trainCostUsd() / ref;
        }).orElse(Double.NaN);
    }

    /** Best single, the chosen second, then the rest of the top k in training rank. */
    private static int[] adaptiveVoters(int[] ranked, int second, int k) {
        List<Integer> v = new ArrayList<>(List.of(ranked[0], ranked[second]));
        for (int i = 1; i < k; i++) {
            if (i != second) {
                v.add(ranked[i]);
            }
        }
        return v.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Tasks where voters 0 and 1 did not give the same answer (either gave none, or they differ). */
    private static boolean[] disagree(Ballots b) {
        boolean[] out = new boolean[b.tasks()];
        for (int t = 0; t < b.tasks(); t++) {
            String x = b.answer()[t][0];
            out[t] = x == null || !x.equals(b.answer()[t][1]);
        }
        return out;
    }

    /** {accuracy, mean cost, escalation share} of the adaptive scheme on these ballots. */
    private static double[] adaptive(Ballots b, AnswerStacker stacker) {
        boolean[] escalate = disagree(b);
        double acc = 0;
        double cost = 0;
        int up = 0;
        for (int t = 0; t < b.tasks(); t++) {
            cost += b.cost()[t][0] + b.cost()[t][1];
            if (!escalate[t]) {
                acc += b.grade()[t][0];
                continue;
            }
            up++;
            for (int j = 2; j < b.voters(); j++) {
                cost += b.cost()[t][j];
            }
            int j = stacker.choose(b, t);
            acc += j < 0 ? 0 : b.grade()[t][j];
        }
        int n = Math.max(1, b.tasks());
        return new double[]{acc / n, cost / n, (double) up / n};
    }

    /** Fits one stacker per L2 on TRAIN and keeps the most accurate on VALIDATION (ties: higher likelihood there). */
    private static Fitted fit(Ballots train, Ballots validation, boolean labels) {
        Fitted best = null;
        double bestAcc = -1;
        double bestLl = Double.NEGATIVE_INFINITY;
        for (double l2 : L2) {
            AnswerStacker s = AnswerStacker.fit(train, labels, l2);
            double acc = s.accuracy(validation);
            double ll = s.logLikelihood(validation);
            if (acc > bestAcc + 1e-12 || (Math.abs(acc - bestAcc) <= 1e-12 && ll > bestLl)) {
                best = new Fitted(s, l2);
                bestAcc = acc;
                bestLl = ll;
            }
        }
        return best;
    }

    /** A test accuracy with the stacker's L2, e.g. "71.52% (0.1)". */
    private static String shown(double accuracy, Fitted f) {
        String l2 = f.l2() >= 1 ? String.format(Locale.ROOT, "%.0f", f.l2()) : Double.toString(f.l2());
        return String.format(Locale.ROOT, "%6.2f%% (%s)", 100 * accuracy, l2);
    }

    private static double[] trainAccuracies(PairMatrix train, int[] voters) {
        double[] out = new double[voters.length];
        for (int j = 0; j < voters.length; j++) {
            out[j] = train.accuracy(voters[j]);
        }
        return out;
    }

    /**
     * The policy's vote model: each answer scores the summed votes of its supporters, a vote being the log-odds that
     * a voter this accurate (on TRAIN) is right rather than landing on this wrong answer by chance, floored at 0.
     * Ties go to the answer of the best-ranked voter.
     */
    private static double voteAccuracy(Ballots b, double[] accuracy) {
        double sum = 0;
        for (int t = 0; t < b.tasks(); t++) {
            int[] opt = b.options(t);
            double[] score = new double[b.voters()];
            int count = 0;
            for (int j = 0; j < opt.length; j++) {
                if (opt[j] >= 0) {
                    double p = Math.min(1 - CLIP, Math.max(CLIP, accuracy[j]));
                    score[opt[j]] += Math.max(0, Math.log(p * b.wrong()[t] / (1 - p)));
                    count = Math.max(count, opt[j] + 1);
                }
            }
            if (count == 0) {
                continue;
            }
            int top = 0;
            for (int o = 1; o < count; o++) {
                if (score[o] > score[top]) {
                    top = o;
                }
            }
            sum += b.grade()[t][Ballots.voterOf(opt, top)];
        }
        return sum / Math.max(1, b.tasks());
    }

    /** Share of tasks where at least one voter is right: the ceiling of any aggregator of these answers. */
    private static double someRight(Ballots b) {
        int n = 0;
        for (double[] g : b.grade()) {
            for (double x : g) {
                if (x >= 0.5) {
                    n++;
                    break;
                }
            }
        }
        return (double) n / Math.max(1, b.tasks());
    }

    /** Mean per task of all voters' costs: what asking every one of them on every question costs. */
    private static double meanCost(Ballots b) {
        double sum = 0;
        for (double[] c : b.cost()) {
            for (double x : c) {
                sum += x;
            }
        }
        return sum / Math.max(1, b.tasks());
    }

    /**
     * The paragraph the table is for: the best any aggregator row reaches, with and without labels, and the best
     * within the cascade baseline's cost.
     */
    private static void reading(List<Row> rows, double bestAcc, double cascadeCost) {
        double target = bestAcc + 0.02;
        System.out.println();
        System.out.printf(Locale.ROOT, "Reading (target: best single + 2.0 points = %.2f%%):%n", 100 * target);
        for (boolean labels : new boolean[]{false, true}) {
            String which = labels ? "with the TRUE group labels" : "without labels";
            Row top = best(rows, r -> r.labels() == labels);
            Row cheap = best(rows, r -> r.labels() == labels && r.costRatio() <= cascadeCost + 1e-9);
            System.out.printf(Locale.ROOT, "- aggregators %s: best %.2f%% (%s, %.2f× cost), %s the "
                            + "target; best at <= the cascade's cost (%.2f×): %s%n", which, 100 * top.accuracy(), top.name(), top.costRatio(),
                    top.accuracy() >= target ? "REACHES" : "short of",
                    cascadeCost, cheap == null ? "no row" : String.format(Locale.ROOT, "%.2f%% (%s, %.2f×)",
                            100 * cheap.accuracy(), cheap.name(), cheap.costRatio()));
        }
    }

    private static Row best(List<Row> rows, Predicate<Row> keep) {
        Row out = null;
        for (Row r : rows) {
            if (keep.test(r) && (out == null || r.accuracy() > out.accuracy())) {
                out = r;
            }
        }
        return out;
    }
}
