package dev.maestro.eval;

import dev.maestro.AtomicFiles;
import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.task.Task;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Runs a policy over tasks. Each task gets its own seed derived from the run seed and the task id,
 * so results do not depend on thread scheduling or on the order of tasks.
 */
public final class Evaluator {
    private Evaluator() {
    }

    public static long taskSeed(long seed, String taskId) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (byte b : taskId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return mix(h);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static List<EpisodeResult> run(Environment env, Policy policy, List<Task> tasks, long seed, int threads,
                                          Progress progress) {
        EpisodeResult[] out = new EpisodeResult[tasks.size()];
        progress.start(policy.name(), tasks.size());
        Runnable body = () -> IntStream.range(0, tasks.size()).parallel().forEach(i -> {
            Task t = tasks.get(i);
            out[i] = env.run(t, policy, taskSeed(seed, t.id()));
            progress.advance(1);
        });
        if (threads <= 1) {
            for (int i = 0; i < tasks.size(); i++) {
                out[i] = env.run(tasks.get(i), policy, taskSeed(seed, tasks.get(i).id()));
                progress.advance(1);
            }
        } else {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                pool.submit(body).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("evaluation interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("evaluation failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdown();
            }
        }
        progress.finish();
        return Arrays.asList(out);
    }
}
