package dev.maestro.runtime;

import dev.maestro.MaestroException;
import dev.maestro.episode.CallStats;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.episode.Telemetry;
import dev.maestro.episode.TraceSink;
import dev.maestro.eval.JudgeGrader;
import dev.maestro.expert.CachingExpert;
import dev.maestro.expert.CallLog;
import dev.maestro.expert.Deployments;
import dev.maestro.expert.EnvLookup;
import dev.maestro.expert.Expert;
import dev.maestro.expert.Experts;
import dev.maestro.expert.PairHealth;
import dev.maestro.expert.ReplyStore;
import dev.maestro.expert.SimulatedExpert;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.skill.SkillRunner;
import dev.maestro.skill.WorkflowSkillRunner;
import dev.maestro.skill.tool.ProvidedTools;
import dev.maestro.skill.tool.ToolProviders;
import dev.maestro.skill.tool.Tools;
import dev.maestro.task.AnswerGrader;
import dev.maestro.task.Grader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The one place that builds a ready runtime from a registry and options: the experts of every model with their
 * decorators (retries, breaker, concurrency limit and, when a cache file is given, the record/replay cache), the
 * bounded pool that runs the calls of one turn in parallel, the skill runner, the grader and the episode
 * {@link Environment}. Evaluation, training, collection, the server and the {@link Maestro} facade all get their
 * environment here, so they wire experts the same way.
 *
 * <p>Closing the runtime closes the experts (and the cache file), the embedders its {@link #policies() resolver}
 * opened, and stops the pool.
 */
public final class MaestroRuntime implements AutoCloseable {
    private final Registry registry;
    private final Map<String, String> env;
    private final MaestroHome home;
    private final Experts.Options expertOptions;
    private final Map<String, Expert> experts;
    private final SkillRunner skills;
    private final ExecutorService pool;
    private final Environment environment;
    private final List<Expert> extraExperts = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> owned = Collections.synchronizedList(new ArrayList<>());
    private final Optional<Path> cache;
    private final int callThreads;
    private final CallLog calls = CallLog.create();
    private final CallLog requests = CallLog.create();
    private final Deployments deployments = Deployments.create();
    private final Optional<JudgeGrader> judge;
    private final ProvidedTools externalTools;
    private volatile Environment uncached;
    private final Telemetry telemetry;
    /** Whether the caller set the turn (call) limit, so that it wins over a checkpoint's trained one ({@link #limits}). */
    private final boolean turnsSet;
    private final boolean callsSet;

    private MaestroRuntime(Builder b, Registry registry) {
        this.registry = registry;
        this.env = b.env;
        this.home = b.home.orElseGet(() -> MaestroHome.fromEnv(b.env));
        this.cache = b.cache;
        this.telemetry = b.telemetry.orElseGet(() -> Telemetry.fromEnvironment(b.env));
        this.turnsSet = b.episodeSet || b.maxTurns.isPresent();
        this.callsSet = b.episodeSet || b.maxCalls.isPresent();
        Experts.Options.Builder eo = Experts.Options.builder().simulated(SimulatedExpert::create).env(EnvLookup.of(b.env))
                .requests(requests).deployments(deployments);
        b.cache.ifPresent(eo::cache);
        b.cacheStore.ifPresent(eo::cacheStore);
        b.expertOptions.forEach(c -> c.accept(eo));
        this.expertOptions = eo.build();
        this.experts = Experts.forRegistry(registry, expertOptions);
        this.callThreads = b.callThreads.orElse(Math.max(2, Math.min(16, registry.models().size())));
        this.pool = Executors.newFixedThreadPool(callThreads, r -> {
            Thread t = new Thread(r, "maestro-calls");
            t.setDaemon(true);
            return t;
        });
        // Tools of the MCP servers the skills declare: connected once here, reused by every call, closed with the
        // runtime (nothing is opened for a registry that declares none, or when the caller brings its own runner).
        this.externalTools = b.skills.isPresent() ? ProvidedTools.NONE : ToolProviders.open(registry, b.env);
        try {
            // Workflow skills (steps, rule routing, Java implementations); plain prompt skills run exactly as before.
            this.skills = b.skills.orElseGet(() -> WorkflowSkillRunner.builder().registry(registry)
                    .tools(Tools.defaults().plus(externalTools.tools())).build()
                    .validate(registry, externalTools.problems()));
            Grader grader = b.grader.orElseGet(() -> AnswerGrader.builder().defaultTolerance(b.tolerance).build());
            if (b.judge.isPresent()) {
                Judge j = b.judge.get();
                ModelCard jm = registry.model(j.model()).orElseThrow(() -> new MaestroException("judge model '" + j.model()
                        + "' is not a model of registry " + registry.name() + "; valid: " + String.join(", ", registry.modelIds())));
                this.judge = Optional.of(JudgeGrader.create(grader, jm, experts.get(jm.id()), j.rubric(), j.agreement()));
                grader = judge.get();
            } else {
                this.judge = Optional.empty();
            }
            this.environment = Environment.builder(registry, experts, grader).skills(skills).config(b.limits())
                    .pool(pool).trace(b.trace.and(CallStats.sink(calls))).resumeFrom(counted(b.done, calls))
                    .costPrecheck(b.costPrecheck).telemetry(telemetry).build();
        } catch (RuntimeException e) {
            experts.values().forEach(Expert::close);
            pool.shutdownNow();
            externalTools.close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registry the runtime was built from. */
    public Registry registry() { return registry; }

    /** The episode environment: experts, pool, skill runner, grader, episode limits, trace, resume memory. */
    public Environment environment() { return environment; }

    /** The experts by model id (decorated as {@link Experts} wires them; owned by this runtime). */
    public Map<String, Expert> experts() { return experts; }

    /** The skill runner every call goes through. */
    public SkillRunner skills() { return skills; }

    /** The tools of the registry's MCP servers (none when it declares no server), open while the runtime is. */
    public ProvidedTools externalTools() { return externalTools; }

    /** The home folder names resolve against. */
    public MaestroHome home() { return home; }

    /** The environment variables ({@code ${VAR}}, API keys) the runtime was given. */
    public Map<String, String> env() { return env; }

    /** The record/replay cache file, when one is configured. */
    public Optional<Path> cache() { return cache; }

    /** Threads of the call pool (calls of one turn run in parallel on it). */
    public int callThreads() { return callThreads; }

    /** Embedders by name, cached under the home's cache folder. */
    public Embedders embedders() {
        return Embedders.of(home);
    }

    /** Resolves policy specs against this runtime's registry (checkpoints, {@code fixed:}, {@code llm:}, baselines). */
    public PolicyResolver policies() {
        return new PolicyResolver(this);
    }

    /**
     * The environment over another registry, e.g. with models added after training or with one left out. Models the
     * runtime has no expert for yet get one wired exactly like the others (same options, same cache); the runtime
     * owns and closes them.
     */
    public Environment environment(Registry other) {
        Map<String, Expert> extra = new LinkedHashMap<>();
        try {
            for (ModelCard m : other.models()) {
                if (!experts.containsKey(m.id())) {
                    extra.put(m.id(), Experts.forModel(m, expertOptions));
                }
            }
        } catch (RuntimeException e) {
            extra.values().forEach(Expert::close);
            throw e;
        }
        extraExperts.addAll(extra.values());
        return environment.withRegistry(other, extra);
    }

    /**
     * The environment with the record/replay cache bypassed: the same experts, minus the cache in front of them, so a
     * call is neither answered from nor stored in the cache (e.g. a served request with {@code X-Maestro-Cache: off}).
     * Without a cache this is {@link #environment()}.
     */
    public Environment uncached() {
        if (experts.values().stream().noneMatch(e -> e instanceof CachingExpert)) {
            return environment;
        }
        Environment u = uncached;
        if (u == null) {
            Map<String, Expert> direct = new LinkedHashMap<>();
            experts.forEach((id, e) -> {
                if (e instanceof CachingExpert c) {
                    direct.put(id, c.delegate());
                }
            });
            u = environment.withExperts(direct);
            uncached = u;
        }
        return u;
    }

    /** The breaker state and recent error rate of every live deployment (docs/serve.md, {@code /health?deep=1}). */
    public Deployments deployments() { return deployments; }

    /** The environment with other episode limits (same experts, pool and trace). */
    public Environment environment(EpisodeConfig config) {
        return environment.withConfig(config);
    }

    /**
     * The limits {@code policy} runs under by default. A policy loaded from a checkpoint runs under the turn and call
     * limits it was trained and validated with ({@link LearnedPolicy#trainedLimits}): its inputs include the share of
     * calls left, so other limits would feed it inputs validation never saw. A limit the caller set wins
     * ({@link Builder#episode}, {@link Builder#maxTurns}, {@link Builder#maxCalls}); any other policy, and the cost
     * limit, are as the runtime was built.
     */
    public EpisodeConfig limits(Policy policy) {
        EpisodeConfig c = environment.config();
        if (!(policy instanceof LearnedPolicy lp)) {
            return c;
        }
        EpisodeConfig trained = lp.trainedLimits(c);
        return trained.withMaxTurns(turnsSet ? c.maxTurns() : trained.maxTurns())
                .withMaxCalls(callsSet ? c.maxCalls() : trained.maxCalls());
    }

    /** The environment under the limits {@code policy} runs under by default ({@link #limits}). */
    public Environment environment(Policy policy) {
        EpisodeConfig c = limits(policy);
        return c.equals(environment.config()) ? environment : environment.withConfig(c);
    }

    /** Every call the episodes of this runtime made so far, per pair (one per observation). */
    public CallLog calls() { return calls; }

    /** Every HTTP request its live experts made so far, per pair (retries included, cache hits not). */
    public CallLog requests() { return requests; }

    /** Where the spans of episodes, turns and calls go ({@link Telemetry#NONE} unless tracing is configured). */
    public Telemetry telemetry() { return telemetry; }

    /** The LLM judge grading tasks without gold, when one is configured ({@link Builder#judge}). */
    public Optional<JudgeGrader> judge() { return judge; }

    /** The health of every pair called so far: error rates, and whether a pair is unusable (see {@link PairHealth}). */
    public List<PairHealth> health() {
        return PairHealth.assessAll(calls.counts(), requests.counts());
    }

    /** Episodes taken from an interrupted run's trace count their calls too, so a resumed report is the same. */
    private static Environment.EpisodeMemory counted(Environment.EpisodeMemory done, CallLog calls) {
        if (done == Environment.EpisodeMemory.NONE) {
            return done;
        }
        return (policy, taskId, seed) -> {
            Optional<EpisodeResult> r = done.find(policy, taskId, seed);
            r.ifPresent(e -> CallStats.record(calls, e));
            return r;
        };
    }

    /** An LLM-as-judge grader: a registry model and a rubric. */
    private record Judge(String model, String rubric, boolean agreement) {
    }

    /** Cache hits and backend calls of the record/replay cache since the runtime was built (zero without a cache). */
    public CacheStats cacheStats() {
        long hits = 0;
        long misses = 0;
        List<Expert> all = new ArrayList<>(experts.values());
        synchronized (extraExperts) {
            all.addAll(extraExperts);
        }
        for (Expert e : all) {
            if (e instanceof CachingExpert c) {
                hits += c.hits();
                misses += c.misses();
            }
        }
        return new CacheStats(hits, misses);
    }

    /** Calls answered from the record/replay cache, and calls that went to the backend. */
    public record CacheStats(long hits, long misses) {
    }

    /** Closed with the runtime (embedders a resolver opened). */
    void own(AutoCloseable c) {
        owned.add(c);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        environment.close();
        externalTools.close();
        telemetry.flush();
        synchronized (extraExperts) {
            extraExperts.forEach(Expert::close);
        }
        synchronized (owned) {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing is best effort; the runtime's own resources are already released
                }
            }
        }
    }

    @Override
    public String toString() {
        return "MaestroRuntime[" + registry + cache.map(c -> ", cache " + c).orElse("") + "]";
    }

    /**
     * Options of a runtime; only the registry is required. Defaults: the process environment, no cache, the default
     * episode limits, the answer grader with exact numeric matching, no trace, no resume memory, a call pool of
     * {@code max(2, min(16, models))} threads, simulated models served by the simulated backend.
     */
    public static final class Builder {
        private Optional<Registry> registry = Optional.empty();
        private Optional<Path> registryDir = Optional.empty();
        private Optional<String> registryName = Optional.empty();
        private Map<String, String> env = System.getenv();
        private Optional<MaestroHome> home = Optional.empty();
        private Optional<Path> cache = Optional.empty();
        private Optional<ReplyStore> cacheStore = Optional.empty();
        private EpisodeConfig episode = EpisodeConfig.DEFAULT;
        private boolean episodeSet;
        private Optional<Integer> maxTurns = Optional.empty();
        private Optional<Integer> maxCalls = Optional.empty();
        private Optional<Double> maxCost = Optional.empty();
        private Optional<Grader> grader = Optional.empty();
        private Optional<Judge> judge = Optional.empty();
        private double tolerance;
        private TraceSink trace = TraceSink.NONE;
        private Environment.EpisodeMemory done = Environment.EpisodeMemory.NONE;
        private Optional<Integer> callThreads = Optional.empty();
        private Optional<SkillRunner> skills = Optional.empty();
        private boolean costPrecheck;
        private Optional<Telemetry> telemetry = Optional.empty();
        private final List<Consumer<Experts.Options.Builder>> expertOptions = new ArrayList<>();

        private Builder() {
        }

        /** A registry folder (models.yaml + skills/). */
        public Builder registry(Path folder) {
            clearRegistry();
            this.registryDir = Optional.of(folder);
            return this;
        }

        /** A registry by folder or name (a shipped name, registries/NAME, data/NAME/registry, or a models.yaml {@code name:}). */
        public Builder registry(String nameOrFolder) {
            clearRegistry();
            this.registryName = Optional.of(nameOrFolder);
            return this;
        }

        /** A registry already loaded (or built in code). */
        public Builder registry(Registry r) {
            clearRegistry();
            this.registry = Optional.of(r);
            return this;
        }

        private void clearRegistry() {
            registry = Optional.empty();
            registryDir = Optional.empty();
            registryName = Optional.empty();
        }

        /** Environment variables for {@code ${VAR}} in models.yaml, API keys and {@code MAESTRO_HOME} (default: the process's). */
        public Builder env(Map<String, String> v) { this.env = Map.copyOf(v); return this; }
        /** Where names and caches resolve (default: {@code $MAESTRO_HOME}, else the current folder). */
        public Builder home(Path dir) { this.home = Optional.of(MaestroHome.at(dir)); return this; }
        /** SQLite record/replay cache for live ({@code openai}) experts: an identical call is never made twice. */
        public Builder cache(Path file) { this.cache = Optional.of(file); return this; }
        /**
         * A record/replay cache store shared beyond this runtime, e.g. {@code SqlReplyStore.in(database)} on PostgreSQL so
         * that several servers share one cache; it wins over {@link #cache(Path)}. The caller owns and closes it.
         */
        public Builder cacheStore(ReplyStore store) { this.cacheStore = Optional.of(store); return this; }
        /** Optional form of {@link #cache(Path)}. */
        public Builder cache(Optional<Path> file) { this.cache = Objects.requireNonNull(file); return this; }
        /**
         * Episode limits and reward weights. Its turn and call limits are the caller's: they also hold for a checkpoint
         * trained with others ({@link MaestroRuntime#limits}); to set one limit alone, use {@link #maxTurns},
         * {@link #maxCalls} or {@link #maxCost}.
         */
        public Builder episode(EpisodeConfig v) { this.episode = Objects.requireNonNull(v); this.episodeSet = true; return this; }
        /** Turns per episode; wins over a checkpoint's trained limit and over {@link #episode}. */
        public Builder maxTurns(int v) { this.maxTurns = Optional.of(v); return this; }
        /** Expert calls per episode; wins over a checkpoint's trained limit and over {@link #episode}. */
        public Builder maxCalls(int v) { this.maxCalls = Optional.of(v); return this; }
        /** Dollars per episode (checkpoints record no cost limit); wins over {@link #episode}. */
        public Builder maxCost(double v) { this.maxCost = Optional.of(v); return this; }

        /** {@link #episode} with the limits set one by one. */
        private EpisodeConfig limits() {
            EpisodeConfig c = episode;
            c = maxTurns.isPresent() ? c.withMaxTurns(maxTurns.get()) : c;
            c = maxCalls.isPresent() ? c.withMaxCalls(maxCalls.get()) : c;
            return maxCost.isPresent() ? c.withMaxCost(maxCost.get()) : c;
        }
        /** The grader (default: {@link AnswerGrader} with {@link #tolerance}). */
        public Builder grader(Grader v) { this.grader = Optional.of(v); return this; }
        /**
         * Grades tasks without gold with an LLM judge: {@code model} (a model of the registry, called through its
         * expert and cache) applies {@code rubric}; with {@code agreement}, tasks with gold are judged too, to report
         * how often the judge agrees with the gold.
         */
        public Builder judge(String model, String rubric, boolean agreement) {
            this.judge = Optional.of(new Judge(model, rubric, agreement));
            return this;
        }
        /** Relative tolerance of numeric answers for the default grader (default 0: exact). */
        public Builder tolerance(double v) {
            if (!(v >= 0)) {
                throw new MaestroException("grading tolerance must be a number >= 0, got " + v);
            }
            this.tolerance = v;
            return this;
        }
        /** Receives every finished episode. */
        public Builder trace(TraceSink v) { this.trace = Objects.requireNonNull(v); return this; }
        /** Episodes an interrupted run already finished; they are returned as recorded, not rerun. */
        public Builder resumeFrom(Environment.EpisodeMemory v) { this.done = Objects.requireNonNull(v); return this; }
        /** Threads of the pool running one turn's calls in parallel. */
        public Builder callThreads(int n) {
            if (n < 1 || n > 1024) {
                throw new MaestroException("call threads must be 1..1024, got " + n);
            }
            this.callThreads = Optional.of(n);
            return this;
        }
        /**
         * Refuse a call whose estimated cost exceeds what is left of the episode's budget before making it
         * ({@link Environment.Builder#costPrecheck}); default off. The server turns it on.
         */
        public Builder costPrecheck(boolean v) { this.costPrecheck = v; return this; }
        /**
         * Spans of episodes, turns and expert calls. Default: {@link Telemetry#fromEnvironment} of the runtime's
         * environment (OpenTelemetry over OTLP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set and maestro-otel is
         * on the class path, else nothing).
         */
        public Builder telemetry(Telemetry v) { this.telemetry = Optional.of(v); return this; }
        /** Replaces the default skill runner (workflow skills with the default tools). */
        public Builder skills(SkillRunner v) { this.skills = Optional.of(v); return this; }
        /** Adjusts how experts are wired (retries, breaker, backend factories …); applied after the defaults. */
        public Builder experts(Consumer<Experts.Options.Builder> v) { this.expertOptions.add(Objects.requireNonNull(v)); return this; }

        public MaestroRuntime build() {
            MaestroHome h = home.orElseGet(() -> MaestroHome.fromEnv(env));
            Registry r;
            if (registry.isPresent()) {
                r = registry.get();
            } else {
                Path dir = registryDir.or(() -> registryName.map(h::registry)).orElseThrow(() -> new MaestroException(
                        "no registry: give one by folder, by name (e.g. " + String.join(", ", MaestroHome.registryNames().keySet())
                                + ") or as a Registry"));
                if (!Files.isDirectory(dir)) {
                    throw new MaestroException("no registry folder at " + dir + " (a registry folder holds models.yaml and skills/)");
                }
                r = RegistryLoader.builder().env(env).build().load(dir);
            }
            this.home = Optional.of(h);
            return new MaestroRuntime(this, r);
        }
    }
}
