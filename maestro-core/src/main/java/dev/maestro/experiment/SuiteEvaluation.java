package dev.maestro.experiment;

import dev.maestro.eval.SystemResult;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.ReportWriter;
import dev.maestro.eval.Report;
import dev.maestro.eval.Stats;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.Baselines;
import dev.maestro.eval.Composition;
import dev.maestro.eval.CostCurve;
import dev.maestro.eval.CurveSection;
import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.expert.PairHealth;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The main job for one suite: fit the baselines on the training split, train the learned policy on the
 * training split minus a validation split (used for early stopping), and score everything on the test split.
 */
public final class SuiteEvaluation {
    /**
     * What to run.
     *
     * @param costSweep cost weights at which the trained policy is also evaluated, for the report's cost curve
     *                  (empty: none)
     */
    public record Options(long seed, int threads, Optional<TrainConfig> train, Optional<TextEmbedder> embedder,
                          Optional<Path> out, Progress progress, boolean generalize, List<Double> costSweep) {
        public Options {
            costSweep = List.copyOf(costSweep);
        }

        public static Options baselinesOnly(long seed, int threads, Progress progress) {
            return new Options(seed, threads, Optional.empty(), Optional.empty(), Optional.empty(), progress, false, List.of());
        }
    }

    /** A report plus the trained policy, when one was trained. */
    public record Outcome(Report report, Optional<LearnedPolicy> policy, Optional<GrpoTrainer.Result> training) {
    }

    private SuiteEvaluation() {
    }

    public static Outcome run(Workbench wb, Options o) {
        Environment env = wb.env();
        List<Task> trainAll = wb.trainAll();
        List<Task> trainOnly = wb.part(Split.Part.TRAIN);
        List<Task> validation = wb.part(Split.Part.VALIDATION);
        List<Task> test = wb.part(Split.Part.TEST);
        Baselines.Fitted fitted = Baselines.fit(env, trainAll, wb.keywords(), o.seed(), o.threads(), o.progress());
        List<SystemResult> systems = new ArrayList<>();
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put("split", new SuiteSections.SplitSizes(trainOnly.size(), validation.size(), test.size(),
                "SHA-256(salt:id) → uniform u; u < test fraction → test; else validation/train (docs/splits.md)"));
        sections.put("pair_accuracy_on_train_split", fitted.train().accuracyByPair());

        Optional<LearnedPolicy> learned = Optional.empty();
        Optional<GrpoTrainer.Result> training = Optional.empty();
        List<EpisodeResult> learnedResults = List.of();
        // the learned policy is tested under the turn and call limits it was trained and validated with: its inputs
        // include the share of calls left, so under the environment's default (8 calls, TrainConfig's 4) a checkpoint
        // would be scored on test on inputs it never saw on validation
        Environment learnedEnv = o.train().map(c -> env.withConfig(env.config().withMaxTurns(c.maxTurns())
                .withMaxCalls(c.maxCalls()))).orElse(env);
        if (o.train().isPresent() && o.embedder().isPresent()) {
            // the training tasks' rows of the matrix the baselines were fitted on (same episodes, same seeds)
            PairMatrix trainMatrix = fitted.train().subset(trainOnly);
            GrpoTrainer.Builder tb = GrpoTrainer.builder(env, trainOnly, o.train().get(), o.embedder().get(),
                            o.embedder().get().name())
                    .threads(o.threads()).validation(validation).priors(trainMatrix.accuracies()).costs(trainMatrix.meanCosts())
                    .history(PairHistory.build(trainOnly, trainMatrix.gradesByPair(), o.embedder().get()))
                    .bestPerGroup(trainMatrix.bestPerLabel(t -> Optional.of(t.group()))).progress(o.progress());
            o.out().ifPresent(d -> tb.out(d.resolve("training")));
            GrpoTrainer.Result r = tb.build().run();
            training = Optional.of(r);
            learned = Optional.of(r.policy());
            learnedResults = Evaluator.run(learnedEnv, r.policy(), test, o.seed(), o.threads(), o.progress());
            systems.add(SystemResult.of("maestro", "learned", null, learnedResults, String.format(Locale.ROOT,
                    "GRPO policy at cost weight %s (chosen on validation); validation score %.4f at step %d (initial %.4f, "
                            + "start leaning on the %s); %.0f episodes/s in rollouts", r.policy().defaultCostWeight(),
                    r.bestValidationScore(), r.bestStep(), r.initialValidationScore(), r.start(), r.episodesPerSecond())));
            TrainConfig cfg = o.train().get();
            sections.put("training", new SuiteSections.Training("step", r.curves(), r.bestStep(), r.start(), r.steps(),
                    r.episodes(), Math.round(r.episodesPerSecond()), cfg,
                    Math.min(trainOnly.size(), cfg.maxTrainTasks() > 0 ? cfg.maxTrainTasks() : trainOnly.size()),
                    Stats.round(r.policy().costReference(), 6), r.policy().defaultCostWeight(), r.costWeights()));
            sections.put("training call share", CurveSection.of("step", r.callShares()));
        }
        if (o.generalize() && learned.isPresent() && wb.suite().isPresent()) {
            sections.put("generalization", generalization(wb, learned.get(), o));
        }
        List<SystemResult> base = Baselines.evaluate(env, test, fitted, o.seed(), o.threads(), o.progress());
        systems.addAll(base);
        if (!learnedResults.isEmpty()) {
            List<EpisodeResult> best = Evaluator.run(env, new FixedPairPolicy(fitted.bestSingle()), test,
                    o.seed(), o.threads(), Progress.NONE);
            double[] a = learnedResults.stream().mapToDouble(EpisodeResult::grade).toArray();
            double[] b = best.stream().mapToDouble(EpisodeResult::grade).toArray();
            double[] d = Stats.pairedDiff95(a, b);
            double learnedCost = learnedResults.stream().mapToDouble(EpisodeResult::costUsd).average().orElse(0);
            double bestCost = best.stream().mapToDouble(EpisodeResult::costUsd).average().orElse(0);
            sections.put("maestro_vs_best_single", new SuiteSections.VersusBestSingle(Stats.round(100 * d[0], 2),
                    List.of(Stats.round(100 * d[1], 2), Stats.round(100 * d[2], 2)), fitted.bestSingle().id(),
                    callShare(learnedResults),
                    bestCost > 0 ? Optional.of(Stats.round(learnedCost / bestCost, 3)) : Optional.empty(),
                    base.stream().filter(x -> x.name().equals("most-expensive-expert") && x.mean_cost_usd() > 0)
                            .findFirst().map(x -> Stats.round(learnedCost / x.mean_cost_usd(), 3))));
            sections.put("composition", Composition.of(learnedResults, bestCost));
            if (!o.costSweep().isEmpty()) {
                sections.put("cost_sweep", costSweep(learnedEnv, learned.get(), test, systems, o.seed(), o.threads(), o.costSweep()));
            }
        }
        // every call this suite's run made (fitting, training, evaluation), and the HTTP requests behind them
        sections.put("calls_by_pair", PairHealth.section(wb.health()));
        wb.judge().ifPresent(j -> sections.put("judge", j.summary()));
        String grading = Report.GRADING;
        Report report = new Report(wb.name(), "test", test.size(), o.seed(), wb.simulated(), grading, systems, sections);
        o.out().ifPresent(d -> ReportWriter.write(report, d));
        return new Outcome(report, learned, training);
    }

