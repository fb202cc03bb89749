package dev.maestro.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * Load generator for a running Maestro server (it starts nothing itself): sends {@code --requests N} chat completions
 * with {@code --concurrency C} client threads, stops early at {@code --max-seconds}, and prints throughput,
 * latency percentiles, status counts and whether any completion id came back twice. The last line is
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
        int c = Integer.parseInt(a.getOrDefault("concurrency", "16"));
        double maxSeconds = Double.parseDouble(a.getOrDefault("max-seconds", "120"));
        String model = a.getOrDefault("model", "maestro");
        String key = System.getenv(a.getOrDefault("key-env", "MAESTRO_API_KEY"));
        if (n < 1 || c < 1 || c > 5000) {
            System.err.println("--requests must be >= 1 and --concurrency in [1, 5000]");
            System.exit(2);
        }
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 6 times 7?\"}]}";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null && !key.isBlank()) {
            rb.header("Authorization", "Bearer " + key.strip());
        }
        HttpRequest request = rb.build();

        long[] latencies = new long[n];
        String[] statusOf = new String[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        LongAdder duplicates = new LongAdder();
        long start = System.nanoTime();
        long deadline = start + (long) (maxSeconds * 1e9);
        // All threads start together so --concurrency C really means C requests in flight at once.
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[c];
        for (int t = 0; t < c; t++) {
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
                    try {
                        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                        status = Integer.toString(r.statusCode());
                        if (r.statusCode() == 200) {
                            Matcher m = ID.matcher(r.body());
                            if (m.find() && !ids.add(m.group(1))) {
                                duplicates.increment();
                            }
                        }
                    } catch (Exception e) {
                        status = "error:" + e.getClass().getSimpleName();
                    }
                    latencies[i] = System.nanoTime() - t0;
                    statusOf[i] = status;
                    statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
                    done.incrementAndGet();
                }
            }, "load-" + t);
            workers[t].start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int completed = done.get();
        long[] lat = Arrays.stream(latencies).filter(x -> x > 0).sorted().toArray();
        Map<String, Long> counts = new TreeMap<>();
        statuses.forEach((k, v) -> counts.put(k, v.sum()));
        double rps = completed / seconds;
        System.out.printf("requests %d of %d in %.3f s, concurrency %d%n", completed, n, seconds, c);
        System.out.printf("throughput %.1f req/s%n", rps);
        System.out.printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f%n", pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100));
        System.out.println("status " + counts);
        for (String st : counts.keySet()) {
            long[] l = java.util.stream.IntStream.range(0, n).filter(i -> st.equals(statusOf[i])).mapToLong(i -> latencies[i]).sorted().toArray();
            System.out.printf("  status %s latency ms: p50 %.3f  p99 %.3f  max %.3f%n", st, pct(l, 50), pct(l, 99), pct(l, 100));
        }
        System.out.println("completion ids answered twice: " + duplicates.sum());
        StringBuilder json = new StringBuilder("{");
        json.append("\"requests\":").append(completed).append(",\"seconds\":").append(String.format("%.4f", seconds))
                .append(",\"rps\":").append(String.format("%.1f", rps))
                .append(",\"p50_ms\":").append(String.format("%.3f", pct(lat, 50)))
                .append(",\"p99_ms\":").append(String.format("%.3f", pct(lat, 99)))
                .append(",\"max_ms\":").append(String.format("%.3f", pct(lat, 100)))
                .append(",\"duplicates\":").append(duplicates.sum()).append(",\"status\":{");
        counts.forEach((k, v) -> json.append('"').append(k).append("\":").append(v).append(','));
        if (!counts.isEmpty()) {
            json.setLength(json.length() - 1);
        }
        json.append("}}");
        System.out.println("RESULT " + json);
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
                System.err.println("usage: ServeLoad --url URL [--requests N] [--concurrency C] [--max-seconds S] [--model NAME] [--key-env VAR]");
                System.exit(2);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
