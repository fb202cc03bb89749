package dev.maestro.expert;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a set of calls (or of HTTP requests) to one pair ended: how many, and how many failed by
 * {@link ExpertError.Kind}, with the last message of each kind as an example.
 *
 * <p>{@link #errors()} counts the expert's failures only ({@link ExpertError.Kind#expertFailure()}: the expert was
 * asked and gave no answer); refused requests and failed tools are kept apart in {@link #otherFailures()}, so a
 * policy's malformed calls or a tool's "nothing found" never make an endpoint look unwell.
 *
 * @param calls    calls (or requests) made
 * @param byKind   failures by kind, every kind included
 * @param examples the last message seen for each kind (already redacted by the backend)
 */
public record CallCounts(long calls, Map<ExpertError.Kind, Long> byKind, Map<ExpertError.Kind, String> examples) {
    public static final CallCounts NONE = new CallCounts(0, Map.of(), Map.of());

    public CallCounts {
        byKind = Collections.unmodifiableMap(byKind.isEmpty() ? new EnumMap<>(ExpertError.Kind.class) : new EnumMap<>(byKind));
        examples = Collections.unmodifiableMap(examples.isEmpty() ? new EnumMap<>(ExpertError.Kind.class)
                : new EnumMap<>(examples));
    }

    /** Failures of the expert itself (the kinds of {@link ExpertError.Kind#expertFailure()}). */
    public long errors() {
        return byKind.entrySet().stream().filter(e -> e.getKey().expertFailure()).mapToLong(Map.Entry::getValue).sum();
    }

    /** Refused requests and failed tools: failures that are not the expert's. */
    public long otherFailures() {
        return byKind.entrySet().stream().filter(e -> !e.getKey().expertFailure()).mapToLong(Map.Entry::getValue).sum();
    }

    /** {@link #errors()} / {@link #calls()}, 0 without calls. */
    public double errorRate() {
        return calls == 0 ? 0 : errors() / (double) calls;
    }

    public long count(ExpertError.Kind kind) {
        return byKind.getOrDefault(kind, 0L);
    }

    public CallCounts plus(CallCounts o) {
        Map<ExpertError.Kind, Long> k = new EnumMap<>(ExpertError.Kind.class);
        k.putAll(byKind);
        o.byKind.forEach((kind, n) -> k.merge(kind, n, Long::sum));
        Map<ExpertError.Kind, String> ex = new EnumMap<>(ExpertError.Kind.class);
        ex.putAll(examples);
        ex.putAll(o.examples);
        return new CallCounts(calls + o.calls, k, ex);
    }

    /** The expert's failures by kind name (lower case, as in observations), in kind order. */
    public Map<String, Long> errorsByKind() {
        return names(true);
    }

    /** The other failures by kind name ({@code invalid_request}, {@code tool}). */
    public Map<String, Long> otherFailuresByKind() {
        return names(false);
    }

    private Map<String, Long> names(boolean expert) {
        Map<String, Long> out = new LinkedHashMap<>();
        byKind.forEach((k, n) -> {
            if (k.expertFailure() == expert && n > 0) {
                out.put(k.name().toLowerCase(Locale.ROOT), n);
            }
        });
        return out;
    }

    /** The most frequent expert-failure kind (ties: the first in kind order), if any failed. */
    public Optional<ExpertError.Kind> dominantError() {
        ExpertError.Kind best = null;
        for (Map.Entry<ExpertError.Kind, Long> e : byKind.entrySet()) {
            if (e.getKey().expertFailure() && e.getValue() > 0 && (best == null || e.getValue() > byKind.get(best))) {
                best = e.getKey();
            }
        }
        return Optional.ofNullable(best);
    }
}
