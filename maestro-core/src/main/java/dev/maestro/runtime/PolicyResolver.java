package dev.maestro.runtime;

import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.episode.Policy;
import dev.maestro.eval.Baselines;
import dev.maestro.expert.EnvLookup;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.LlmPolicy;
import dev.maestro.policy.MajorityVotePolicy;
import dev.maestro.policy.RandomPairPolicy;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a policy spec into a policy for a runtime's registry:
 * <ul>
 *   <li>{@code fixed:MODEL@@SKILL}: the pair must be in the registry;</li>
 *   <li>a checkpoint file: loaded with the embedder it names ({@link Embedders}; names round-trip);</li>
 *   <li>{@code llm:MODEL@BASE_URL}: the paper's LLM orchestrator; its key, if the endpoint needs one, comes from
 *       {@value #LLM_KEY_VARIABLE};</li>
 *   <li>{@code best-single}, {@code random}, {@code keyword-router}, {@code majority-vote},
 *       {@code most-expensive-expert}: fitted on the training tasks given with {@link #training} (every pair is
 *       called once per training task, through the runtime's experts and cache). The upper bounds and the
 *       group router need the evaluated tasks' outcomes or group labels; they exist only in evaluation reports.</li>
 * </ul>
 */
public final class PolicyResolver {
    /** The environment variable holding the key of an {@code llm:} policy's endpoint. */
    public static final String LLM_KEY_VARIABLE = "MAESTRO_LLM_API_KEY";
    /** Baselines a resolver can build as policies (after fitting on training tasks). */
    public static final List<String> FITTED = List.of("best-single", "random", "keyword-router", "majority-vote",
            "most-expensive-expert");

    private final MaestroRuntime runtime;
    private final Optional<List<Task>> training;
    private final Map<String, List<String>> keywords;
    private final long seed;
    private final int threads;
    private final Progress progress;

    PolicyResolver(MaestroRuntime runtime) {
        this(runtime, Optional.empty(), Map.of(), 7, Math.max(1, Runtime.getRuntime().availableProcessors()), Progress.NONE);
    }

    private PolicyResolver(MaestroRuntime runtime, Optional<List<Task>> training, Map<String, List<String>> keywords,
                           long seed, int threads, Progress progress) {
        this.runtime = runtime;
        this.training = training;
        this.keywords = keywords;
        this.seed = seed;
        this.threads = threads;
        this.progress = progress;
    }

    /** The training tasks (and keyword-router rules) baselines are fitted on; never the evaluated tasks. */
    public PolicyResolver training(List<Task> tasks, Map<String, List<String>> routerKeywords) {
        return new PolicyResolver(runtime, Optional.of(List.copyOf(tasks)), Map.copyOf(routerKeywords), seed, threads, progress);
    }

    /** Seed, worker threads and progress of fitting baselines. */
    public PolicyResolver fitting(long s, int n, Progress p) {
        return new PolicyResolver(runtime, training, keywords, s, Math.max(1, n), p);
    }

    public Policy resolve(String spec) {
        return resolve(PolicySpec.parse(spec));
    }

    public Policy resolve(PolicySpec spec) {
        if (spec instanceof PolicySpec.Fixed f) {
            Pair p = pair(f);
            return new FixedPairPolicy(p, "fixed:" + p.id());
        }
        if (spec instanceof PolicySpec.Checkpoint c) {
            return checkpoint(c.file());
        }
        if (spec instanceof PolicySpec.Llm l) {
            return llm(l);
        }
        return baseline((PolicySpec.Baseline) spec);
    }

    /** The pair of a {@code fixed:} spec, checked against the registry. */
    public Pair pair(PolicySpec.Fixed f) {
        Registry reg = runtime.registry();
        if (!reg.hasPair(f.pair())) {
            throw new MaestroException("--policy " + f.text() + ": pair not in registry " + reg.name() + "; pairs: "
                    + String.join(", ", reg.pairs().stream().limit(12).map(Pair::id).toList()) + (reg.pairs().size() > 12 ? ", ..." : ""));
        }
        return f.pair();
    }

    /** A checkpoint written by {@code maestro train}, with the embedder it was trained with. */
    public LearnedPolicy checkpoint(Path file) {
        Embedders embedders = runtime.embedders();
        return LearnedPolicies.load(file, name -> {
            CachingEmbedder e = embedders.open(name);
            runtime.own(e);
            return e;
        });
    }

    /** {@code llm:MODEL@BASE_URL}. */
    public LlmPolicy llm(PolicySpec.Llm spec) {
        LlmPolicy.Builder b = LlmPolicy.builder(spec.baseUrl(), spec.model()).env(EnvLookup.of(runtime.env()));
        String key = runtime.env().get(LLM_KEY_VARIABLE);
        if (key != null && !key.isBlank()) {
            b.apiKeyEnv(LLM_KEY_VARIABLE);
        }
        return b.build();
    }

    private Policy baseline(PolicySpec.Baseline b) {
        if (!FITTED.contains(b.name())) {
            throw new MaestroException("--policy " + b.text() + ": " + (b.all() ? "'baselines' is a set of systems for an evaluation report"
                    : "'" + b.name() + "' needs the evaluated tasks' outcomes or group labels") + "; it exists only in `maestro eval`. "
                    + "Policies that can answer new questions: " + String.join(", ", FITTED)
                    + " (fitted on training tasks), fixed:MODEL@@SKILL, llm:MODEL@BASE_URL, or a checkpoint file");
        }
        List<Task> train = training.orElseThrow(() -> new MaestroException("--policy " + b.text()
                + " is fitted on training tasks, and none were given: pass them (serve: --suite NAME or --tasks FILE; "
                + "library: Maestro.builder().trainingTasks(...))"));
        if (train.isEmpty()) {
            throw new MaestroException("--policy " + b.text() + ": the training tasks are empty; nothing to fit on");
        }
        Baselines.Fitted f = Baselines.fit(runtime.environment(), train, keywords, seed, threads, progress);
        return switch (b.name()) {
            case "best-single" -> new FixedPairPolicy(f.bestSingle(), "best-single");
            case "random" -> new RandomPairPolicy();
            case "keyword-router" -> f.router();
            case "majority-vote" -> new MajorityVotePolicy(f.voters());
            default -> new FixedPairPolicy(mostExpensive(f).orElseThrow(() -> new MaestroException("--policy "
                    + b.text() + ": every model of registry " + runtime.registry().name() + " is free; no most expensive one")),
                    "most-expensive-expert");
        };
    }

    /** The highest-priced model with the skill that did best for it on the training tasks (as in eval's baseline). */
    private Optional<Pair> mostExpensive(Baselines.Fitted f) {
        return runtime.registry().models().stream()
                .filter(m -> m.price().inputPerMillion() + m.price().outputPerMillion() > 0)
                .max(Comparator.comparingDouble(m -> m.price().inputPerMillion() + m.price().outputPerMillion()))
                .flatMap(m -> f.train().ranked().stream().filter(p -> p.model().equals(m.id())).findFirst());
    }
}
