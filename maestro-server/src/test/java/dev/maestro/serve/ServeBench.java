package dev.maestro.serve;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Serving benchmark, two processes: this JVM runs {@link MaestroServer} with in-code fake experts, and
 * {@code dev.maestro.bench.ServeLoad} runs in a child JVM as the client. Phase 1 measures orchestration overhead
 * (zero-latency expert): latency at concurrency 1 and throughput at concurrency 16, after a warm-up. Phase 2 sends
 * 1,000 simultaneous requests against a slow expert and a 64-slot server: the excess must get fast 429s, memory is
 * reported before and after, and no request may be answered twice (expert calls = 200 responses, unique ids).
 *
 * <pre>scripts/bench-serve.sh</pre> builds the class paths and runs it.
 */
public final class ServeBench {
    private ServeBench() {
    }

    public static void main(String[] args) throws Exception {
        String loadCp = System.getProperty("serve.load.cp", Path.of("maestro-bench", "target", "classes").toString());
        int slowMs = Integer.getInteger("serve.slow.ms", 500);

        TestRig fast = TestRig.fast();
        try (MaestroServer s = MaestroServer.builder(fast.orchestrator).port(0).maxConcurrent(256).verl(false).build().start()) {
            System.out.println("== phase 1: zero-latency expert, " + Runtime.getRuntime().availableProcessors() + " cores");
            load(loadCp, s.url(), 3000, 16, "warm-up");
            phase(s, loadCp, 1000, 1, "overhead, concurrency 1");
            phase(s, loadCp, 1000, 16, "throughput, concurrency 16");
            phase(s, loadCp, 10000, 16, "throughput, concurrency 16, 10k requests");
        }

        TestRig slow = TestRig.slow(slowMs);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        try (MaestroServer s = MaestroServer.builder(slow.orchestrator).port(0).maxConcurrent(64).verl(false).build().start()) {
            System.out.println("== phase 2: " + slowMs + " ms expert, 64 slots, 1000 simultaneous requests");
            System.gc();
            long before = mem.getHeapMemoryUsage().getUsed();
            int threadsBefore = Thread.activeCount();
            load(loadCp, s.url(), 1000, 1000, "1000 concurrent");
            long peakThreads = ManagementFactory.getThreadMXBean().getPeakThreadCount();
            long afterNoGc = mem.getHeapMemoryUsage().getUsed();
            System.gc();
            long after = mem.getHeapMemoryUsage().getUsed();
            long ok = s.metrics().requestCount(MaestroServer.CHAT, 200);
            long rejected = s.metrics().requestCount(MaestroServer.CHAT, 429);
            System.out.printf("server: 200=%d 429=%d expert calls=%d (must equal the 200s)%n", ok, rejected, slow.calls.get());
            System.out.printf("heap used: before %.1f MB, after (no GC) %.1f MB, after GC %.1f MB; threads %d -> peak %d%n",
                    before / 1e6, afterNoGc / 1e6, after / 1e6, threadsBefore, peakThreads);
            if (ok != slow.calls.get()) {
                System.out.println("FAIL: a request was answered twice or an answer was lost");
                System.exit(1);
            }
        }
        System.exit(0);
    }

    /** Runs one load and prints the server-side duration distribution of just that load (bucket counts diffed). */
    private static void phase(MaestroServer s, String cp, int n, int c, String label) throws Exception {
        java.util.LinkedHashMap<String, Long> before = buckets(s);
        load(cp, s.url(), n, c, label);
        java.util.LinkedHashMap<String, Long> after = buckets(s);
        long total = after.get("+Inf") - before.getOrDefault("+Inf", 0L);
        StringBuilder sb = new StringBuilder("  server-side handler time (this load, " + total + " requests): ");
        String p99 = null;
        for (var e : after.entrySet()) {
            long k = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (p99 == null && k >= Math.ceil(0.99 * total)) {
                p99 = e.getKey();
            }
            if (List.of("1.0E-4", "2.5E-4", "5.0E-4", "0.001", "0.002", "0.005").contains(e.getKey())) {
                sb.append(String.format("<=%ss %.1f%%  ", e.getKey(), 100.0 * k / total));
            }
        }
        System.out.println(sb + "=> p99 <= " + p99 + " s");
    }

    private static java.util.LinkedHashMap<String, Long> buckets(MaestroServer s) {
        java.util.LinkedHashMap<String, Long> m = new java.util.LinkedHashMap<>();
        String prefix = "maestro_request_duration_seconds_bucket{endpoint=\"/v1/chat/completions\",le=\"";
        s.metrics().render().lines().filter(l -> l.startsWith(prefix)).forEach(l -> {
            String le = l.substring(prefix.length(), l.indexOf('"', prefix.length()));
            m.put(le, Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)));
        });
        return m;
    }

    private static void load(String cp, String url, int n, int c, String label) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss256k", "-cp", cp, "dev.maestro.bench.ServeLoad", "--url", url,
                "--requests", Integer.toString(n), "--concurrency", Integer.toString(c), "--max-seconds", "120"));
        System.out.println("-- " + label);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(System.out);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("load generator failed with exit code " + p.exitValue());
        }
    }
}
