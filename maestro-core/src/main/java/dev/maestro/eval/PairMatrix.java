package dev.maestro.eval;

import dev.maestro.Parallel;
import dev.maestro.Progress;
import dev.maestro.Seeds;
import dev.maestro.episode.EpisodeNotes;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.expert.Usage;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.task.AnswerKey;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The outcome of every single (model, skill) pair on every task: the raw material for best-single,
 * per-group routers and the oracle. Computed by running one fixed-pair episode per (task, pair).
 *
 * <p>A pair's accuracy ({@link #accuracy}, {@link #accuracies}, the ranking behind best-single) is its mean grade
 * over the tasks where its call was answered and graded: a failed call (timeout, HTTP error...) or an ungraded
 * task says nothing about the model. Without failures that is the mean over all tasks.
 */
public final class PairMatrix {
    private final List<Task> tasks;
    private final List<Pair> pairs;
    private final double[][] grade;
    private final double[][] cost;
    private final double[][] latency;
    /** The normalised answer key each pair gave on each task (AnswerKey), null when it gave none. */
    private final String[][] answers;
    private final boolean[][] counted;

    private PairMatrix(List<Task> tasks, List<Pair> pairs, double[][] grade, double[][] cost, double[][] latency,
                       String[][] answers, boolean[][] counted) {
        this.tasks = tasks;
        this.pairs = pairs;
        this.grade = grade;
        this.cost = cost;
        this.latency = latency;
        this.answers = answers;
        this.counted = counted;
    }

    public static PairMatrix compute(Environment env, List<Task> tasks, long seed, int threads, Progress progress) {
        List<Pair> pairs = env.registry().pairs();
        double[][] g = new double[tasks.size()][pairs.size()];
        double[][] c = new double[tasks.size()][pairs.size()];
        double[][] l = new double[tasks.size()][pairs.size()];
        String[][] a = new String[tasks.size()][pairs.size()];
        boolean[][] k = new boolean[tasks.size()][pairs.size()];
        List<FixedPairPolicy> policies = pairs.stream().map(FixedPairPolicy::new).toList();
        progress.start("pairs", (long) pairs.size() * tasks.size());
        // Task-major: all pairs of one task run together, so per-task work (an image decoded for several tools)
        // is reused while it is hot. Seeds are per task, as in Evaluator, so the numbers do not depend on order.
        Parallel.forEach(threads, "pair evaluation", tasks.size(), t -> {
            Task task = tasks.get(t);
            long s = Seeds.of(seed, task.id());
            for (int p = 0; p < pairs.size(); p++) {
                EpisodeResult r = env.run(task, policies.get(p), s);
                g[t][p] = r.grade();
                c[t][p] = r.costUsd();
                l[t][p] = r.latencyMs();
                a[t][p] = r.answer().filter(x -> !x.isBlank()).map(x -> AnswerKey.of(task, x)).orElse(null);
                k[t][p] = r.graded() && r.expertFailures() == 0;
            }
            progress.advance(pairs.size());
        });
        progress.finish();
        return new PairMatrix(tasks, pairs, g, c, l, a, k);
    }

