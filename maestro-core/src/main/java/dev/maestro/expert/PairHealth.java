package dev.maestro.expert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a pair's expert can be trusted, from how its calls ended (and, for live endpoints, its HTTP requests):
 * <ul>
 *   <li>{@link Verdict#OK}: at most {@value #WARN_RATE_PERCENT}% of calls and of requests failed;</li>
 *   <li>{@link Verdict#WARN}: more than that failed (retries may have hidden most of it: a 30%-flaky endpoint retried
 *       four times loses about 1% of calls but is still worth knowing about);</li>
 *   <li>{@link Verdict#UNUSABLE}: at least {@value #UNUSABLE_RATE_PERCENT}% of calls failed, so any number measured
 *       with this pair says more about the endpoint than about the model. The cause names what failed most: an
 *       authentication failure (HTTP 401/403), an unreachable endpoint (connection errors, an open circuit after
 *       them), or the most frequent error kind, with its last message.</li>
 * </ul>
 * Used by {@code eval}, {@code train} and {@code collect} to warn and to end with a documented exit status, and by
 * reports (one line per pair).
 *
 * @param pair     {@code model@@skill}
 * @param calls    how the pair's calls ended
 * @param requests how its HTTP requests ended (live endpoints only)
 * @param verdict  the verdict
 * @param cause    why, in a few words with an example message; empty when OK
 */
public record PairHealth(String pair, CallCounts calls, Optional<CallCounts> requests, Verdict verdict,
                         Optional<String> cause) {
    /** Above this share of failed calls or requests a pair is reported with a warning. */
    public static final double WARN_RATE = 0.05;
    /** At or above this share of failed calls a pair is unusable. */
    public static final double UNUSABLE_RATE = 0.5;
    static final int WARN_RATE_PERCENT = 5;
    static final int UNUSABLE_RATE_PERCENT = 50;

    /** The verdicts, mildest first. */
    public enum Verdict { OK, WARN, UNUSABLE }

    /** The model of the pair ({@code model} of {@code model@@skill}). */
    public String model() {
        int at = pair.indexOf("@@");
        return at < 0 ? pair : pair.substring(0, at);
    }

    public static PairHealth assess(String pair, CallCounts calls, Optional<CallCounts> requests) {
        double callRate = calls.errorRate();
        double requestRate = requests.map(CallCounts::errorRate).orElse(0.0);
        Verdict v;
        if (calls.calls() > 0 && callRate >= UNUSABLE_RATE) {
            v = Verdict.UNUSABLE;
        } else if (callRate > WARN_RATE || requestRate > WARN_RATE) {
            v = Verdict.WARN;
        } else {
            v = Verdict.OK;
        }
        return new PairHealth(pair, calls, requests, v, v == Verdict.OK ? Optional.empty()
                : Optional.of(cause(calls, requests)));
    }

    /** One per pair seen in either log, in pair order. */
    public static List<PairHealth> assessAll(Map<String, CallCounts> calls, Map<String, CallCounts> requests) {
        Set<String> pairs = new LinkedHashSet<>(new TreeSet<>(calls.keySet()));
        pairs.addAll(new TreeSet<>(requests.keySet()));
        List<PairHealth> out = new ArrayList<>();
        for (String p : pairs) {
            // a pair whose every call was answered from the cache has requests only from an earlier run; a pair with
            // requests but no observed call (a judge) is judged by its requests
            CallCounts c = calls.getOrDefault(p, requests.getOrDefault(p, CallCounts.NONE));
            out.add(assess(p, c, Optional.ofNullable(requests.get(p))));
        }
        return out;
    }

    /** Auth failure, unreachable endpoint, or the most frequent error kind, with an example. */
    private static String cause(CallCounts calls, Optional<CallCounts> requests) {
        // the requests hold the real causes: a call refused by an open circuit says only CIRCUIT_OPEN
        CallCounts source = requests.filter(r -> r.errors() > 0).orElse(calls);
        Optional<ExpertError.Kind> kind = source.dominantError();
        if (kind.isEmpty()) {
            kind = calls.dominantError();
            source = calls;
        }
        if (kind.isEmpty()) {
            return "no failures";
        }
        String example = source.examples().getOrDefault(kind.get(), "");
        String what;
        if (kind.get() == ExpertError.Kind.HTTP_STATUS && (example.startsWith("401") || example.startsWith("403"))) {
            what = "authentication failed";
        } else if (kind.get() == ExpertError.Kind.IO) {
            what = "endpoint unreachable";
        } else {
            what = "mostly " + kind.get().name().toLowerCase(Locale.ROOT);
        }
        return what + " (" + abbreviate(example) + ")";
    }

    /** One line for the console: the pair, the model, the rates and the cause. */
    public String message() {
        StringBuilder sb = new StringBuilder();
        sb.append("model '").append(model()).append("' (").append(pair).append("): ");
        sb.append(String.format(Locale.ROOT, "%d of %d calls failed (%.1f%%)", calls.errors(), calls.calls(),
                100 * calls.errorRate()));
        requests.ifPresent(r -> sb.append(String.format(Locale.ROOT, ", %d of %d requests (%.1f%%)", r.errors(),
                r.calls(), 100 * r.errorRate())));
        cause.ifPresent(c -> sb.append(verdict == Verdict.UNUSABLE ? "; unusable: " : "; ").append(c));
        return sb.toString();
    }

    /**
     * A pair's line in a report's {@code calls_by_pair} section (rates rounded to 4 places). The request figures are
     * there for live endpoints only, {@code otherFailuresByKind} only when some call failed for another reason than
     * the expert (a tool, say), {@code cause} only when the pair is not OK.
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Line(long calls, long errors, @JsonProperty("error_rate") double errorRate,
                       @JsonProperty("errors_by_kind") Map<String, Long> errorsByKind,
                       @JsonProperty("other_failures_by_kind") Optional<Map<String, Long>> otherFailuresByKind,
                       Optional<Long> requests, @JsonProperty("request_errors") Optional<Long> requestErrors,
                       @JsonProperty("request_error_rate") Optional<Double> requestErrorRate,
                       @JsonProperty("request_errors_by_kind") Optional<Map<String, Long>> requestErrorsByKind,
                       String health, Optional<String> cause) {
    }

    /** This pair's line in a report's {@code calls_by_pair} section. */
    public Line line() {
        return new Line(calls.calls(), calls.errors(), round4(calls.errorRate()), calls.errorsByKind(),
                calls.otherFailures() > 0 ? Optional.of(calls.otherFailuresByKind()) : Optional.empty(),
                requests.map(CallCounts::calls), requests.map(CallCounts::errors),
                requests.map(r -> round4(r.errorRate())), requests.map(CallCounts::errorsByKind),
                verdict.name().toLowerCase(Locale.ROOT), cause);
    }

    /** The {@code calls_by_pair} section of a report: one {@link #line()} per pair, by pair id. */
    public static Map<String, Line> section(List<PairHealth> pairs) {
        Map<String, Line> m = new LinkedHashMap<>();
        pairs.forEach(p -> m.put(p.pair(), p.line()));
        return m;
    }

    private static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
