package dev.maestro.experiment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.Seeds;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.eval.CurveSection;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.Stats;
import dev.maestro.eval.SystemResult;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.Registry;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Onboarding against retraining, on a suite: for each leave-out set S, a policy trained without S is given S back
 * with N probes per new pair (adaptive and random, {@link Onboarding}) and scored on the test split next to the
 * same policy without S and the policy trained with S. Reported per set and N: accuracy, cost, reward, share of
 * calls to S, and the share of the retraining's reward gain that onboarding recovers,
 * (reward onboarded − reward without) / (reward retrained − reward without); and adaptive − random per N as a paired
 * reward difference over the test tasks with its 95% interval. Every system is scored at the retrained policy's
 * price of accuracy in dollars ({@link #samePrice}); the reward is the environment's (grade − dollars − 0.01 per
 * call), the same for all.
 *
 * <p>Probing is random (random probes, and adaptive ones choosing among nearly-best questions), and one draw of 30
 * probes can move the recovery of a set by half its gain (MMLU-Pro, docs/policy.md). So each N &gt; 0 can be
 * onboarded {@code draws} times with independent probe seeds (the first is the run's seed, so one draw reproduces
 * earlier runs): rows are means over the draws, and the pooled recovery gets a 95% interval over them, as does
 * adaptive − random ({@link Recovery}, {@link RecoveryDifference}). Those intervals are about the probe noise for this
 * trained policy; the training seed is another source of spread, for which the command is run again.
 */
public final class OnboardingExperiment {
    /** One scored system of one set. */
    public record Row(String set, String system, int probes, String selector, double accuracy, double meanCostUsd,
                      double meanReward, double shareNew, double recovery, long probeCalls, double probeCostUsd) {
    }

    /**
     * Adaptive − random at one N of one set: paired reward difference over the test tasks (each task's reward averaged
     * over the probe draws), with its 95% interval: the spread over tasks, not over draws ({@link RecoveryDifference}).
     */
    public record Paired(String set, int probes, double difference, double low, double high) {
    }

    /**
     * The recovery pooled over the sets ({@link #pooledRecovery}) at one N for one selector: per probe draw, and their
     * mean with a 95% interval over the draws (Student t; NaN with one draw).
     */
    public record Recovery(int probes, String selector, double mean, double low, double high, List<Double> draws) {
        public Recovery {
            draws = List.copyOf(draws);
        }
    }

    /**
     * Adaptive − random pooled recovery at one N: the difference of draw k of one and draw k of the other (independent
     * draws, so the pairing only halves the bookkeeping), its mean and 95% interval over the draws (NaN with one).
     */
    public record RecoveryDifference(int probes, double mean, double low, double high, int draws) {
    }

    /**
     * One onboarding of one set: its reward, its share of the set's retraining gain, and each new pair's estimated
     * training accuracy and expected cost per call — what shows whether a draw's recovery followed its estimates.
     */
    public record Draw(String set, int probes, String selector, int draw, double meanReward, double recovery,
                       Map<String, Double> estimates, Map<String, Double> costPerCallUsd) {
        public Draw {
            estimates = Collections.unmodifiableMap(new LinkedHashMap<>(estimates));
            costPerCallUsd = Collections.unmodifiableMap(new LinkedHashMap<>(costPerCallUsd));
        }
    }

    /** Everything measured, plus the systems for report.json. */
    public record Result(List<Row> rows, List<Paired> paired, List<SystemResult> systems, List<Recovery> recoveries,
                         List<RecoveryDifference> differences, List<Draw> draws) {
        public Result(List<Row> rows, List<Paired> paired, List<SystemResult> systems) {
            this(rows, paired, systems, List.of(), List.of(), List.of());
        }
    }

    private OnboardingExperiment() {
    }

    /**
     * @param trainer trains a policy on an environment (the set left out of its registry) and returns it
     * @param draws   onboardings per N &gt; 0 and selector, each with its own probe seed (the card prior, N = 0, is
     *                drawn once: it probes nothing)
     * @param grouping what a new pair gets an ability for ({@link Onboarding.Grouping})
     */
    public static Result run(Workbench wb, List<List<String>> sets, List<Integer> probes, List<String> selectors,
                             LearnedPolicy retrained, BiFunction<Environment, PairMatrix, LearnedPolicy> trainer,
                             long seed, int draws, Onboarding.Grouping grouping, int threads, Progress progress) {
        if (draws < 1) {
            throw new MaestroException("--onboard-draws must be 1 or more, got " + draws);
        }
        List<Task> train = wb.part(Split.Part.TRAIN);
        List<Task> test = wb.part(Split.Part.TEST);
        Environment full = wb.env();
        List<EpisodeResult> ref = Evaluator.run(Generalization.asTrained(full, retrained), retrained, test, seed, threads,
                Progress.NONE);
        List<Row> rows = new ArrayList<>();
        List<Paired> paired = new ArrayList<>();
        Map<Estimator, Map<String, double[]>> drawRewards = new LinkedHashMap<>(); // set -> reward per draw
        List<Draw> drawList = new ArrayList<>();
        List<SystemResult> systems = new ArrayList<>();
        systems.add(SystemResult.of("retrained", "learned", null, ref, "trained with every model (the reference)"));
        for (List<String> set : sets) {
            for (String m : set) {
                if (wb.registry().model(m).isEmpty()) {
                    throw new MaestroException("--leave-out-set: no model '" + m + "' in registry " + wb.registry().name()
                            + "; valid: " + wb.registry().modelIds());
                }
            }
            String name = String.join("+", set);
            Set<String> out = Set.copyOf(set);
            Registry without = wb.registry().filterModels(c -> !out.contains(c.id()));
            Environment envWithout = full.withRegistry(without, Map.of());
            PairMatrix known = PairMatrix.compute(envWithout, train, seed, threads, Progress.NONE);
            LearnedPolicy p = samePrice(trainer.apply(envWithout, known), retrained);
            List<EpisodeResult> base = Evaluator.run(Generalization.asTrained(envWithout, p), p, test, seed, threads,
                    Progress.NONE);
            double rBase = reward(base);
            double rRef = reward(ref);
            rows.add(row(name, "without", 0, "-", base, out, rBase, rRef, 0, 0));
            rows.add(row(name, "retrained", 0, "-", ref, out, rBase, rRef, 0, 0));
            Map<String, double[]> byKey = new LinkedHashMap<>();
            for (int n : probes) {
                for (String sel : n == 0 ? List.of(selectors.get(0)) : selectors) {
                    String label = n == 0 ? "card" : sel;
                    Draws ds = onboard(full, p, known, train, test, name, n, sel, label, n == 0 ? 1 : draws, seed,
                            grouping, threads, rBase, rRef);
                    drawList.addAll(ds.draws());
                    systems.add(SystemResult.of("onboard-" + name + "-" + label + "-" + n, "learned", null, ds.first(),
                            "trained without " + set + ", onboarded with " + n + " " + label + " probes per new pair"
                                    + (ds.perDraw().length > 1 ? " (the first of " + ds.perDraw().length + " probe draws)" : "")));
                    rows.add(row(name, "onboarded", n, label, ds.all(), out, rBase, rRef, Math.round(ds.meanCalls()),
                            ds.meanCostUsd()));
                    byKey.put(label + "|" + n, ds.perTask());
                    drawRewards.computeIfAbsent(new Estimator(label, n), x -> new LinkedHashMap<>()).put(name, ds.perDraw());
                }
                if (byKey.containsKey("adaptive|" + n) && byKey.containsKey("random|" + n)) {
                    double[] d = Stats.pairedDiff95(byKey.get("adaptive|" + n), byKey.get("random|" + n));
                    paired.add(new Paired(name, n, d[0], d[1], d[2]));
                }
            }
            systems.add(SystemResult.of("without-" + name, "learned", null, base, "trained and scored without " + set));
            progress.advance(1);
        }
        List<Recovery> recoveries = new ArrayList<>();
        Map<Estimator, double[]> pooled = new LinkedHashMap<>();
        drawRewards.forEach((est, bySet) -> {
            double[] p = pooledByDraw(rows, bySet);
            double[] ci = Stats.mean95(p);
            recoveries.add(new Recovery(est.probes(), est.selector(), ci[0], ci[1], ci[2], Arrays.stream(p).boxed().toList()));
            pooled.put(est, p);
        });
        List<RecoveryDifference> differences = new ArrayList<>();
        pooled.forEach((est, a) -> {
            double[] r = pooled.get(new Estimator("random", est.probes()));
            if (est.selector().equals("adaptive") && r != null) {
                double[] d = new double[Math.min(a.length, r.length)];
                for (int k = 0; k < d.length; k++) {
                    d[k] = a[k] - r[k];
                }
                double[] ci = Stats.mean95(d);
                differences.add(new RecoveryDifference(est.probes(), ci[0], ci[1], ci[2], d.length));
            }
        });
        return new Result(rows, paired, systems, recoveries, differences, drawList);
    }

    /**
     * K onboardings of one set with one selector at N: every episode, each test task's reward averaged over the draws,
     * each draw's mean reward, the mean probe calls and cost, each draw's record, and the first draw's episodes.
     */
    /** A selector (or {@code card}) at a number of probes. */
    private record Estimator(String selector, int probes) {
    }

    private record Draws(List<EpisodeResult> all, double[] perTask, double[] perDraw, double meanCalls,
                         double meanCostUsd, List<Draw> draws, List<EpisodeResult> first) {
    }

    /** Onboards the set {@code k} times, draw d with probe seed {@code seed} (d = 0) or {@code Seeds.of(seed, d)}. */
    private static Draws onboard(Environment full, LearnedPolicy p, PairMatrix known, List<Task> train, List<Task> test,
                                 String set, int n, String selector, String label, int k, long seed,
                                 Onboarding.Grouping grouping, int threads, double rBase, double rRef) {
        List<EpisodeResult> all = new ArrayList<>();
        List<EpisodeResult> first = List.of();
        double[] perTask = new double[test.size()];
        double[] perDraw = new double[k];
        List<Draw> records = new ArrayList<>();
        double calls = 0;
        double cost = 0;
        double gain = rRef - rBase;
        for (int d = 0; d < k; d++) {
            long probeSeed = d == 0 ? seed : Seeds.of(seed, d);
            Onboarding.Result on = Onboarding.run(full, p, Onboarding.outcomes(known), train, Map.of(),
                    Onboarding.Options.of(n, probeSeed).withSelector(selector).withTolerance(0).withGrouping(grouping),
                    Progress.NONE);
            List<EpisodeResult> rs = Evaluator.run(Generalization.asTrained(full, on.policy()), on.policy(), test, seed,
                    threads, Progress.NONE);
            if (d == 0) {
                first = rs;
            }
            all.addAll(rs);
            double[] r = rewards(rs);
            for (int t = 0; t < r.length; t++) {
                perTask[t] += r[t] / k;
            }
            perDraw[d] = reward(rs);
            Map<String, Double> est = new LinkedHashMap<>();
            on.accuracies().forEach((pair, a) -> est.put(pair.id(), Stats.round(a, 4)));
            Map<String, Double> perCall = new LinkedHashMap<>();
            on.costs().forEach((pair, c) -> perCall.put(pair.id(), Stats.round(c, 7)));
            records.add(new Draw(set, n, label, d, Stats.round(perDraw[d], 5),
                    Math.abs(gain) < 1e-9 ? Double.NaN : Stats.round((perDraw[d] - rBase) / gain, 3), est, perCall));
            calls += on.calls() / (double) k;
            cost += on.costUsd() / k;
        }
        return new Draws(all, perTask, perDraw, calls, cost, records, first);
    }

    /**
     * Per draw, the recovery pooled over the sets ({@link #pooledRecovery}) from each set's mean reward in that draw
     * and its without and retrained rows; NaN where no set has a gain.
     */
    static double[] pooledByDraw(List<Row> rows, Map<String, double[]> rewardBySet) {
        int k = rewardBySet.values().stream().mapToInt(x -> x.length).min().orElse(0);
        double[] gained = new double[k];
        double gain = 0;
        for (var e : rewardBySet.entrySet()) {
            Optional<Row> without = find(rows, e.getKey(), "without", -1, null);
            Optional<Row> retrained = find(rows, e.getKey(), "retrained", -1, null);
            if (without.isPresent() && retrained.isPresent()) {
                gain += retrained.get().meanReward() - without.get().meanReward();
                for (int d = 0; d < k; d++) {
                    gained[d] += e.getValue()[d] - without.get().meanReward();
                }
            }
        }
        double[] pooled = new double[k];
        for (int d = 0; d < k; d++) {
            pooled[d] = gain == 0 ? Double.NaN : gained[d] / gain;
        }
        return pooled;
    }

    /**
     * The policy told the retrained policy's price of accuracy in dollars. W is per cost reference (the best training
     * pair's cost per task), and the reference moves with the registry: without gemini-1.5-pro-002 on MMLU-Pro it is
     * about a ninth of gemini's cost, so at its own W the policy trained without it would weigh gemini's price nine
     * times as much as the retrained one does, and the comparison would measure that, not onboarding.
     */
    static LearnedPolicy samePrice(LearnedPolicy p, LearnedPolicy reference) {
        if (!(reference.costReference() > 0) || !(p.costReference() > 0)) {
            return p;
        }
        return p.withCostWeight(reference.costWeight() * p.costReference() / reference.costReference());
    }

    private static Row row(String set, String system, int n, String selector, List<EpisodeResult> rs, Set<String> models,
                           double rBase, double rRef, long calls, double cost) {
        double r = reward(rs);
        double gain = rRef - rBase;
        return new Row(set, system, n, selector, Stats.round(accuracy(rs), 4), Stats.round(meanCost(rs), 6),
                Stats.round(r, 5), Stats.round(share(rs, models), 4),
                Math.abs(gain) < 1e-9 ? Double.NaN : Stats.round((r - rBase) / gain, 3), calls, Stats.round(cost, 6));
    }

    static double reward(List<EpisodeResult> rs) {
        return rs.stream().mapToDouble(EpisodeResult::reward).average().orElse(0);
    }

    static double[] rewards(List<EpisodeResult> rs) {
        return rs.stream().mapToDouble(EpisodeResult::reward).toArray();
    }

    static double accuracy(List<EpisodeResult> rs) {
        return rs.stream().mapToDouble(EpisodeResult::grade).average().orElse(0);
    }

    static double meanCost(List<EpisodeResult> rs) {
        return rs.stream().mapToDouble(EpisodeResult::costUsd).average().orElse(0);
    }

    /** Share of all calls that went to these models. */
    static double share(List<EpisodeResult> rs, Set<String> models) {
        long all = 0;
        long hit = 0;
        for (EpisodeResult r : rs) {
            for (var s : r.steps()) {
                for (var o : s.observations()) {
                    all++;
                    if (models.contains(o.call().model())) {
                        hit++;
                    }
                }
            }
        }
        return all == 0 ? 0 : hit / (double) all;
    }

    /**
     * The report's {@code onboarding} section: every row, the paired differences, and curves for report.html.
     *
     * @param curves per selector, the recovery pooled over the sets at each number of probes ({@link #pooledRecovery})
     */
    public record Section(String x, Map<String, List<Double>> curves, List<Row> rows,
                          @JsonProperty("adaptive_minus_random_reward") List<Paired> adaptiveMinusRandomReward,
                          @JsonProperty("recovery_over_draws") List<Recovery> recoveryOverDraws,
                          @JsonProperty("adaptive_minus_random_recovery") List<RecoveryDifference> adaptiveMinusRandomRecovery,
                          List<Draw> draws,
                          @JsonIgnore List<Integer> probes)
            implements CurveSection {
        @Override
        public List<Double> xValues() {
            return probes.stream().map(Integer::doubleValue).toList();
        }

        @Override
        public String yTitle() {
            return "share of the retraining gain recovered";
        }
    }

    /** The report's {@code onboarding} section of a result. */
    public static Section section(Result r, List<Integer> probes) {
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        for (String sel : List.of("adaptive", "random")) {
            List<Double> ys = new ArrayList<>();
            for (int n : probes) {
                ys.add(pooledRecovery(r.rows(), n, n == 0 ? "card" : sel));
            }
            if (ys.stream().allMatch(y -> !y.isNaN())) {
                curves.put("recovered share of the retraining gain (pooled over the sets), " + sel, ys);
            }
        }
        return new Section("probes per new pair: " + probes, curves, r.rows(), r.paired(), r.recoveries(),
                r.differences(), r.draws(), List.copyOf(probes));
    }

    /**
     * The share of the retraining's reward gain that onboarding recovers, pooled over the sets:
     * Σ (onboarded − without) / Σ (retrained − without), over the sets that have all three rows; NaN when none has.
     * Not the mean of the per-set shares: a set whose retraining gain is within noise (0.001 reward on MMLU-Pro, where
     * the known experts already cover the left-out ones) has a share of noise over noise (−6 to +3 measured), which
     * would decide the mean; pooled, each set counts by the gain it has to recover.
     */
    public static double pooledRecovery(List<Row> rows, int probes, String selector) {
        double gained = 0;
        double gain = 0;
        int sets = 0;
        for (String set : rows.stream().map(Row::set).distinct().toList()) {
            Optional<Row> without = find(rows, set, "without", -1, null);
            Optional<Row> retrained = find(rows, set, "retrained", -1, null);
            Optional<Row> onboarded = find(rows, set, "onboarded", probes, selector);
            if (without.isPresent() && retrained.isPresent() && onboarded.isPresent()) {
                gained += onboarded.get().meanReward() - without.get().meanReward();
                gain += retrained.get().meanReward() - without.get().meanReward();
                sets++;
            }
        }
        return sets == 0 || gain == 0 ? Double.NaN : gained / gain;
    }

    /** The mean of the per-set shares (see {@link #pooledRecovery} for why it is not the headline). */
    public static double meanRecovery(List<Row> rows, int probes, String selector) {
        return rows.stream().filter(x -> x.system().equals("onboarded") && x.probes() == probes
                        && x.selector().equals(selector) && !Double.isNaN(x.recovery()))
                .mapToDouble(Row::recovery).average().orElse(Double.NaN);
    }

    private static Optional<Row> find(List<Row> rows, String set, String system, int probes, String selector) {
        return rows.stream().filter(x -> x.set().equals(set) && x.system().equals(system)
                && (probes < 0 || x.probes() == probes) && (selector == null || x.selector().equals(selector))).findFirst();
    }
}