    /** The rows of these tasks (a subset of this matrix's tasks, matched by id), without running anything again. */
    public PairMatrix subset(List<Task> some) {
        Map<String, Integer> row = new HashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            row.put(tasks.get(t).id(), t);
        }
        double[][] g = new double[some.size()][];
        double[][] c = new double[some.size()][];
        double[][] l = new double[some.size()][];
        String[][] a = new String[some.size()][];
        boolean[][] k = new boolean[some.size()][];
        for (int i = 0; i < some.size(); i++) {
            Integer t = row.get(some.get(i).id());
            if (t == null) {
                throw new IllegalArgumentException("task " + some.get(i).id() + " is not in this pair matrix");
            }
            g[i] = grade[t];
            c[i] = cost[t];
            l[i] = latency[t];
            a[i] = answers[t];
            k[i] = counted[t];
        }
        return new PairMatrix(List.copyOf(some), pairs, g, c, l, a, k);
    }

    /** The normalised answer pair {@code pair} gave on task {@code task}, if it gave one. */
    public Optional<String> answer(int task, int pair) {
        return Optional.ofNullable(answers[task][pair]);
    }

    /** Whether any pair gave any answer text on these tasks (replayed BlindTest outcomes carry none). */
    public boolean hasAnswers() {
        for (String[] row : answers) {
            for (String x : row) {
                if (x != null) {
                    return true;
                }
            }
        }
        return false;
    }

    public List<Pair> pairs() { return pairs; }
    public List<Task> tasks() { return tasks; }

    public double grade(int task, int pair) { return grade[task][pair]; }
    public double cost(int task, int pair) { return cost[task][pair]; }
    /** Whether the pair's call on the task was answered and graded (a failed or ungraded call says nothing). */
    public boolean counted(int task, int pair) { return counted[task][pair]; }

    /** Per pair, its grade on each task (in task order). */
    public Map<Pair, double[]> gradesByPair() {
        Map<Pair, double[]> out = new LinkedHashMap<>();
        for (int p = 0; p < pairs.size(); p++) {
            double[] g = new double[tasks.size()];
            for (int t = 0; t < tasks.size(); t++) {
                g[t] = grade[t][p];
            }
            out.put(pairs.get(p), g);
        }
        return out;
    }

    /** Per pair, its accuracy over these tasks. */
    public Map<Pair, Double> accuracies() {
        Map<Pair, Double> out = new LinkedHashMap<>();
        for (int p = 0; p < pairs.size(); p++) {
            out.put(pairs.get(p), accuracy(p));
        }
        return out;
    }

    /** Per pair, its mean cost per task over these tasks (US$). */
    public Map<Pair, Double> meanCosts() {
        Map<Pair, Double> out = new LinkedHashMap<>();
        for (int p = 0; p < pairs.size(); p++) {
            out.put(pairs.get(p), meanCost(p));
        }
        return out;
    }

    /** Mean grade over the tasks where the pair's call was answered and graded (see the class comment). */
    public double accuracy(int p) {
        double s = 0;
        int n = 0;
        for (int t = 0; t < grade.length; t++) {
            if (counted[t][p]) {
                s += grade[t][p];
                n++;
            }
        }
        return n == 0 ? 0 : s / n;
    }

    public double meanCost(int p) {
        double s = 0;
        for (double[] row : cost) {
            s += row[p];
        }
        return tasks.isEmpty() ? 0 : s / tasks.size();
    }

    /** Pairs ordered by accuracy (ties: cheaper first, then by id). */
    public List<Pair> ranked() {
        List<Integer> idx = new ArrayList<>();
        for (int p = 0; p < pairs.size(); p++) {
            idx.add(p);
        }
        idx.sort(Comparator.<Integer>comparingDouble(p -> -accuracy(p)).thenComparingDouble(this::meanCost)
                .thenComparing(p -> pairs.get(p).id()));
        return idx.stream().map(pairs::get).toList();
    }

    public Pair best() {
        return ranked().get(0);
    }

    public Map<String, Double> accuracyByPair() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Pair p : ranked()) {
            m.put(p.id(), Stats.round(accuracy(pairs.indexOf(p)), 4));
        }
        return m;
    }

    /** Best pair per label over the tasks that carry the label (labels from any function of the task). */
    public Map<String, Pair> bestPerLabel(Function<Task, Optional<String>> label) {
        Map<String, double[]> sums = new HashMap<>();
        Map<String, double[]> costs = new HashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            Optional<String> l = label.apply(tasks.get(t));
            if (l.isEmpty()) {
                continue;
            }
            double[] s = sums.computeIfAbsent(l.get(), k -> new double[pairs.size()]);
            double[] c = costs.computeIfAbsent(l.get(), k -> new double[pairs.size()]);
            for (int p = 0; p < pairs.size(); p++) {
                s[p] += grade[t][p];
                c[p] += cost[t][p];
            }
        }
        Map<String, Pair> out = new HashMap<>();
        sums.forEach((k, s) -> {
            double[] c = costs.get(k);
            int best = 0;
            for (int p = 1; p < pairs.size(); p++) {
                if (s[p] > s[best] + 1e-12 || (Math.abs(s[p] - s[best]) <= 1e-12 && c[p] < c[best])) {
                    best = p;
                }
            }
            out.put(k, pairs.get(best));
        });
        return out;
    }

    /** Any-pair oracle: a task counts as solved when some pair solved it; cost = cheapest solving pair. */
    public SystemResult oracle(String name, String note) {
        List<EpisodeResult> rs = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            int pick = -1;
            for (int p = 0; p < pairs.size(); p++) {
                if (grade[t][p] >= 0.5 && (pick < 0 || cost[t][p] < cost[t][pick])) {
                    pick = p;
                }
            }
            double g = pick >= 0 ? grade[t][pick] : 0;
            double c = pick >= 0 ? cost[t][pick] : 0;
            double lat = pick >= 0 ? latency[t][pick] : 0;
            rs.add(synthetic(tasks.get(t), name, g, c, lat));
        }
        return SystemResult.of(name, "upper-bound", null, rs, note);
    }

    /** A routing table applied to these tasks (per-label best pair), as if each task called its routed pair once. */
    public SystemResult routed(String name, String kind, Function<Task, Pair> route, String note) {
        List<EpisodeResult> rs = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            int p = pairs.indexOf(route.apply(tasks.get(t)));
            rs.add(synthetic(tasks.get(t), name, grade[t][p], cost[t][p], latency[t][p]));
        }
        return SystemResult.of(name, kind, null, rs, note);
    }

    private static EpisodeResult synthetic(Task t, String name, double g, double c, double lat) {
        return new EpisodeResult(t.id(), t.group(), name, 0, Optional.empty(), g, "matrix", g, 1, c, lat,
                Usage.NONE, 0, 0, false, List.of(), EpisodeNotes.NONE);
    }
}
