package dev.maestro.experiment;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Environment;
import dev.maestro.episode.TraceSink;
import dev.maestro.eval.JudgeGrader;
import dev.maestro.expert.CallLog;
import dev.maestro.expert.PairHealth;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything an evaluation or a training run needs, loaded from files: the tasks and their split, and the
 * {@link MaestroRuntime} built from the registry (experts with their decorators, cache, call pool, grader and the
 * episode environment).
 */
public final class Workbench implements AutoCloseable {
    private final String name;
    private final MaestroRuntime runtime;
    private final List<Task> tasks;
    private final Split split;
    private final Optional<Suite> suite;

    private Workbench(String name, MaestroRuntime runtime, List<Task> tasks, Split split, Optional<Suite> suite) {
        this.name = name;
        this.runtime = runtime;
        this.tasks = tasks;
        this.split = split;
        this.suite = suite;
    }

    /**
     * Options shared by the commands that open a workbench.
     *
     * @param env the environment variables for {@code ${VAR}} in models.yaml and for {@code api-key-env}
     *            (default: the process environment); a seam so a caller (or an in-process test) can supply keys
     *            without touching the process environment
     * @param done episodes an interrupted run already finished ({@code eval --resume})
     */
    public record Options(Optional<Path> cache, EpisodeConfig episode, TraceSink trace, Map<String, String> env,
                          Environment.EpisodeMemory done) {
        public Options {
            env = Map.copyOf(env);
        }

        public static Options defaults() {
            return new Options(Optional.empty(), EpisodeConfig.DEFAULT, TraceSink.NONE, System.getenv(),
                    Environment.EpisodeMemory.NONE);
        }

        public Options withCache(Path p) { return new Options(Optional.of(p), episode, trace, env, done); }
        public Options withEpisode(EpisodeConfig c) { return new Options(cache, c, trace, env, done); }
        public Options withTrace(TraceSink t) { return new Options(cache, episode, t, env, done); }
        public Options withEnv(Map<String, String> e) { return new Options(cache, episode, trace, e, done); }
        /** Episodes an interrupted run already finished; they are returned as recorded, not rerun. */
        public Options withResume(Environment.EpisodeMemory d) { return new Options(cache, episode, trace, env, d); }
    }

    public static Workbench open(Suite suite, Options options) {
        return open(suite.name(), suite.registry(), suite.tasks(), Split.of(suite.splitSalt(), suite.testFraction(),
                suite.validationFraction()), suite.relativeTolerance(), Optional.of(suite), options);
    }

    public static Workbench open(String name, Path registryDir, Path tasksFile, Split split, double tolerance,
                                 Optional<Suite> suite, Options options) {
        if (!Files.isDirectory(registryDir)) {
            throw new MaestroException("no registry folder at " + registryDir + " (a registry folder holds models.yaml and skills/)");
        }
        // Registry first: a broken registry is reported before a (possibly large) task file is read.
        Registry registry = RegistryLoader.builder().env(options.env()).build().load(registryDir);
        List<Task> tasks = TaskReader.read(tasksFile);
        if (suite.isPresent()) {
            tasks = tasks.stream().filter(suite.get().filter()::test).toList();
            if (tasks.isEmpty()) {
                throw new MaestroException("suite '" + name + "': no task of " + tasksFile + " passes its filter "
                        + suite.get().filter());
            }
        }
        Optional<Suite.Judge> judgeSpec = suite.flatMap(Suite::judge);
        if (judgeSpec.isPresent() && registry.model(judgeSpec.get().model()).isEmpty()) {
            throw new MaestroException("suite '" + name + "': judge.model '" + judgeSpec.get().model() + "' is not a "
                    + "model of registry " + registry.name() + "; valid: " + String.join(", ", registry.modelIds()));
        }
        MaestroRuntime.Builder rb = MaestroRuntime.builder().registry(registry).env(options.env()).cache(options.cache())
                .tolerance(tolerance).episode(options.episode()).trace(options.trace()).resumeFrom(options.done());
        judgeSpec.ifPresent(j -> rb.judge(j.model(), j.rubric(), j.agreement()));
        MaestroRuntime runtime = rb.build();
        return new Workbench(name, runtime, tasks, split, suite);
    }

    public String name() { return name; }
    public Registry registry() { return runtime.registry(); }
    /** The runtime the environment comes from (experts, cache, pool); closed with the workbench. */
    public MaestroRuntime runtime() { return runtime; }
    public List<Task> tasks() { return tasks; }
    public Split split() { return split; }
    public Environment env() { return runtime.environment(); }
    public Optional<Suite> suite() { return suite; }

    public Map<String, List<String>> keywords() {
        return suite.map(Suite::keywords).orElse(Map.of());
    }

    public List<Task> part(Split.Part part) {
        return split.filter(tasks, part);
    }

    /** The whole training split: training tasks plus the validation tasks carved from it. */
    public List<Task> trainAll() {
        return tasks.stream().filter(t -> split.assign(t) != Split.Part.TEST).toList();
    }

    /** Every call the episodes of this workbench made so far (fitting, training, evaluation), per pair. */
    public CallLog calls() { return runtime.calls(); }

    /** Every HTTP request its live experts made so far, per pair (retries included, cache hits not). */
    public CallLog requests() { return runtime.requests(); }

    /** The suite's LLM judge, when it has one (its calls and cost: {@link JudgeGrader#summary()}). */
    public Optional<JudgeGrader> judge() { return runtime.judge(); }

    /** The health of every pair called so far (see {@link PairHealth}). */
    public List<PairHealth> health() {
        return runtime.health();
    }

    public boolean simulated() {
        return runtime.registry().simulated();
    }

    @Override
    public void close() {
        runtime.close();
    }
}
