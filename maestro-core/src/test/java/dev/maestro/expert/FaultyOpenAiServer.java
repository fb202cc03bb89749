package dev.maestro.expert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: an OpenAI-compatible endpoint (JDK HttpServer on 127.0.0.1, port 0) that misbehaves on a
 * seeded share of its requests, or on all of them with one fault. The fault of a request depends only on
 * (model name, question number "Q-n" found in the body, attempt number), so the schedule is the same whatever
 * the thread interleaving, and callers can check each observation against what the server did to the last
 * request of that call. Shared by the evaluation ({@code FaultInjectionTest}) and training
 * ({@code TrainingUnderFaultsTest}) fault tests.
 */
public final class FaultyOpenAiServer implements AutoCloseable {
    /** What the server does to one request. */
    public enum Fault {
        NONE, STATUS_500, STATUS_502, STATUS_503, RATE_LIMITED_429, SLOW, RESET, TRUNCATED, NOT_JSON;

        public static final List<Fault> INJECTED = List.of(values()).subList(1, values().length);
    }

    /** How long a {@link Fault#SLOW} request waits before answering: longer than any client timeout in the tests. */
    public static final long SLOW_MS = 1200;

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern QUESTION = Pattern.compile("Q-(\\d+)");

    private final HttpServer server;
    private final ExecutorService executor;
    private final long seed;
    private final double rate;
    private final Fault always;
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, List<Fault>> log = new ConcurrentHashMap<>();

    /** Every live thread now (compare with {@link #threadsLeftSince} to find a leak). */
    /**
     * Experts for {@code registry} with bounded, near-instant retries and a circuit breaker that never opens, so every
     * call reaches this server (the breaker has its own test in FaultInjectionTest).
     */
    public static Map<String, Expert> experts(dev.maestro.registry.Registry registry, int attempts) {
        return Experts.forRegistry(registry, Experts.Options.builder()
                .env(EnvLookup.of(Map.of()))
                .retryAttempts(attempts)
                .retryBaseDelay(java.time.Duration.ofMillis(1))
                .retryMaxDelay(java.time.Duration.ofMillis(5))
                .sleeper(d -> { })
                .breakerThreshold(10_000)
                .build());
    }

    public static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Threads started since {@code before} that are still alive, ignoring the JVM-wide common pool. */
    public static List<String> newThreads(Set<Thread> before) {
        return liveThreads().stream()
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
    public static List<String> threadsLeftSince(Set<Thread> before, int slack) throws InterruptedException {
        List<String> extra = newThreads(before);
        for (int i = 0; i < 50 && extra.size() > slack; i++) {
            // the JDK HttpClient (Java 17 has no close()) ends its selector thread once it is unreachable
            System.gc();
            Thread.sleep(200);
            extra = newThreads(before);
        }
        return extra;
    }

    /** {@code always} = NONE: seeded random faults at {@code rate}; otherwise that fault on every request. */
    public FaultyOpenAiServer(long seed, double rate, Fault always) throws IOException {
        this.seed = seed;
        this.rate = rate;
        this.always = always;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        // our own executor, shut down in close(): HttpServer.stop does not stop it
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faulty-openai");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public int requests() {
        return requests.get();
    }

    /** The faults applied to the requests of one call, in order (NONE = answered normally). */
    public List<Fault> faults(String modelName, String questionNumber) {
        return log.getOrDefault(modelName + "|" + questionNumber, List.of());
    }

    public Map<String, List<Fault>> log() {
        return log;
    }

    private Fault choose(String key, int attempt) {
        if (always != Fault.NONE) {
            return always;
        }
        SplittableRandom r = new SplittableRandom(seed * 31 + key.hashCode() * 1_000_003L + attempt);
        if (r.nextDouble() >= rate) {
            return Fault.NONE;
        }
        return Fault.INJECTED.get(r.nextInt(Fault.INJECTED.size()));
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = MODEL.matcher(body);
        Matcher q = QUESTION.matcher(body);
        String key = (m.find() ? m.group(1) : "?") + "|" + (q.find() ? q.group(1) : "?");
        Fault fault;
        List<Fault> faults = log.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()));
        synchronized (faults) {
            fault = choose(key, faults.size());
            faults.add(fault);
        }
        try {
            switch (fault) {
                case NONE -> send(ex, 200, FakeOpenAiServer.completion("The answer is 42", 12, 4), Map.of());
                case STATUS_500 -> send(ex, 500, error(500), Map.of());
                case STATUS_502 -> send(ex, 502, error(502), Map.of());
                case STATUS_503 -> send(ex, 503, error(503), Map.of());
                case RATE_LIMITED_429 -> send(ex, 429, error(429), Map.of("Retry-After", "0"));
                case SLOW -> {
                    Thread.sleep(SLOW_MS);
                    send(ex, 200, FakeOpenAiServer.completion("too late", 12, 4), Map.of());
                }
                case RESET -> { } // close below without any response
                case TRUNCATED -> {
                    byte[] full = FakeOpenAiServer.completion("cut off", 12, 4).getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().set("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, full.length);
                    OutputStream os = ex.getResponseBody();
                    os.write(full, 0, full.length / 2);
                    os.flush();
                }
                case NOT_JSON -> send(ex, 200, "<html><body>502 Bad Gateway (proxy)</body></html>", Map.of());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the client timed out or the fault itself broke the stream: nothing to do
        } finally {
            try {
                ex.close();
            } catch (RuntimeException | Error ignored) {
                // closing a truncated fixed-length stream complains; the connection is closed anyway
            }
        }
    }

    private static String error(int status) {
        return "{\"error\":{\"message\":\"injected " + status + "\"}}";
    }

    private static void send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
