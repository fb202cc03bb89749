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
    private final GroupAdvantages.FailedEpisodes failed;

    Validation(Environment env, List<Task> tasks, long seed, int threads, Reward reward,
               GroupAdvantages.FailedEpisodes failed) {
        this.failed = failed;
        this.env = env;
        this.tasks = tasks;
        this.seed = seed;
        this.threads = threads;
        this.reward = reward;
    }

    private List<EpisodeResult> run(LearnedPolicy greedy) {
        return Evaluator.run(env, greedy, tasks, seed, threads, Progress.NONE);
    }

    /** {mean reward over the validation weights, accuracy at the middle one}. */
    double[] score(LearnedPolicy policy) {
        double score = 0;
        double accMid = 0;
        List<Double> weights = GrpoTrainer.VALIDATION_WEIGHTS;
        for (int w = 0; w < weights.size(); w++) {
            double weight = weights.get(w);
            LearnedPolicy greedy = policy.sampling(false).withCostWeight(weight);
            double r = 0;
            double acc = 0;
            int counted = 0;
            for (EpisodeResult e : run(greedy)) {
                // early stopping judges what the loss saw: masked episodes carry no information here either
                if (GroupAdvantages.masked(e, failed)) {
                    continue;
                }
                r += reward.of(e, weight);
                acc += e.grade();
                counted++;
            }
            score += counted == 0 ? 0 : r / counted;
            if (w == weights.size() / 2) {
                accMid = counted == 0 ? 0 : acc / counted;
            }
        }
        return new double[] {score / weights.size(), accMid};
    }

    /** The greedy policy at every weight of {@link GrpoTrainer#WEIGHT_GRID}. */
    List<GrpoTrainer.WeightPoint> grid(LearnedPolicy policy) {
        List<GrpoTrainer.WeightPoint> out = new ArrayList<>();
        for (double w : GrpoTrainer.WEIGHT_GRID) {
            LearnedPolicy greedy = policy.sampling(false).withCostWeight(w);
            double acc = 0;
            double cost = 0;
            double calls = 0;
            for (EpisodeResult e : run(greedy)) {
                acc += e.grade();
                cost += e.costUsd();
                calls += e.calls();
            }
            int n = tasks.size();
            out.add(new GrpoTrainer.WeightPoint(w, GrpoTrainer.round(acc / n), GrpoTrainer.round(cost / n),
                    GrpoTrainer.round(calls / n)));
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
