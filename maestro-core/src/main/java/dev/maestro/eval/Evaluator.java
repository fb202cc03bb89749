package dev.maestro.eval;

import dev.maestro.Parallel;
import dev.maestro.Progress;
import dev.maestro.Seeds;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.task.Task;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a policy over tasks. Each task gets its own seed derived from the run seed and the task id,
 * so results do not depend on thread scheduling or on the order of tasks.
 */
public final class Evaluator {
    private Evaluator() {
    }

    public static List<EpisodeResult> run(Environment env, Policy policy, List<Task> tasks, long seed, int threads,
                                          Progress progress) {
        EpisodeResult[] out = new EpisodeResult[tasks.size()];
        progress.start(policy.name(), tasks.size());
        Parallel.forEach(threads, "evaluation", tasks.size(), i -> {
            Task t = tasks.get(i);
            out[i] = env.run(t, policy, Seeds.of(seed, t.id()));
            progress.advance(1);
        });
        progress.finish();
        return Arrays.asList(out);
    }
}
