package dev.maestro.serve;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.expert.CircuitBreakerExpert;
import dev.maestro.expert.Deployments;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Counters and histograms in Prometheus text exposition format (version 0.0.4), written by hand so the
 * server needs no metrics library. All updates are lock-free adders; {@link #render} is a consistent-enough snapshot.
 */
public final class Metrics {
    /** Expert latency buckets in seconds. */
    static final double[] EXPERT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    /** Request duration buckets in seconds (orchestration overhead lives in the smallest ones). */
    static final double[] REQUEST_BUCKETS = {0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final ConcurrentHashMap<String, LongAdder> expertCalls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> expertErrors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DoubleAdder> expertCost = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> expertTokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> fallbacks = new ConcurrentHashMap<>();
    private volatile Supplier<List<Deployments.State>> deployments = List::of;
    private final ConcurrentHashMap<String, Histogram> expertLatency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> requestDuration = new ConcurrentHashMap<>();
    private final LongAdder episodes = new LongAdder();
    private final DoubleAdder episodeCost = new DoubleAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    /**
     * The series an expert call or a request updates, found by a small key: a chat request used to build a dozen
     * label strings (and hash them) only to find the same adders again (seen in the serving profile).
     */
    private final ConcurrentHashMap<ModelSkill, CallSeries> callSeries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EndpointStatus, LongAdder> requestSeries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> durationSeries = new ConcurrentHashMap<>();
    /** Exact chat request durations for the serving benchmark (ServeBench); no-op otherwise. */
    private volatile LongConsumer chatTap = nanos -> { };

    public void episode(EpisodeResult r) {
        episodes.increment();
        episodeCost.add(r.costUsd());
        for (Step s : r.steps()) {
            for (Observation o : s.observations()) {
                expertCall(o);
            }
        }
    }

    private record ModelSkill(String model, String skill) {
    }

    private record EndpointStatus(String endpoint, int status) {
    }

    /** The series of one model and skill; {@code model} is its label ({@code model="..."}) for the rarer series. */
    private record CallSeries(String model, LongAdder calls, DoubleAdder cost, LongAdder inputTokens, LongAdder outputTokens,
                              Histogram latency) {
    }

    public void expertCall(Observation o) {
        CallSeries s = callSeries.computeIfAbsent(new ModelSkill(o.call().model(), o.call().skill()), this::series);
        s.calls().increment();
        if (o.error().isPresent()) {
            String ek = s.model() + ",kind=\"" + o.error().get().kind().name().toLowerCase(Locale.ROOT) + "\"";
            expertErrors.computeIfAbsent(ek, k -> new LongAdder()).increment();
        }
        s.cost().add(o.costUsd());
        s.inputTokens().add(o.usage().inputTokens());
        s.outputTokens().add(o.usage().outputTokens());
        s.latency().observe(o.latencyMs() / 1000.0);
        o.fallback().ifPresent(f -> fallbacks.computeIfAbsent(s.model() + ",answered_by=\"" + esc(f.answeredBy().orElse("none")) + "\"",
                k -> new LongAdder()).increment());
    }

    private CallSeries series(ModelSkill k) {
        String m = "model=\"" + esc(k.model()) + "\"";
        return new CallSeries(m, expertCalls.computeIfAbsent(m + ",skill=\"" + esc(k.skill()) + "\"", x -> new LongAdder()),
                expertCost.computeIfAbsent(m, x -> new DoubleAdder()),
                expertTokens.computeIfAbsent(m + ",direction=\"input\"", x -> new LongAdder()),
                expertTokens.computeIfAbsent(m + ",direction=\"output\"", x -> new LongAdder()),
                expertLatency.computeIfAbsent(m, x -> new Histogram(EXPERT_BUCKETS)));
    }

    /** Where {@link #render} reads each deployment's breaker and recent error rate. */
    void deployments(Supplier<List<Deployments.State>> source) {
        this.deployments = Objects.requireNonNull(source);
    }

    public void request(String endpoint, int status, long nanos) {
        requestSeries.computeIfAbsent(new EndpointStatus(endpoint, status), k -> requests.computeIfAbsent(
                "endpoint=\"" + endpoint + "\",status=\"" + status + "\"", x -> new LongAdder())).increment();
        durationSeries.computeIfAbsent(endpoint, k -> requestDuration.computeIfAbsent("endpoint=\"" + endpoint + "\"",
                x -> new Histogram(REQUEST_BUCKETS))).observe(nanos / 1e9);
        if (endpoint.equals(MaestroServer.CHAT)) {
            chatTap.accept(nanos);
        }
    }

    /** Also hands every chat request's exact duration in nanoseconds to {@code tap} (benchmarks: histograms are too coarse). */
    void tapChatDurations(LongConsumer tap) {
        this.chatTap = Objects.requireNonNull(tap);
    }

    public AtomicInteger inFlight() {
        return inFlight;
    }

    public long requestCount(String endpoint, int status) {
        LongAdder a = requests.get("endpoint=\"" + endpoint + "\",status=\"" + status + "\"");
        return a == null ? 0 : a.sum();
    }

    public String render() {
        StringBuilder sb = new StringBuilder(4096);
        counter(sb, "maestro_requests_total", "HTTP requests by endpoint and status", requests);
        histogram(sb, "maestro_request_duration_seconds", "HTTP request duration", requestDuration);
        sb.append("# HELP maestro_requests_in_flight Chat requests being served\n# TYPE maestro_requests_in_flight gauge\n")
                .append("maestro_requests_in_flight ").append(inFlight.get()).append('\n');
        sb.append("# HELP maestro_episodes_total Episodes run\n# TYPE maestro_episodes_total counter\n")
                .append("maestro_episodes_total ").append(episodes.sum()).append('\n');
        sb.append("# HELP maestro_episode_cost_usd_total Dollars spent by episodes\n# TYPE maestro_episode_cost_usd_total counter\n")
                .append("maestro_episode_cost_usd_total ").append(num(episodeCost.sum())).append('\n');
        counter(sb, "maestro_expert_calls_total", "Expert calls by model and skill", expertCalls);
        counter(sb, "maestro_expert_errors_total", "Failed expert calls by model and error kind", expertErrors);
        counter(sb, "maestro_expert_tokens_total", "Expert tokens by model and direction", expertTokens);
        doubleCounter(sb, "maestro_expert_cost_usd_total", "Expert cost in dollars by model", expertCost);
        histogram(sb, "maestro_expert_latency_seconds", "Expert call latency by model", expertLatency);
        counter(sb, "maestro_expert_fallbacks_total", "Calls whose model failed and went to its fallbacks, by model and the one that answered", fallbacks);
        deploymentGauges(sb, deployments.get());
        return sb.toString();
    }

    private static void deploymentGauges(StringBuilder sb, List<Deployments.State> states) {
        sb.append("# HELP maestro_deployment_breaker_open Whether the deployment's circuit breaker refuses calls (1: open or half-open)\n")
                .append("# TYPE maestro_deployment_breaker_open gauge\n");
        for (var d : states) {
            sb.append("maestro_deployment_breaker_open{model=\"").append(esc(d.model())).append("\"} ")
                    .append(d.breaker().map(b -> b == CircuitBreakerExpert.State.CLOSED ? 0 : 1).orElse(0)).append('\n');
        }
        sb.append("# HELP maestro_deployment_recent_error_rate Failed share of the deployment's last requests (at most 100 of 5 minutes)\n")
                .append("# TYPE maestro_deployment_recent_error_rate gauge\n");
        for (var d : states) {
            sb.append("maestro_deployment_recent_error_rate{model=\"").append(esc(d.model())).append("\"} ")
                    .append(num(d.recentErrorRate())).append('\n');
        }
        sb.append("# HELP maestro_deployment_requests_total HTTP requests that reached the deployment, retries included\n")
                .append("# TYPE maestro_deployment_requests_total counter\n");
        for (var d : states) {
            sb.append("maestro_deployment_requests_total{model=\"").append(esc(d.model())).append("\"} ").append(d.requests()).append('\n');
        }
        sb.append("# HELP maestro_deployment_errors_total Failed HTTP requests of the deployment\n")
                .append("# TYPE maestro_deployment_errors_total counter\n");
        for (var d : states) {
            sb.append("maestro_deployment_errors_total{model=\"").append(esc(d.model())).append("\"} ").append(d.errors()).append('\n');
        }
    }

    private static void counter(StringBuilder sb, String name, String help, Map<String, LongAdder> m) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(m).forEach((k, v) -> sb.append(name).append('{').append(k).append("} ").append(v.sum()).append('\n'));
    }

    private static void doubleCounter(StringBuilder sb, String name, String help, Map<String, DoubleAdder> m) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(m).forEach((k, v) -> sb.append(name).append('{').append(k).append("} ").append(num(v.sum())).append('\n'));
    }

    private static void histogram(StringBuilder sb, String name, String help, Map<String, Histogram> m) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(m).forEach((labels, h) -> {
            long cumulative = 0;
            for (int i = 0; i < h.bounds.length; i++) {
                cumulative += h.counts[i].sum();
                sb.append(name).append("_bucket{").append(labels).append(",le=\"").append(num(h.bounds[i])).append("\"} ")
                        .append(cumulative).append('\n');
            }
            cumulative += h.counts[h.bounds.length].sum();
            sb.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(cumulative).append('\n');
            sb.append(name).append("_sum{").append(labels).append("} ").append(num(h.sum.sum())).append('\n');
            sb.append(name).append("_count{").append(labels).append("} ").append(cumulative).append('\n');
        });
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** Label value escaping per the exposition format: backslash, quote and newline. */
    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static final class Histogram {
        final double[] bounds;
        final LongAdder[] counts;
        final DoubleAdder sum = new DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length + 1];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double v) {
            int i = 0;
            while (i < bounds.length && v > bounds[i]) {
                i++;
            }
            counts[i].increment();
            sum.add(v);
        }
    }
}
