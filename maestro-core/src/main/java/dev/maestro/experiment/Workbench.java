package dev.maestro.experiment;

import dev.maestro.MaestroException;
import dev.maestro.episode.CallStats;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Environment;
import dev.maestro.episode.TraceSink;
import dev.maestro.expert.CallLog;
import dev.maestro.expert.EnvLookup;
import dev.maestro.expert.Expert;
import dev.maestro.expert.Experts;
import dev.maestro.expert.PairHealth;
import dev.maestro.expert.SimulatedExpert;
import dev.maestro.eval.JudgeGrader;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.skill.WorkflowSkillRunner;
import dev.maestro.task.AnswerGrader;
import dev.maestro.task.Grader;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Everything an evaluation or a training run needs, loaded from files: the registry, the tasks, the
 * split, the experts wired with their decorators, the grader and the episode environment.
 */
public final class Workbench implements AutoCloseable {
    private final String name;
    private final Registry registry;
    private final List<Task> tasks;
    private final Split split;
    private final Environment env;
    private final Optional<Suite> suite;
    private final ExecutorService pool;
    private final CallLog calls;
    private final CallLog requests;
    private final Optional<JudgeGrader> judge;

    private Workbench(String name, Registry registry, List<Task> tasks, Split split, Environment env, Optional<Suite> suite,
                      ExecutorService pool, CallLog calls, CallLog requests, Optional<JudgeGrader> judge) {
        this.name = name;
        this.registry = registry;
        this.tasks = tasks;
        this.split = split;
        this.env = env;
        this.suite = suite;
        this.pool = pool;
        this.calls = calls;
        this.requests = requests;
        this.judge = judge;
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
        Experts.Options.Builder eo = Experts.Options.builder().simulated(SimulatedExpert::create)
                .env(EnvLookup.of(options.env()));
        options.cache().ifPresent(eo::cache);
        CallLog requests = CallLog.create();
        CallLog calls = CallLog.create();
        eo.requests(requests);
        Map<String, Expert> experts = Experts.forRegistry(registry, eo.build());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Math.min(16, registry.models().size())), r -> {
            Thread t = new Thread(r, "maestro-calls");
            t.setDaemon(true);
            return t;
        });
        // Workflow skills (steps, rule routing, Java implementations); plain prompt skills run exactly as before.
        WorkflowSkillRunner runner = WorkflowSkillRunner.forRegistry(registry).validate(registry);
        Grader grader = AnswerGrader.builder().defaultTolerance(tolerance).build();
        Optional<JudgeGrader> judge = Optional.empty();
        if (judgeSpec.isPresent()) {
            ModelCard jm = registry.model(judgeSpec.get().model()).orElseThrow();
            judge = Optional.of(JudgeGrader.create(grader, jm, experts.get(jm.id()), judgeSpec.get().rubric(),
                    judgeSpec.get().agreement()));
            grader = judge.get();
        }
        Environment env = Environment.builder(registry, experts, grader)
                .skills(runner).config(options.episode()).pool(pool).trace(options.trace().and(CallStats.sink(calls)))
                .resumeFrom(counted(options.done(), calls)).build();
        return new Workbench(name, registry, tasks, split, env, suite, pool, calls, requests, judge);
    }

    /** Episodes taken from an interrupted run's trace count their calls too, so a resumed report is the same. */
    private static Environment.EpisodeMemory counted(Environment.EpisodeMemory done, CallLog calls) {
        if (done == Environment.EpisodeMemory.NONE) {
            return done;
        }
        return (policy, taskId, seed) -> {
            Optional<dev.maestro.episode.EpisodeResult> r = done.find(policy, taskId, seed);
            r.ifPresent(e -> CallStats.record(calls, e));
            return r;
        };
    }

    public String name() { return name; }
    public Registry registry() { return registry; }
    public List<Task> tasks() { return tasks; }
    public Split split() { return split; }
    public Environment env() { return env; }
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
    public CallLog calls() { return calls; }

    /** Every HTTP request its live experts made so far, per pair (retries included, cache hits not). */
    public CallLog requests() { return requests; }

    /** The suite's LLM judge, when it has one (its calls and cost: {@link JudgeGrader#summary()}). */
    public Optional<JudgeGrader> judge() { return judge; }

    /** The health of every pair called so far (see {@link PairHealth}). */
    public List<PairHealth> health() {
        return PairHealth.assessAll(calls.counts(), requests.counts());
    }

    public boolean simulated() {
        return registry.simulated();
    }

    @Override
    public void close() {
        env.close();
        pool.shutdownNow();
    }
}
