package dev.maestro.expert;

import dev.maestro.registry.Registry;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.testkit.FakeOpenAiServer.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: how a {@link FakeOpenAiServer} misbehaves on a seeded share of its requests, or on all of them with
 * one fault. The fault of a request depends only on (model name, question number "Q-n" found in the body, attempt
 * number), so the schedule is the same whatever the thread interleaving, and callers can check each observation
 * against what the server did to the last request of that call. Shared by the evaluation
 * ({@code FaultInjectionTest}) and training ({@code TrainingUnderFaultsTest}) fault tests.
 */
public final class FaultSchedule implements FakeOpenAiServer.Responder {
    /** What the server does to one request. */
    public enum Fault {
        NONE, STATUS_500, STATUS_502, STATUS_503, RATE_LIMITED_429, SLOW, RESET, TRUNCATED, NOT_JSON;

        public static final List<Fault> INJECTED = List.of(values()).subList(1, values().length);
    }

    /** How long a {@link Fault#SLOW} request waits before answering: longer than any client timeout in the tests. */
    public static final long SLOW_MS = 1200;

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern QUESTION = Pattern.compile("Q-(\\d+)");

    private final long seed;
    private final double rate;
    private final Fault always;
    private final Map<String, List<Fault>> log = new ConcurrentHashMap<>();

    /**
     * Experts for {@code registry} with bounded, near-instant retries and a circuit breaker that never opens, so every
     * call reaches the server (the breaker has its own test in FaultInjectionTest).
     */
    public static Map<String, Expert> experts(Registry registry, int attempts) {
        return Experts.forRegistry(registry, Experts.Options.builder()
                .env(EnvLookup.of(Map.of()))
                .retryAttempts(attempts)
                .retryBaseDelay(Duration.ofMillis(1))
                .retryMaxDelay(Duration.ofMillis(5))
                .sleeper(d -> { })
                .breakerThreshold(10_000)
                .build());
    }

    /** {@code always} = NONE: seeded random faults at {@code rate}; otherwise that fault on every request. */
    public FaultSchedule(long seed, double rate, Fault always) {
        this.seed = seed;
        this.rate = rate;
        this.always = always;
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

    @Override
    public Reply reply(Request request) {
        Matcher m = MODEL.matcher(request.body());
        Matcher q = QUESTION.matcher(request.body());
        String key = (m.find() ? m.group(1) : "?") + "|" + (q.find() ? q.group(1) : "?");
        Fault fault;
        List<Fault> faults = log.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()));
        synchronized (faults) {
            fault = choose(key, faults.size());
            faults.add(fault);
        }
        return switch (fault) {
            case NONE -> Reply.ok("The answer is 42", 12, 4);
            case STATUS_500 -> error(500);
            case STATUS_502 -> error(502);
            case STATUS_503 -> error(503);
            case RATE_LIMITED_429 -> error(429).withHeader("Retry-After", "0");
            case SLOW -> Reply.ok("too late", 12, 4).delayed(SLOW_MS);
            case RESET -> Reply.reset();
            case TRUNCATED -> Reply.truncated(FakeOpenAiServer.completion("cut off", 12, 4));
            case NOT_JSON -> Reply.of(200, "<html><body>502 Bad Gateway (proxy)</body></html>");
        };
    }

    private static Reply error(int status) {
        return Reply.of(status, "{\"error\":{\"message\":\"injected " + status + "\"}}");
    }
}
