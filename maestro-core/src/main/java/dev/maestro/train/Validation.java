package dev.maestro.train;

import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.eval.Evaluator;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * The greedy policy on the validation split: the early-stopping score (mean reward over
 * {@link GrpoTrainer#VALIDATION_WEIGHTS}) and, after training, the cost-weight grid from which the default weight is
 * chosen. Each task runs with the same seed at every weight (the evaluator's per-task seed), so the weights are
 * compared on equal terms; episodes run on the trainer's threads.
 */
final class Validation {
    /** An episode's reward at a cost weight. */
    @FunctionalInterface
    interface Reward {
        double of(EpisodeResult r, double costWeight);
    }

    private final Environment env;
    private final List<Task> tasks;
    private final long seed;
    private final int threads;
    private final Reward reward;

    Validation(Environment env, List<Task> tasks, long seed, int threads, Reward reward) {
        this.env = env;
        this.tasks = tasks;
        this.seed = seed;
        this.threads = threads;
        this.reward = reward;
    }

    private List<EpisodeResult> run(LearnedPolicy greedy) {
        return Evaluator.run(env, greedy, tasks, seed, threads, Progress.NONE);
    }

    /**
     * The greedy policy's validation outcome: per task, its reward averaged over {@link GrpoTrainer#VALIDATION_WEIGHTS}
     * (NaN only where nothing grades the task), their mean (the early-stopping score), the accuracy at the middle
     * weight and how many of that weight's episodes had a failed expert call.
     *
     * <p>Every graded episode counts, those with a failed call too: one that still answered is graded as answered,
     * one that could not answer is wrong and pays its cost. The loss masks them (a failure says nothing about the
     * model), but validation must not: where failures fall on hard questions (MMLU-Pro: DeepSeek-Coder-V2 has no
     * record for 1,681 questions, on which gemini-1.5-pro-002 is 11 points less accurate), masking them scored a
     * policy that calls the flaky pair on an easier subset than one that does not. Graded, every checkpoint is
     * scored on the same tasks, and a failure costs what it costs a user.
     */
    record Score(double[] perTask, double mean, double accuracyMid, int failedEpisodes) {
        /**
         * Whether this score beats {@code base} by more than the standard error of their paired difference over the
         * tasks both counted: validation splits are small (287 tasks on MATH-V), and a checkpoint that wins by less
         * is as likely to have won by the luck of the split as by being better.
         */
        boolean beatsClearly(Score base) {
            double sum = 0;
            double sq = 0;
            int n = 0;
            for (int i = 0; i < perTask.length; i++) {
                double d = perTask[i] - base.perTask[i];
                if (!Double.isNaN(d)) {
                    sum += d;
                    sq += d * d;
                    n++;
                }
            }
            if (n < 2) {
                return mean > base.mean + 1e-12;
            }
            double m = sum / n;
            double var = Math.max(0, (sq - n * m * m) / (n - 1));
            return m > Math.sqrt(var / n) + 1e-12;
        }
    }

    /** The early-stopping score of the greedy policy (see {@link Score}). */
    Score score(LearnedPolicy policy) {
        double score = 0;
        double accMid = 0;
        int failedMid = 0;
        List<Double> weights = GrpoTrainer.VALIDATION_WEIGHTS;
        double[] perTask = new double[tasks.size()];
        for (int w = 0; w < weights.size(); w++) {
            double weight = weights.get(w);
            LearnedPolicy greedy = policy.sampling(false).withCostWeight(weight);
            double r = 0;
            double acc = 0;
            int counted = 0;
            int failed = 0;
            List<EpisodeResult> results = run(greedy);
            for (int i = 0; i < results.size(); i++) {
                EpisodeResult e = results.get(i);
                failed += e.expertFailures() > 0 ? 1 : 0;
                if (!e.graded()) {
                    perTask[i] = Double.NaN;
                    continue;
                }
                double ri = reward.of(e, weight);
                perTask[i] += ri / weights.size();
                r += ri;
                acc += e.grade();
                counted++;
            }
            score += counted == 0 ? 0 : r / counted;
            if (w == weights.size() / 2) {
                accMid = counted == 0 ? 0 : acc / counted;
                failedMid = failed;
            }
        }
        return new Score(perTask, score / weights.size(), accMid, failedMid);
    }

    /** The greedy policy at every weight of {@link GrpoTrainer#WEIGHT_GRID}. */
    List<GrpoTrainer.WeightPoint> grid(LearnedPolicy policy) {
        List<GrpoTrainer.WeightPoint> out = new ArrayList<>();
        for (double w : GrpoTrainer.WEIGHT_GRID) {
            LearnedPolicy greedy = policy.sampling(false).withCostWeight(w);
            double acc = 0;
            double cost = 0;
            double calls = 0;
            int failed = 0;
            for (EpisodeResult e : run(greedy)) {
                acc += e.grade();
                cost += e.costUsd();
                calls += e.calls();
                failed += e.expertFailures() > 0 ? 1 : 0;
            }
            int n = tasks.size();
            out.add(new GrpoTrainer.WeightPoint(w, GrpoTrainer.round(acc / n), GrpoTrainer.round(cost / n),
                    GrpoTrainer.round(calls / n), failed));
        }
        return List.copyOf(out);
    }

    /** The largest (cheapest) weight whose accuracy is within the tolerance of the most accurate weight's. */
    static double chooseDefault(List<GrpoTrainer.WeightPoint> grid) {
        double best = grid.stream().mapToDouble(GrpoTrainer.WeightPoint::accuracy).max().orElse(0);
        return grid.stream().filter(p -> p.accuracy() >= best - GrpoTrainer.DEFAULT_WEIGHT_TOLERANCE - 1e-12)
                .mapToDouble(GrpoTrainer.WeightPoint::costWeight).max().orElse(LearnedPolicy.DEFAULT_COST_WEIGHT);
    }
}
