package dev.maestro.runtime;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.episode.Step;
import dev.maestro.episode.Telemetry;
import dev.maestro.episode.TraceSink;
import dev.maestro.registry.Registry;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maestro as a library: a registry and a policy, then questions in and answers out. No gold and no grader are
 * needed. Thread-safe: concurrent {@link #answer} calls share the experts and the call pool.
 *
 * <pre>{@code
 * try (Maestro maestro = Maestro.builder().registry(Path.of("my-registry")).policy("runs/x/policy.ckpt").build()) {
 *     Answer a = maestro.answer("What is 17 * 23?");
 * }
 * }</pre>
 *
 * <p>The policy is any spec {@link PolicyResolver} accepts: a checkpoint file, {@code fixed:MODEL@@SKILL},
 * {@code llm:MODEL@BASE_URL}, or a baseline fitted on {@link Builder#trainingTasks training tasks}. A checkpoint
 * answers under the turn and call limits it was trained with unless the builder sets them ({@link #limits}).
 */
public final class Maestro implements AutoCloseable {
    private final MaestroRuntime runtime;
    private final Policy policy;
    /** The runtime's environment under the limits this policy runs under ({@link MaestroRuntime#limits}). */
    private final Environment environment;
    private final AtomicLong seeds;
    private final AtomicLong ids = new AtomicLong();

    private Maestro(MaestroRuntime runtime, Policy policy, long seed) {
        this.runtime = runtime;
        this.policy = policy;
        this.environment = runtime.environment(policy);
        this.seeds = new AtomicLong(seed);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Answers a text question. */
    public Answer answer(String question) {
        return answer(question, List.of());
    }

    /** Answers a question about images (files; only models declaring the image modality are called). */
    public Answer answer(String question, List<Path> images) {
        Objects.requireNonNull(question, "question");
        if (question.isBlank()) {
            throw new MaestroException("the question is blank; ask something");
        }
        List<Path> files = new ArrayList<>();
        for (Path p : images) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new MaestroException("image " + p + " is not a readable file; give paths of image files (PNG, JPEG, …)");
            }
            files.add(p.toAbsolutePath().normalize());
        }
        Task task = new Task("ask-" + ids.incrementAndGet(), "library", question, List.of(), List.of(), AnswerType.UNKNOWN,
                "library", files, Map.of(), Map.of(), Map.of());
        return answer(task);
    }

    /**
     * Answers a task as it is: its id is what a replay registry looks recorded outputs up by (so a shipped suite's
     * tasks replay offline), and its answer type and options shape the experts' prompts as in an evaluation.
     */
    public Answer answer(Task task) {
        Objects.requireNonNull(task, "task");
        EpisodeResult r = environment.run(task, policy, seeds.getAndIncrement());
        List<String> errors = new ArrayList<>();
        for (Step s : r.steps()) {
            if (!s.error().isEmpty()) {
                errors.add("turn " + s.turn() + ": " + s.error());
            }
            s.observations().forEach(o -> o.error().ifPresent(e -> errors.add(o.call().model() + "@@" + o.call().skill() + ": " + e)));
        }
        if (r.answer().isEmpty()) {
            errors.add("no answer within " + environment.config().maxTurns() + " turns");
        }
        return new Answer(r.answer().orElse(""), r.answer().isPresent(), r.calls(), r.costUsd(), r.latencyMs(), r.steps(),
                errors, r.policy());
    }

    /** The registry the answers come from. */
    public Registry registry() {
        return runtime.registry();
    }

    /** The policy that decides the calls. */
    public Policy policy() {
        return policy;
    }

    /**
     * The limits each question runs under: those of the builder, except that a checkpoint keeps the turn and call
     * limits it was trained and validated with where the builder set none ({@link MaestroRuntime#limits}).
     */
    public EpisodeConfig limits() {
        return environment.config();
    }

    /** The runtime underneath (experts, pool, environment), for what the facade does not cover. */
    public MaestroRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        runtime.close();
    }

    /** Options of {@link Maestro}; a registry and a policy are required, the rest is as {@link MaestroRuntime.Builder}. */
    public static final class Builder {
        private final MaestroRuntime.Builder runtime = MaestroRuntime.builder();
        private boolean hasRegistry;
        private Optional<String> policySpec = Optional.empty();
        private Optional<Policy> policy = Optional.empty();
        private Optional<List<Task>> training = Optional.empty();
        private Optional<Path> trainingFile = Optional.empty();
        private Map<String, List<String>> keywords = Map.of();
        private long seed = 7;

        private Builder() {
        }

        /** A registry folder (models.yaml + skills/). */
        public Builder registry(Path folder) { runtime.registry(folder); hasRegistry = true; return this; }
        /** A registry by folder or name (e.g. {@code paper-simulated}). */
        public Builder registry(String nameOrFolder) { runtime.registry(nameOrFolder); hasRegistry = true; return this; }
        /** A registry built in code. */
        public Builder registry(Registry r) { runtime.registry(r); hasRegistry = true; return this; }
        /** The policy by spec: a checkpoint file, fixed:MODEL@@SKILL, llm:MODEL@BASE_URL or a baseline name. */
        public Builder policy(String spec) { this.policySpec = Optional.of(spec); this.policy = Optional.empty(); return this; }
        /** A policy object (must be thread-safe). */
        public Builder policy(Policy p) { this.policy = Optional.of(p); this.policySpec = Optional.empty(); return this; }
        /** Training tasks for baseline policies (best-single, majority-vote, …): a tasks JSONL file. */
        public Builder trainingTasks(Path tasksFile) { this.trainingFile = Optional.of(tasksFile); this.training = Optional.empty(); return this; }
        /** Training tasks for baseline policies. */
        public Builder trainingTasks(List<Task> tasks) { this.training = Optional.of(List.copyOf(tasks)); this.trainingFile = Optional.empty(); return this; }
        /** Keyword rules of the keyword-router baseline (label → keywords). */
        public Builder routerKeywords(Map<String, List<String>> k) { this.keywords = Map.copyOf(k); return this; }
        /** Environment variables for {@code ${VAR}} in models.yaml and API keys (default: the process's). */
        public Builder env(Map<String, String> env) { runtime.env(env); return this; }
        /** Where names and the embedding cache resolve (default: {@code $MAESTRO_HOME}, else the current folder). */
        public Builder home(Path dir) { runtime.home(dir); return this; }
        /** SQLite record/replay cache for live experts. */
        public Builder cache(Path file) { runtime.cache(file); return this; }
        /** Per-question limits (turns, calls, dollars), all set: a checkpoint runs under these too, not its trained ones. */
        public Builder episode(EpisodeConfig c) { runtime.episode(c); return this; }
        /** Turns per question (default: a checkpoint's trained limit, else 4). */
        public Builder maxTurns(int n) { runtime.maxTurns(n); return this; }
        /** Expert calls per question (default: a checkpoint's trained limit, else 8). */
        public Builder maxCalls(int n) { runtime.maxCalls(n); return this; }
        /** Dollars per question (default: $1). */
        public Builder maxCost(double usd) { runtime.maxCost(usd); return this; }
        /** Receives every answered episode (e.g. to log it). */
        public Builder trace(TraceSink t) { runtime.trace(t); return this; }
        /** Spans of episodes, turns and expert calls (default: from the environment, see {@link MaestroRuntime.Builder#telemetry}). */
        public Builder telemetry(Telemetry t) { runtime.telemetry(t); return this; }
        /** Threads of the call pool. */
        public Builder callThreads(int n) { runtime.callThreads(n); return this; }
        /** First seed of the answers' random streams (each answer takes the next). */
        public Builder seed(long s) { this.seed = s; return this; }

        public Maestro build() {
            if (!hasRegistry) {
                throw new MaestroException("Maestro.builder(): no registry; call .registry(Path.of(\"my-registry\")) (a folder with models.yaml and skills/)");
            }
            if (policySpec.isEmpty() && policy.isEmpty()) {
                throw new MaestroException("Maestro.builder(): no policy; call .policy(\"runs/x/policy.ckpt\"), "
                        + ".policy(\"fixed:MODEL@@SKILL\") or another spec: " + PolicySpec.valid());
            }
            MaestroRuntime rt = runtime.build();
            try {
                Policy p = policy.isPresent() ? policy.get() : resolver(rt).resolve(policySpec.get());
                return new Maestro(rt, p, seed);
            } catch (RuntimeException e) {
                rt.close();
                throw e;
            }
        }

        private PolicyResolver resolver(MaestroRuntime rt) {
            PolicyResolver r = rt.policies();
            Optional<List<Task>> tasks = training.or(() -> trainingFile.map(TaskReader::read));
            return tasks.isPresent() ? r.training(tasks.get(), keywords) : r;
        }
    }
}
