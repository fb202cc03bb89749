package dev.maestro.expert;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts calls and their failures per pair ({@code model@@skill}), from many threads at once. One log collects
 * the HTTP requests of every live expert of a wiring ({@link Experts.Options#requests()}, filled by
 * {@link CountingExpert}); another can collect the calls of an evaluation (episode observations), or of a collection
 * run that calls experts directly. {@link #counts()} is a consistent-enough snapshot for reports (counters of a pair
 * are read under its lock).
 */
public final class CallLog {
    private final ConcurrentHashMap<String, Counter> pairs = new ConcurrentHashMap<>();

    public static CallLog create() {
        return new CallLog();
    }

    private CallLog() {
    }

    private static final class Counter {
        long calls;
        final Map<ExpertError.Kind, Long> byKind = new EnumMap<>(ExpertError.Kind.class);
        final Map<ExpertError.Kind, String> examples = new EnumMap<>(ExpertError.Kind.class);

        synchronized void add(Optional<ExpertError> error) {
            calls++;
            error.ifPresent(e -> {
                byKind.merge(e.kind(), 1L, Long::sum);
                examples.put(e.kind(), e.message());
            });
        }

        synchronized CallCounts snapshot() {
            return new CallCounts(calls, byKind, examples);
        }
    }

    /** One call of {@code model} with {@code skill} that ended with {@code error} (empty: it succeeded). */
    public void record(String model, String skill, Optional<ExpertError> error) {
        record(model + "@@" + skill, error);
    }

    /** One call of a pair (its {@code model@@skill} id). */
    public void record(String pair, Optional<ExpertError> error) {
        pairs.computeIfAbsent(pair, k -> new Counter()).add(error);
    }

    /** Per pair id, sorted by id. */
    public Map<String, CallCounts> counts() {
        Map<String, CallCounts> out = new TreeMap<>();
        pairs.forEach((k, c) -> out.put(k, c.snapshot()));
        return out;
    }

    /** Every pair together. */
    public CallCounts total() {
        return counts().values().stream().reduce(CallCounts.NONE, CallCounts::plus);
    }

    public boolean isEmpty() {
        return pairs.isEmpty();
    }
}
