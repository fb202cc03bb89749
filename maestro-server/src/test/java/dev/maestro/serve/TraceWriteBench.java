package dev.maestro.serve;

import com.sun.management.ThreadMXBean;
import dev.maestro.episode.EpisodeNotes;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import dev.maestro.task.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.List;

/**
 * The CPU cost of storing served traces in the embedded PostgreSQL, apart from serving: records {@code N} traces at
 * {@code R} per second (the rate of the serving benchmark's loads) through a {@link TraceStore}, then prints the CPU
 * time per trace of the PostgreSQL processes and of the trace-writer thread. Properties {@code traces.n} (default
 * 40,000), {@code traces.rate} (default 5,000 per second) and {@code traces.small} (a one-call episode instead of three steps). Run with the class path of scripts/bench-serve.sh.
 */
public final class TraceWriteBench {
    private TraceWriteBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("traces.n", 40_000);
        int rate = Integer.getInteger("traces.rate", 5_000);
        StoreLocation where = EmbeddedPg.newLocation();
        // small: the serving benchmark's one-call episode; large (default): a graded three-step episode
        EpisodeResult big = TraceStoreTest.gradedEpisode();
        EpisodeResult episode = !Boolean.getBoolean("traces.small") ? big : new EpisodeResult(big.taskId(), "chat", big.policy(), 1,
                big.answer(), 0, "none", 0, 1, 0.0031, 830, big.usage(), 0, 1, false, List.of(big.steps().get(1)), EpisodeNotes.NONE);
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= 3; round++) {
            try (TraceStore store = TraceStore.open(where)) {
                long pg0 = ServeBench.postgresCpuTicks(where);
                long w0 = writerCpu(threads);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long due = t0 + (long) (i * 1e9 / rate);
                    while (System.nanoTime() < due) {
                        Thread.sleep(0, 200_000);
                    }
                    Task task = TraceStoreTest.task("t-" + i, "Which start-up grew 88% in round " + round + "?");
                    store.record("r" + round + "-" + i, task, episode);
                }
                store.flush();
                double seconds = (System.nanoTime() - t0) / 1e9;
                long pg = ServeBench.postgresCpuTicks(where) - pg0;
                long w = writerCpu(threads) - w0;
                System.out.printf("round %d: %d traces in %.1f s, dropped %d; CPU per trace: PostgreSQL processes %.1f us,"
                        + " trace-writer thread %.1f us%n", round, n, seconds, store.dropped(), pg * 1e4 / n, w / 1e3 / n);
            }
        }
        System.exit(0);
    }

    private static long writerCpu(ThreadMXBean threads) {
        long sum = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("trace-writer")) {
                sum += threads.getThreadCpuTime(t.getThreadId());
            }
        }
        return sum;
    }
}
