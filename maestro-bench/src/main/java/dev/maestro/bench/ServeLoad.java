package dev.maestro.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Load generator for a running Maestro server (it starts nothing itself): sends {@code --requests N} chat completions
 * with {@code --concurrency C} client threads, stops early at {@code --max-seconds}, and prints throughput,
 * latency percentiles (p50/p90/p99/p99.9/max), status counts and whether any completion id came back twice.
 * {@code --warmup W} first sends W unmeasured requests on the same connections, so neither JVM's JIT compilation
 * nor connection set-up lands in the measured window. {@code --client raw} (default) uses {@link RawHttpClient}, one
 * keep-alive socket per thread; {@code --client jdk} the JDK {@code HttpClient}. {@code --out FILE} writes every
 * measured latency (microseconds) and status, one request per line. The last line is
 * {@code RESULT {...json...}} for scripts. The API key, if any, is read from the environment variable named by
 * {@code --key-env} (default {@code MAESTRO_API_KEY}) so it never appears in a process list.
 *
 * <pre>java -cp maestro-bench.jar dev.maestro.bench.ServeLoad --url http://127.0.0.1:8080 --requests 1000 --concurrency 16</pre>
 */
public final class ServeLoad {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"(chatcmpl-[0-9a-f]+)\"");

    private ServeLoad() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        String url = a.getOrDefault("url", "http://127.0.0.1:8080").replaceAll("/+$", "");
        int n = Integer.parseInt(a.getOrDefault("requests", "1000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "0"));
        int c = Integer.parseInt(a.getOrDefault("concurrency", "16"));
        double maxSeconds = Double.parseDouble(a.getOrDefault("max-seconds", "120"));
        String model = a.getOrDefault("model", "maestro");
        String client = a.getOrDefault("client", "raw");
        String key = System.getenv(a.getOrDefault("key-env", "MAESTRO_API_KEY"));
        if (n < 1 || warmup < 0 || c < 1 || c > 5000 || !(client.equals("raw") || client.equals("jdk"))) {
            System.err.println("--requests must be >= 1, --warmup >= 0, --concurrency in [1, 5000], --client raw|jdk");
            System.exit(2);
        }
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 6 times 7?\"}]}";
        String bearer = key != null && !key.isBlank() ? key.strip() : null;
        URI uri = URI.create(url + "/v1/chat/completions");
        Sender[] senders = new Sender[c];
        if (client.equals("jdk")) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (bearer != null) {
                rb.header("Authorization", "Bearer " + bearer);
            }
            HttpRequest request = rb.build();
            Arrays.fill(senders, (Sender) () -> {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                return new RawHttpClient.Response(r.statusCode(), r.body());
            });
        } else {
            InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
            byte[] request = RawHttpClient.post(uri.getHost(), uri.getPort(), uri.getRawPath(), body, bearer);
            for (int t = 0; t < c; t++) {
                RawHttpClient raw = new RawHttpClient(address); // one keep-alive connection per client thread
                senders[t] = () -> raw.send(request);
            }
        }

        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        if (warmup > 0) {
            Run w = run(senders, warmup, deadline, ids);
            System.out.printf("warm-up: %d requests in %.3f s (not measured)%n", w.completed, w.seconds);
        }
        long[] sched0 = schedstat();
        Run r = run(senders, n, deadline, ids);
        long[] sched1 = schedstat();
        long[] lat = Arrays.stream(r.latencies).filter(x -> x > 0).sorted().toArray();
        Map<String, Long> counts = new TreeMap<>();
        r.statuses.forEach((k, v) -> counts.put(k, v.sum()));
        double rps = r.completed / r.seconds;
        System.out.printf("requests %d of %d in %.3f s, concurrency %d, client %s%n", r.completed, n, r.seconds, c, client);
        System.out.printf("throughput %.1f req/s%n", rps);
        System.out.printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", pct(lat, 50), pct(lat, 90), pct(lat, 99),
                pct(lat, 99.9), pct(lat, 100));
        double cpuUs = (sched1[0] - sched0[0]) / 1e3 / Math.max(1, r.completed);
        double waitUs = (sched1[1] - sched0[1]) / 1e3 / Math.max(1, r.completed);
        System.out.printf("client JVM per request: cpu %.1f us, runnable but waiting for a CPU %.1f us (/proc schedstat)%n", cpuUs, waitUs);
        System.out.println("status " + counts);
        for (String st : counts.keySet()) {
            long[] l = IntStream.range(0, n).filter(i -> st.equals(r.statusOf[i])).mapToLong(i -> r.latencies[i]).sorted().toArray();
            System.out.printf("  status %s latency ms: p50 %.3f  p99 %.3f  max %.3f%n", st, pct(l, 50), pct(l, 99), pct(l, 100));
        }
        System.out.println("completion ids answered twice: " + r.duplicates.sum());
        if (a.containsKey("out")) {
            // One line per measured request in the order they were sent: latency in microseconds and status.
            StringBuilder sb = new StringBuilder(n * 12);
            for (int i = 0; i < n; i++) {
                if (r.statusOf[i] != null) {
                    sb.append(r.latencies[i] / 1000).append(' ').append(r.statusOf[i]).append('\n');
                }
            }
            Files.writeString(Path.of(a.get("out")), sb);
        }
        StringBuilder json = new StringBuilder("{");
        json.append("\"requests\":").append(r.completed).append(",\"concurrency\":").append(c)
                .append(",\"seconds\":").append(String.format("%.4f", r.seconds))
                .append(",\"rps\":").append(String.format("%.1f", rps))
                .append(",\"p50_ms\":").append(String.format("%.3f", pct(lat, 50)))
                .append(",\"p90_ms\":").append(String.format("%.3f", pct(lat, 90)))
                .append(",\"p99_ms\":").append(String.format("%.3f", pct(lat, 99)))
                .append(",\"p999_ms\":").append(String.format("%.3f", pct(lat, 99.9)))
                .append(",\"max_ms\":").append(String.format("%.3f", pct(lat, 100)))
                .append(",\"client_cpu_us\":").append(String.format("%.1f", cpuUs))
                .append(",\"client_wait_us\":").append(String.format("%.1f", waitUs))
                .append(",\"duplicates\":").append(r.duplicates.sum()).append(",\"status\":{");
        counts.forEach((k, v) -> json.append('"').append(k).append("\":").append(v).append(','));
        if (!counts.isEmpty()) {
            json.setLength(json.length() - 1);
        }
        json.append("}}");
        System.out.println("RESULT " + json);
    }

    /** Sends one request, returns status and body; one instance per client thread. */
    private interface Sender {
        RawHttpClient.Response send() throws Exception;
    }

    private record Run(long[] latencies, String[] statusOf, Map<String, LongAdder> statuses, LongAdder duplicates, int completed,
                       double seconds) {
    }

    /** {@code n} requests from {@code senders.length} threads started together, so C threads means C requests in flight. */
    private static Run run(Sender[] senders, int n, long deadline, Set<String> ids) throws InterruptedException {
        long[] latencies = new long[n];
        String[] statusOf = new String[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        LongAdder duplicates = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[senders.length];
        for (int t = 0; t < senders.length; t++) {
            Sender sender = senders[t];
            workers[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                int i;
                while ((i = next.getAndIncrement()) < n && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    String status;
                    String responseBody = null;
                    try {
                        RawHttpClient.Response resp = sender.send();
                        status = Integer.toString(resp.status());
                        if (resp.status() == 200) {
                            responseBody = resp.body();
                        }
                    } catch (Exception e) {
                        status = "error:" + e.getClass().getSimpleName();
                    }
                    latencies[i] = System.nanoTime() - t0; // the id check below is not part of the latency
                    statusOf[i] = status;
                    if (responseBody != null) {
                        Matcher m = ID.matcher(responseBody);
                        if (m.find() && !ids.add(m.group(1))) {
                            duplicates.increment();
                        }
                    }
                    statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
                    done.incrementAndGet();
                }
            }, "load-" + t);
            workers[t].start();
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        return new Run(latencies, statusOf, statuses, duplicates, done.get(), (System.nanoTime() - start) / 1e9);
    }

    /** Sum over this JVM's threads of ns on a CPU and ns runnable but waiting for one (Linux; zeros elsewhere). */
    static long[] schedstat() {
        long[] sum = new long[2];
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String[] f = Files.readString(t.resolve("schedstat")).trim().split("\\s+");
                    sum[0] += Long.parseLong(f[0]);
                    sum[1] += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return sum;
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: ServeLoad --url URL [--requests N] [--warmup W] [--concurrency C] [--max-seconds S] [--client raw|jdk] [--out FILE] [--model NAME] [--key-env VAR]");
                System.exit(2);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
