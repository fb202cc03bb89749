package dev.maestro.serve;

import com.sun.management.ThreadMXBean;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving benchmark, two processes: this JVM runs {@link MaestroServer} with in-code fake experts, and
 * {@code dev.maestro.bench.ServeLoad} runs in a child JVM as the client. Phase 1 measures orchestration overhead
 * (zero-latency expert): after a server warm-up, client-observed and exact server-side latency percentiles at
 * concurrency 1, 2, 4, 8, 16 (each load warms its own client JVM first, unmeasured), then throughput at 16. Properties:
 * {@code serve.levels}, {@code serve.requests}, {@code serve.warmup}, {@code serve.throughput.requests},
 * {@code serve.throughput.concurrency}, {@code serve.client} (raw|jdk), {@code serve.load.jvm} (client JVM options),
 * {@code serve.slow.phase} (false skips phase 2), {@code serve.floor} (false skips the control servers of
 * {@link FloorServer}, which run at each concurrency right before the Maestro server). Phase 2 sends
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
        int requests = Integer.getInteger("serve.requests", 5000);
        int warmup = Integer.getInteger("serve.warmup", 2000);
        int throughputRequests = Integer.getInteger("serve.throughput.requests", 20000);
        int throughputConcurrency = Integer.getInteger("serve.throughput.concurrency", 16);
        int[] levels = Arrays.stream(System.getProperty("serve.levels", "1,2,4,8,16").split(",")).mapToInt(x -> Integer.parseInt(x.strip())).toArray();
        boolean slowPhase = Boolean.parseBoolean(System.getProperty("serve.slow.phase", "true"));

        boolean floors = Boolean.parseBoolean(System.getProperty("serve.floor", "true"));
        String storeKind = System.getProperty("serve.store", "postgresql");
        Optional<Replica> replica = store(storeKind);
        TestRig fast = TestRig.fast();
        try (MaestroServer s = replica.isPresent() ? replica.get().server
                : MaestroServer.builder(fast.orchestrator).port(0).maxConcurrent(256).verl(false).build().start();
             FloorServer socketFloor = FloorServer.socket(); FloorServer javalinFloor = FloorServer.javalin()) {
            Durations server = new Durations(1 << 20);
            s.metrics().tapChatDurations(server::add);
            System.out.println("== phase 1: zero-latency expert, " + Runtime.getRuntime().availableProcessors() + " cores, JVM "
                    + ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.println("   store: " + replica.map(r -> "record/replay cache and trace store in " + r.db.location()
                    + " (every request after the first is a cache hit; every request's trace is written)")
                    .orElse("none (in-code experts, no cache, no trace store)"));
            // Server JIT warm-up; every measured load below also warms its own client JVM and connections first.
            load(loadCp, s.url(), 10000, 16, 0, "server warm-up (not measured)");
            if (floors) {
                load(loadCp, javalinFloor.url(), 10000, 16, 0, "Javalin floor warm-up (not measured)");
            }
            List<String> table = new ArrayList<>();
            List<String> costs = new ArrayList<>();
            List<String> machine = new ArrayList<>();
            Optional<StoreLocation> pg = replica.map(rep -> rep.db.location());
            for (int c : levels) {
                if (floors) {
                    // Controls right before the real thing, so all three see the same machine load.
                    table.add(row("floor socket c=" + c, load(loadCp, socketFloor.url(), requests, c, warmup, "socket floor, concurrency " + c),
                            new long[0]));
                    Cpu cpu = Cpu.now(pg);
                    String f = load(loadCp, javalinFloor.url(), requests, c, warmup, "Javalin floor, concurrency " + c);
                    table.add(row("floor javalin c=" + c, f, new long[0]));
                    machine.add(Cpu.now(pg).minus(cpu, "floor javalin c=" + c, requests + warmup, f));
                }
                JvmStats before = JvmStats.now();
                Cpu cpu = Cpu.now(pg);
                String r = load(loadCp, s.url(), requests, c, warmup, "overhead, concurrency " + c + " (after " + warmup
                        + " unmeasured warm-up requests)");
                table.add(row("maestro c=" + c, r, server.last(requests)));
                costs.add(JvmStats.now().minus(before, "maestro c=" + c, requests + warmup));
                machine.add(Cpu.now(pg).minus(cpu, "maestro c=" + c, requests + warmup, r));
            }
            JvmStats before = JvmStats.now();
            Cpu cpu = Cpu.now(pg);
            String r = load(loadCp, s.url(), throughputRequests, throughputConcurrency, warmup, "throughput, concurrency "
                    + throughputConcurrency);
            table.add(row("maestro thru c=" + throughputConcurrency, r, server.last(throughputRequests)));
            costs.add(JvmStats.now().minus(before, "maestro thru c=" + throughputConcurrency, throughputRequests + warmup));
            machine.add(Cpu.now(pg).minus(cpu, "maestro thru c=" + throughputConcurrency, throughputRequests + warmup, r));
            System.out.println("== summary (ms; cl = observed by the load generator, cl wait = us per request its threads were runnable"
                    + " but waiting for a CPU; sv = exact server handler time, before-filter to response ready; floor = constant-answer"
                    + " control servers)");
            System.out.printf("%-18s %8s | %7s %7s %7s %8s %8s %7s | %7s %7s %7s %8s %8s%n", "load", "req/s", "cl p50", "cl p90", "cl p99",
                    "cl p99.9", "cl max", "cl wait", "sv p50", "sv p90", "sv p99", "sv p99.9", "sv max");
            table.forEach(System.out::println);
            System.out.println("== server JVM per request (warm-up + measured requests of each load): heap allocated, young/old GC"
                    + " pauses, CPU time and time runnable but waiting for a CPU (/proc schedstat, all server threads)");
            System.out.printf("%-18s %10s %6s %9s %11s %12s  %s%n", "load", "alloc KB", "GCs", "GC ms", "cpu us/req", "wait us/req",
                    "load average");
            costs.forEach(System.out::println);
            System.out.println("== CPU per request of the whole round trip, us: server JVM (warm-up + measured, schedstat; the Javalin"
                    + " control runs in this JVM too), its embedded PostgreSQL (/proc, 10 ms ticks), the client JVM (measured requests);"
                    + " the trace writer's batches may spill into the next load");
            System.out.printf("%-18s %8s %10s %8s %8s %8s%n", "load", "req/s", "server JVM", "pg", "client", "total");
            machine.forEach(System.out::println);
            cpuByThread(s.metrics().requestCount(MaestroServer.CHAT, 200), replica.map(rep -> rep.db.location()));
            if (floors) {
                verdict(table, levels);
            }
            if (replica.isPresent()) {
                Replica rep = replica.get();
                rep.traces.flush();
                long rows = rep.db.withConnection(c -> {
                    try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM traces")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
                System.out.printf("== store: cache hits %d, misses %d (expert calls %d); chat 200s %d, traces in the store %d, dropped %d%n",
                        rep.runtime.cacheStats().hits(), rep.runtime.cacheStats().misses(), rep.expertCalls.get(),
                        s.metrics().requestCount(MaestroServer.CHAT, 200), rows, rep.traces.dropped());
            }
        } finally {
            replica.ifPresent(Replica::close);
        }
        if (!slowPhase) {
            System.exit(0);
        }

        TestRig slow = TestRig.slow(slowMs);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        try (MaestroServer s = MaestroServer.builder(slow.orchestrator).port(0).maxConcurrent(64).verl(false).build().start()) {
            System.out.println("== phase 2: " + slowMs + " ms expert, 64 slots, 1000 simultaneous requests");
            System.gc();
            long before = mem.getHeapMemoryUsage().getUsed();
            int threadsBefore = Thread.activeCount();
            load(loadCp, s.url(), 1000, 1000, 0, "1000 concurrent");
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

    /** The server of phase 1 with its cache and traces in a store: postgresql (embedded), a postgresql:// URL, sqlite, or none. */
    private static Optional<Replica> store(String kind) throws IOException {
        return switch (kind) {
            case "none" -> Optional.empty();
            case "sqlite" -> Optional.of(new Replica(StoreLocation.sqlite(Files.createTempDirectory(
                    "serve-bench-").resolve("store.db")), 0));
            case "postgresql" -> Optional.of(new Replica(EmbeddedPg.newLocation(), 0));
            default -> Optional.of(new Replica(StoreLocation.parse(kind, System.getenv()), 0));
        };
    }

    /**
     * Where the server JVM's CPU went, per thread group (names without digits), and the embedded PostgreSQL's processes,
     * in microseconds per answered chat request over the whole phase (warm-ups included).
     */
    private static void cpuByThread(long requests, Optional<StoreLocation> store) {
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new TreeMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(t.getThreadId());
            if (cpu > 0) {
                byGroup.merge(t.getThreadName().replaceAll("[0-9]+", "#"), cpu, Long::sum);
            }
        }
        System.out.println("== server JVM CPU per answered request by thread group (live threads, us; GC and JIT threads included)");
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> System.out.printf("   %-40s %8.1f%n", e.getKey(), e.getValue() / 1e3 / Math.max(1, requests)));
        long pg = store.map(ServeBench::postgresCpuTicks).orElse(0L);
        if (pg > 0) {
            System.out.printf("   %-40s %8.1f%n", "(embedded PostgreSQL processes)", pg * 1e6 / 100 / Math.max(1, requests));
        }
    }

    /** utime + stime (clock ticks, 100/s) of this JVM's embedded PostgreSQL server and its backends, from /proc. */
    static long postgresCpuTicks(StoreLocation pg) {
        Matcher m = Pattern.compile(":(\\d+)/").matcher(pg.jdbcUrl());
        if (!m.find()) {
            return 0;
        }
        String port = m.group(1);
        try (var procs = Files.list(Path.of("/proc"))) {
            Map<String, String[]> stats = new HashMap<>();
            String parent = null;
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    stats.put(p.getFileName().toString(), f);
                    // our own embedded server, by its port: other processes on the machine may run one too
                    if (cmd.contains("postgres") && cmd.contains("maestro-pg-") && cmd.contains(" -p " + port + " ")) {
                        parent = p.getFileName().toString();
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
            long ticks = 0;
            for (var e : stats.entrySet()) {
                String[] f = e.getValue(); // f[1] = ppid, f[11] = utime, f[12] = stime
                if (e.getKey().equals(parent) || f[1].equals(parent)) {
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
            return ticks;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Per concurrency: Maestro's client p99 minus the Javalin constant-answer control's, measured right before it. */
    private static void verdict(List<String> table, int[] levels) {
        System.out.println("== overhead over the constant-answer control (client p99, ms; target: within 1.5 ms)");
        for (int c : levels) {
            double floor = p99(table, "floor javalin c=" + c);
            double maestro = p99(table, "maestro c=" + c);
            System.out.printf("c=%-3d maestro %7.3f  control %7.3f  difference %+7.3f  %s%n", c, maestro, floor, maestro - floor,
                    maestro - floor <= 1.5 ? "within 1.5 ms" : "OVER 1.5 ms");
        }
    }

    private static double p99(List<String> table, String label) {
        for (String row : table) {
            if (row.startsWith(label + " ")) {
                String[] f = row.split("\\|")[1].trim().split("\\s+");
                return Double.parseDouble(f[2]);
            }
        }
        return Double.NaN;
    }

    /** One summary line: throughput and client percentiles from ServeLoad's RESULT json, server ones from the tap. */
    private static String row(String label, String result, long[] server) {
        Arrays.sort(server);
        String client = String.format("%-18s %8s | %7s %7s %7s %8s %8s %7s |", label, field(result, "rps"), field(result, "p50_ms"),
                field(result, "p90_ms"), field(result, "p99_ms"), field(result, "p999_ms"), field(result, "max_ms"),
                field(result, "client_wait_us"));
        return server.length == 0 ? client : client + String.format(" %7.3f %7.3f %7.3f %8.3f %8.3f", pct(server, 50), pct(server, 90),
                pct(server, 99), pct(server, 99.9), pct(server, 100));
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":([0-9.]+)").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    /** Cumulative counters of this JVM: allocated bytes (live threads), GC count and time, CPU and run-queue wait. */
    private record JvmStats(long allocated, long gcs, long gcMillis, long cpuNanos, long waitNanos) {
        static JvmStats now() {
            var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long alloc = 0;
            for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                alloc += Math.max(0, a);
            }
            long gcs = 0;
            long gcMs = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcs += Math.max(0, gc.getCollectionCount());
                gcMs += Math.max(0, gc.getCollectionTime());
            }
            long cpu = 0;
            long wait = 0;
            // Linux: /proc/self/task/<tid>/schedstat = "ns on CPU, ns runnable waiting for a CPU, timeslices".
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        String[] f = Files.readString(t.resolve("schedstat")).trim().split("\\s+");
                        cpu += Long.parseLong(f[0]);
                        wait += Long.parseLong(f[1]);
                    } catch (IOException | RuntimeException e) {
                        // thread ended meanwhile, or not Linux
                    }
                }
            } catch (IOException e) {
                // not Linux: cpu and wait stay 0
            }
            return new JvmStats(alloc, gcs, gcMs, cpu, wait);
        }

        String minus(JvmStats b, String label, int requests) {
            String load = "?";
            try {
                load = Files.readString(Path.of("/proc/loadavg")).trim();
            } catch (IOException e) {
                // not Linux
            }
            return String.format("%-18s %10.1f %6d %9d %11.1f %12.1f  %s", label, (allocated - b.allocated) / 1024.0 / requests, gcs - b.gcs,
                    gcMillis - b.gcMillis, (cpuNanos - b.cpuNanos) / 1e3 / requests, (waitNanos - b.waitNanos) / 1e3 / requests, load);
        }
    }

    /** CPU consumed so far by this JVM (schedstat, ns) and by its embedded PostgreSQL (clock ticks). */
    private record Cpu(long jvmNanos, long pgTicks) {
        static Cpu now(Optional<StoreLocation> pg) {
            return new Cpu(JvmStats.now().cpuNanos(), pg.map(ServeBench::postgresCpuTicks).orElse(0L));
        }

        /** One row: throughput, then server JVM, PostgreSQL, client and total CPU per request. */
        String minus(Cpu b, String label, int requests, String result) {
            double jvm = (jvmNanos - b.jvmNanos) / 1e3 / requests;
            double db = (pgTicks - b.pgTicks) * 1e4 / requests;
            String clientField = field(result, "client_cpu_us");
            double client = clientField.equals("?") ? Double.NaN : Double.parseDouble(clientField);
            return String.format("%-18s %8s %10.1f %8.1f %8.1f %8.1f", label, field(result, "rps"), jvm, db, client, jvm + db + client);
        }
    }

    /** Exact server-side chat durations in arrival order; {@link #last} returns those of the most recent load. */
    private static final class Durations {
        private final long[] ring;
        private final AtomicLong count = new AtomicLong();

        Durations(int capacity) {
            ring = new long[capacity];
        }

        void add(long nanos) {
            long i = count.getAndIncrement();
            ring[(int) (i % ring.length)] = nanos;
        }

        /**
         * The last {@code n} durations. A load's warm-up requests all finish before its measured ones start (the load
         * generator joins its threads in between), and the server records a duration before it sends the response, so
         * the last n recorded are exactly the n measured requests.
         */
        long[] last(int n) {
            long end = count.get();
            int k = (int) Math.min(n, Math.min(end, ring.length));
            long[] out = new long[k];
            for (int j = 0; j < k; j++) {
                out[j] = ring[(int) ((end - k + j) % ring.length)];
            }
            return out;
        }
    }

    /** Runs ServeLoad in a child JVM, echoes its output and returns its RESULT json. */
    private static String load(String cp, String url, int n, int c, int warmup, String label) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss256k"));
        String clientOpts = System.getProperty("serve.load.jvm", "");
        if (!clientOpts.isBlank()) {
            cmd.addAll(Arrays.asList(clientOpts.strip().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", cp, "dev.maestro.bench.ServeLoad", "--url", url, "--requests", Integer.toString(n),
                "--concurrency", Integer.toString(c), "--warmup", Integer.toString(warmup), "--max-seconds", "120",
                "--client", System.getProperty("serve.client", "raw")));
        System.out.println("-- " + label);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = "";
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                System.out.println("   " + line);
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("load generator failed with exit code " + p.exitValue());
        }
        return result;
    }
}
