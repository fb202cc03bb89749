package dev.maestro.expert;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Thread-leak checks for tests that start pools, HTTP clients and fake servers. */
public final class LiveThreads {
    private LiveThreads() {
    }

    /** Every live thread now (compare with {@link #leftSince} to find a leak). */
    public static Set<Thread> now() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Threads started since {@code before} that are still alive, ignoring the JVM-wide common pool. */
    public static List<String> newSince(Set<Thread> before) {
        return now().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName)
                .filter(n -> !n.startsWith("ForkJoinPool.commonPool"))
                .sorted()
                .toList();
    }

    /**
     * Names of threads started since {@code before} still alive once the count is at most {@code slack}, or after
     * about 10 s of waiting (with GCs, since unreachable JDK HttpClients end their selector threads lazily).
     */
    public static List<String> leftSince(Set<Thread> before, int slack) throws InterruptedException {
        List<String> extra = newSince(before);
        for (int i = 0; i < 50 && extra.size() > slack; i++) {
            // the JDK HttpClient (Java 17 has no close()) ends its selector thread once it is unreachable
            System.gc();
            Thread.sleep(200);
            extra = newSince(before);
        }
        return extra;
    }
}
