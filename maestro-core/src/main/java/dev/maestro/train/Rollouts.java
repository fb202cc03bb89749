package dev.maestro.train;

import dev.maestro.Parallel;
import dev.maestro.Seeds;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.policy.Decision;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The episodes one GRPO step learns from, grouped per task (advantages are normalised within a group). Two ways:
 *
 * <ul>
 *   <li><b>sampled</b> (plain GRPO): G independent episodes per task, every decision sampled;</li>
 *   <li><b>branched</b>: a greedy episode per task, then one decision of it — at a random turn — is tried with every
 *       candidate the policy had there, each followed by greedy play. The group's rewards compare that decision's
 *       alternatives exactly (the replayed prefix and the greedy continuations add no sampling noise), and every
 *       candidate is tried, including ones the policy would rarely sample: an expert worth asking first, a call
 *       worth making before answering. Still outcome reward only: each alternative is scored by its episode's
 *       final reward.</li>
 * </ul>
 *
 * Episodes run on the trainer's pool; each has a seed derived from the step seed, so the batch does not depend on
 * the number of threads.
 */
final class Rollouts {
    /**
     * A task's episodes.
     *
     * @param task        index of the task in the step's batch (its cost weight)
     * @param sharedState true when every episode's recorded decision is the same state with a different candidate
     *                    taken (branched), so the update scores that state once
     */
    record Group(int task, List<EpisodeResult> results, boolean sharedState) {
    }

    /**
     * A step's groups and how many episodes it ran (greedy ones included).
     *
     * @param greedy the greedy episodes of branched rollouts, one per task (empty for sampled rollouts)
     */
    record Batch(List<Group> groups, long episodes, List<EpisodeResult> greedy) {
    }

    private Rollouts() {
    }

    static Batch sampled(Environment env, List<Task> tasks, LearnedPolicy[] policies, int g, long stepSeed, Parallel workers) {
        int n = tasks.size();
        EpisodeResult[] results = new EpisodeResult[n * g];
        LearnedPolicy[] samplers = new LearnedPolicy[n];
        for (int i = 0; i < n; i++) {
            samplers[i] = policies[i].sampling(true);
        }
        workers.forEach("rollout", n * g, i -> results[i] = env.run(tasks.get(i / g), samplers[i / g], Seeds.of(stepSeed, i)));
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            groups.add(new Group(i, Arrays.asList(results).subList(i * g, (i + 1) * g), false));
        }
        return new Batch(groups, results.length, List.of());
    }

    static Batch branched(Environment env, List<Task> tasks, LearnedPolicy[] policies, long stepSeed, SplittableRandom rng,
                          Parallel workers) {
        int n = tasks.size();
        EpisodeResult[] greedy = new EpisodeResult[n];
        workers.forEach("rollout", n, i -> greedy[i] = env.run(tasks.get(i), policies[i].sampling(false).recording(true),
                Seeds.of(stepSeed, -1 - i)));
        int[] turn = new int[n];
        int[] offset = new int[n + 1];
        for (int i = 0; i < n; i++) {
            List<Decision> ds = greedy[i].notes().all(LearnedPolicy.DECISIONS);
            int k = 0;
            if (!ds.isEmpty()) {
                int pick = rng.nextInt(ds.size());
                turn[i] = turnOf(greedy[i], pick);
                k = ds.get(pick).k();
            }
            // a decision with one candidate has nothing to compare
            offset[i + 1] = offset[i] + (k > 1 ? k : 0);
        }
        EpisodeResult[] results = new EpisodeResult[offset[n]];
        int[] taskOf = new int[offset[n]];
        for (int i = 0; i < n; i++) {
            Arrays.fill(taskOf, offset[i], offset[i + 1], i);
        }
        workers.forEach("rollout", results.length, e -> {
            int i = taskOf[e];
            results[e] = env.run(tasks.get(i), policies[i].forcingAt(turn[i], e - offset[i]), Seeds.of(stepSeed, e));
        });
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (offset[i + 1] > offset[i]) {
                groups.add(new Group(i, Arrays.asList(results).subList(offset[i], offset[i + 1]), true));
            }
        }
        return new Batch(groups, n + results.length, Arrays.asList(greedy));
    }

    /** The turn of the {@code index}-th decision of an episode (a decision per turn, malformed turns included). */
    private static int turnOf(EpisodeResult r, int index) {
        return r.steps().get(Math.min(index, r.steps().size() - 1)).turn();
    }
}