    private static SuiteSections.GeneralizationSection generalization(Workbench wb, LearnedPolicy policy, Options o) {
        Suite suite = wb.suite().orElseThrow();
        String note = "no retraining at evaluation time; 'calibrated' = each new pair first called on "
                + Calibration.DEFAULT_SAMPLE + " training questions to fill its accuracy numbers (see docs/policy.md); "
                + "leave-one-out policies are trained with random registry subsets (p=0.2 per model) and description "
                + "dropout (p=0.1)" + (wb.simulated() ? "; SIMULATED experts" : "");
        Optional<Generalization.Unseen> unseen = Optional.empty();
        if (suite.unseenModels().isPresent()) {
            var extra = Generalization.loadExtraModels(suite.registry(), suite.unseenModels().get());
            unseen = Optional.of(Generalization.unseen(wb, policy, extra, o.seed(), o.threads()));
        }
        Optional<List<Generalization.LeaveOneOut>> leaveOneOut = Optional.empty();
        if (!suite.leaveOneOut().isEmpty()) {
            leaveOneOut = Optional.of(Generalization.leaveOneOut(wb, suite.leaveOneOut(), policy,
                    Generalization.generalizing(o.train().orElseThrow()), o.embedder().orElseThrow(), o.seed(),
                    o.threads(), o.progress()));
        }
        return new SuiteSections.GeneralizationSection(note, unseen, leaveOneOut);
    }

    /** The trained policy at each cost weight of the sweep, on the evaluation split, with the baselines to compare. */
    public static CostCurve costSweep(Environment env, LearnedPolicy policy, List<Task> test, List<SystemResult> systems,
                                      long seed, int threads, List<Double> weights) {
        List<CostCurve.Point> points = new ArrayList<>();
        for (double w : weights.stream().sorted().distinct().toList()) {
            List<EpisodeResult> rs = Evaluator.run(env, policy.withCostWeight(w), test, seed, threads, Progress.NONE);
            SystemResult s = SystemResult.of("maestro@" + w, "learned", null, rs, "");
            points.add(new CostCurve.Point(s.accuracy(), s.mean_cost_usd(), s.mean_calls(), w));
        }
        List<String> baselines = systems.stream().filter(s -> "baseline".equals(s.kind())).map(SystemResult::name).toList();
        return new CostCurve("mean cost per task (US$)", "accuracy", policy.defaultCostWeight(), points, baselines,
                "one trained policy evaluated at each cost weight W (reward = grade − W·cost/" + String.format(Locale.ROOT,
                        "$%.6f", policy.costReference()) + " per task, the best training pair's mean cost); baseline points "
                        + "are their rows in systems");
    }

    static Map<String, Double> callShare(List<EpisodeResult> results) {
        Map<String, Integer> n = new HashMap<>();
        int total = 0;
        for (EpisodeResult r : results) {
            for (var s : r.steps()) {
                for (var o : s.observations()) {
                    n.merge(o.call().pair().id(), 1, Integer::sum);
                    total++;
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        int t = Math.max(1, total);
        n.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                .forEach(e -> out.put(e.getKey(), Stats.round(e.getValue() / (double) t, 4)));
        return out;
    }
}
