package dev.maestro.expert;

import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.Resilience;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Wires one {@link Expert} per model of a registry, with the right backend and decorators:
 * <ul>
 *   <li>live backends ({@code openai}, {@code anthropic}, {@code gemini}, {@code azure-openai}, {@code ollama},
 *       see {@link #live}): [{@link CachingExpert} if a cache file or store is configured] → [{@link FallbackExpert}
 *       if the model has {@code fallbacks}] → {@link RetryingExpert}
 *       → {@link CircuitBreakerExpert} → {@link ConcurrencyLimitedExpert} → {@link CountingExpert}
 *       → {@link OpenAiExpert}. Retries sit outside the breaker so an open circuit (not retryable) ends them at
 *       once; the limiter sits inside so a sleeping retry does not hold a slot; the counter is innermost so it
 *       counts what the endpoint saw ({@link Options#requests()}). Retry and breaker settings come from the
 *       model card ({@link dev.maestro.registry.Resilience}) where set, else from the options.</li>
 *   <li>{@code replay}: {@link ReplayExpert} (files shared through {@link RecordedOutputs#load}).</li>
 *   <li>{@code simulated}: the {@link ExpertFactory} given in {@link Options} (required).</li>
 *   <li>{@code none}: an expert that answers every call with INVALID_REQUEST "tool-only model": the
 *       skill runtime runs such skills' tools without a model.</li>
 * </ul>
 * A factory set with {@link Options.Builder#backend} replaces the bare backend expert (decorators
 * still apply to live backends).
 */
public final class Experts {
    private Experts() {
    }

    /**
     * The experts of every model in the registry, keyed by model id in registry order. A model with {@code fallbacks}
     * gets a {@link FallbackExpert} around its chain (inside the cache) that tries the fallbacks' own chains.
     */
    public static Map<String, Expert> forRegistry(Registry registry, Options options) {
        Map<String, Expert> chains = new LinkedHashMap<>();
        Map<String, Expert> out = new LinkedHashMap<>();
        try {
            for (ModelCard m : registry.models()) {
                chains.put(m.id(), chain(m, options));
            }
            for (ModelCard m : registry.models()) {
                Expert e = chains.get(m.id());
                List<String> ids = m.resilience().fallbacks();
                if (!ids.isEmpty()) {
                    List<FallbackExpert.Target> targets = new ArrayList<>();
                    for (String id : ids) {
                        ModelCard f = registry.model(id).filter(x -> !x.id().equals(m.id())).orElseThrow(() -> new MaestroException(
                                "model '" + m.id() + "': fallback '" + id + "' is not another model of registry " + registry.name()
                                        + "; models: " + String.join(", ", registry.modelIds())));
                        targets.add(new FallbackExpert.Target(f, chains.get(f.id())));
                    }
                    e = FallbackExpert.create(m.id(), e, targets);
                }
                out.put(m.id(), cached(m, e, options));
            }
        } catch (RuntimeException e) {
            out.values().forEach(Expert::close); // closes their chains too
            chains.forEach((id, c) -> {
                if (!out.containsKey(id)) {
                    c.close();
                }
            });
            throw e;
        }
        return Collections.unmodifiableMap(out);
    }

    /** The expert for one model card (its {@code fallbacks} are not wired: they need the other models, see {@link #forRegistry}). */
    public static Expert forModel(ModelCard m, Options o) {
        return cached(m, chain(m, o), o);
    }

    /** The record/replay cache around a live model's chain, when a cache store or file is configured. */
    private static Expert cached(ModelCard m, Expert e, Options o) {
        if (!isLive(m.backend())) {
            return e;
        }
        if (o.cacheStore.isPresent()) {
            return CachingExpert.create(e, o.cacheStore.get());
        }
        return o.cache.isPresent() ? CachingExpert.open(e, o.cache.get()) : e;
    }

    /** The backend with its decorators, without the cache. */
    private static Expert chain(ModelCard m, Options o) {
        Optional<ExpertFactory> override = Optional.ofNullable(o.factories.get(m.backend()));
        return switch (m.backend()) {
            case OPENAI, ANTHROPIC, GEMINI, AZURE_OPENAI, OLLAMA -> {
                Expert e = override.map(f -> f.create(m)).orElseGet(() -> live(m, o.env));
                e = CountingExpert.create(e, o.requests, o.deployments);
                e = ConcurrencyLimitedExpert.create(e, m.maxConcurrency(), m.timeout());
                Resilience r = m.resilience();
                CircuitBreakerExpert breaker = CircuitBreakerExpert.create(e, m.id(), r.breakerFailures().orElse(o.breakerThreshold),
                        r.breakerCoolDown().orElse(o.breakerCoolDown));
                o.deployments.breaker(m.id(), breaker);
                yield RetryingExpert.builder(breaker).maxAttempts(r.retryAttempts().orElse(o.retryAttempts))
                        .baseDelay(o.retryBaseDelay).maxDelay(r.retryBackoffCap().orElse(o.retryMaxDelay))
                        .maxRetryAfter(o.maxRetryAfter).sleeper(o.sleeper).build();
            }
            case REPLAY -> override.map(f -> f.create(m)).orElseGet(() -> ReplayExpert.create(m, o.recordedMode));
            case SIMULATED -> override.orElseThrow(() -> new MaestroException("model '" + m.id()
                    + "' uses backend simulated, but no simulated ExpertFactory was given; pass one with "
                    + "Experts.Options.builder().simulated(factory)")).create(m);
            case NONE -> override.map(f -> f.create(m)).orElseGet(() -> toolOnly(m));
        };
    }

    /** The bare expert of a live model, by its backend (no decorators). */
    public static Expert live(ModelCard m, EnvLookup env) {
        return switch (m.backend()) {
            case OPENAI -> OpenAiExpert.create(m, env);
            case ANTHROPIC -> AnthropicExpert.create(m, env);
            case GEMINI -> GeminiExpert.create(m, env);
            case AZURE_OPENAI -> AzureOpenAiExpert.create(m, env);
            case OLLAMA -> OllamaExpert.create(m, env);
            case REPLAY, SIMULATED, NONE -> throw new IllegalArgumentException("backend " + m.backend().id()
                    + " is not a live backend");
        };
    }

    /** Whether a backend calls a live, paid endpoint (and so gets retries, breaker, limiter and the cache). */
    static boolean isLive(Backend b) {
        return switch (b) {
            case OPENAI, ANTHROPIC, GEMINI, AZURE_OPENAI, OLLAMA -> true;
            case REPLAY, SIMULATED, NONE -> false;
        };
    }

    /** The expert of a {@code backend: none} model: every call is a typed INVALID_REQUEST failure. */
    public static Expert toolOnly(ModelCard m) {
        ExpertError error = ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "tool-only model " + m.id()
                + ": it has no model backend; only its skills' tools can run");
        return new Expert() {
            @Override
            public ExpertReply call(ExpertRequest request) {
                return ExpertReply.failure(error, 0);
            }

            @Override
            public String toString() {
                return "ToolOnly[" + m.id() + "]";
            }
        };
    }

    /**
     * How experts are wired. Defaults: no cache, process environment, 4 attempts with backoff capped at 20 s, a
     * breaker that opens after 10 consecutive failed requests for 10 s. Those breaker defaults keep an endpoint that
     * fails 30% of its requests usable (10 failures in a row start about once in 240,000 requests there), while a
     * dead endpoint is still cut off after 10 requests. The earlier 5 / 30 s turned such an endpoint into 97% failed
     * calls: each chance run of 5 failures shut it for 30 s.
     */
    public static final class Options {
        private final Optional<Path> cache;
        private final Optional<ReplyStore> cacheStore;
        private final EnvLookup env;
        private final Map<Backend, ExpertFactory> factories;
        private final int retryAttempts;
        private final Duration retryBaseDelay;
        private final Duration retryMaxDelay;
        private final Duration maxRetryAfter;
        private final RetryingExpert.Sleeper sleeper;
        private final int breakerThreshold;
        private final Duration breakerCoolDown;
        private final RecordedOutputs.Mode recordedMode;
        private final CallLog requests;
        private final Deployments deployments;

        private Options(Builder b) {
            this.cache = b.cache;
            this.cacheStore = b.cacheStore;
            this.env = b.env;
            this.factories = Collections.unmodifiableMap(new EnumMap<>(b.factories));
            this.retryAttempts = b.retryAttempts;
            this.retryBaseDelay = b.retryBaseDelay;
            this.retryMaxDelay = b.retryMaxDelay;
            this.maxRetryAfter = b.maxRetryAfter;
            this.sleeper = b.sleeper;
            this.breakerThreshold = b.breakerThreshold;
            this.breakerCoolDown = b.breakerCoolDown;
            this.recordedMode = b.recordedMode;
            this.requests = b.requests.orElseGet(CallLog::create);
            this.deployments = b.deployments.orElseGet(Deployments::create);
        }

        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Optional<Path> cache() { return cache; }
        /** The shared reply store of the record/replay cache, when one is given (it wins over {@link #cache()}). */
        public Optional<ReplyStore> cacheStore() { return cacheStore; }
        public int retryAttempts() { return retryAttempts; }
        public int breakerThreshold() { return breakerThreshold; }
        public Duration breakerCoolDown() { return breakerCoolDown; }
        public RecordedOutputs.Mode recordedMode() { return recordedMode; }
        /** Every HTTP request the live experts of this wiring made, per pair, and how it ended. */
        public CallLog requests() { return requests; }
        /** The breaker state and recent error rate of every live deployment of this wiring. */
        public Deployments deployments() { return deployments; }

        /** Builder for {@link Options}. */
        public static final class Builder {
            private Optional<Path> cache = Optional.empty();
            private Optional<ReplyStore> cacheStore = Optional.empty();
            private EnvLookup env = EnvLookup.system();
            private final Map<Backend, ExpertFactory> factories = new EnumMap<>(Backend.class);
            private int retryAttempts = 4;
            private Duration retryBaseDelay = Duration.ofMillis(500);
            private Duration retryMaxDelay = Duration.ofSeconds(20);
            private Duration maxRetryAfter = Duration.ofSeconds(60);
            private RetryingExpert.Sleeper sleeper = RetryingExpert.Sleeper.system();
            private int breakerThreshold = 10;
            private Duration breakerCoolDown = Duration.ofSeconds(10);
            private RecordedOutputs.Mode recordedMode = RecordedOutputs.Mode.STRICT;
            private Optional<CallLog> requests = Optional.empty();
            private Optional<Deployments> deployments = Optional.empty();

            private Builder() {
            }

            /** SQLite file for the record/replay cache of live experts. */
            public Builder cache(Path file) { this.cache = Optional.of(file); return this; }
            /**
             * A reply store shared by every live expert (e.g. PostgreSQL for several replicas); it wins over
             * {@link #cache(Path)}. The caller owns it: closing the experts leaves it open.
             */
            public Builder cacheStore(ReplyStore store) { this.cacheStore = Optional.of(store); return this; }
            /** Where API keys are read from (by the variable named in api-key-env). */
            public Builder env(EnvLookup e) { this.env = e; return this; }
            /** The factory for {@code simulated} models. */
            public Builder simulated(ExpertFactory f) { return backend(Backend.SIMULATED, f); }
            /** Replaces the bare expert of a backend (decorators still wrap live backends). */
            public Builder backend(Backend b, ExpertFactory f) { this.factories.put(b, f); return this; }
            public Builder retryAttempts(int n) {
                if (n < 1) {
                    throw new MaestroException("retryAttempts must be >= 1, got " + n);
                }
                this.retryAttempts = n;
                return this;
            }
            public Builder retryBaseDelay(Duration d) { this.retryBaseDelay = d; return this; }
            public Builder retryMaxDelay(Duration d) { this.retryMaxDelay = d; return this; }
            public Builder maxRetryAfter(Duration d) { this.maxRetryAfter = d; return this; }
            public Builder sleeper(RetryingExpert.Sleeper s) { this.sleeper = s; return this; }
            public Builder breakerThreshold(int n) {
                if (n < 1) {
                    throw new MaestroException("breakerThreshold must be >= 1, got " + n);
                }
                this.breakerThreshold = n;
                return this;
            }
            public Builder breakerCoolDown(Duration d) { this.breakerCoolDown = d; return this; }
            public Builder recordedMode(RecordedOutputs.Mode m) { this.recordedMode = m; return this; }
            /** Where live experts count their HTTP requests (default: a new log, read with {@link Options#requests()}). */
            public Builder requests(CallLog log) { this.requests = Optional.of(log); return this; }
            /** Where live experts report their breakers and request outcomes (default: a new monitor). */
            public Builder deployments(Deployments d) { this.deployments = Optional.of(d); return this; }

            public Options build() {
                return new Options(this);
            }
        }
    }
}
