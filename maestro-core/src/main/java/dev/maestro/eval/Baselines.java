package dev.maestro.eval;

import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.KeywordRouterPolicy;
import dev.maestro.policy.MajorityVotePolicy;
import dev.maestro.policy.RandomPairPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Fits the baselines on the training split and scores them on the evaluation split. Everything that
 * is chosen (the best single pair, the keyword routes, the voting pairs) is chosen on training tasks
 * only; the two upper bounds use the evaluation split's outcomes and are labelled as such.
 */
public final class Baselines {
    /** How many of the best training pairs the majority vote calls. */
    public static final int VOTERS = 5;

    private Baselines() {
    }

    /** What was fitted on the training split. */
    public record Fitted(PairMatrix train, Pair bestSingle, KeywordRouterPolicy router, List<Pair> voters,
                         Map<String, Pair> groupRoutes, Optional<Cascades.Choice> cascade) {
    }

    public static Fitted fit(Environment env, List<Task> train, Map<String, List<String>> keywords, long seed, int threads,
                             Progress progress) {
        PairMatrix m = PairMatrix.compute(env, train, seed, threads, progress);
        Pair best = m.best();
        Map<String, Pair> routes = m.bestPerLabel(t -> KeywordRouterPolicy.label(keywords, t));
        List<Pair> ranked = m.ranked();
        List<Pair> voters = ranked.subList(0, Math.min(VOTERS, ranked.size()));
        Map<String, Pair> groupRoutes = m.bestPerLabel(t -> Optional.of(t.group()));
        return new Fitted(m, best, new KeywordRouterPolicy(keywords, routes, best), List.copyOf(voters), groupRoutes,
                Cascades.choose(m));
    }

    /** Baseline systems on {@code test}: best-single, random, keyword router, majority vote, and the upper bounds. */
    public static List<SystemResult> evaluate(Environment env, List<Task> test, Fitted f, long seed, int threads,
                                              Progress progress) {
        List<SystemResult> out = new ArrayList<>();
        out.add(system(env, new FixedPairPolicy(f.bestSingle(), "best-single"), test, seed, threads, progress,
                f.bestSingle().id(), "pair with the best training accuracy ("
                        + pct(f.train().accuracy(f.train().pairs().indexOf(f.bestSingle()))) + " on train)"));
        out.add(system(env, new RandomPairPolicy(), test, seed, threads, progress, null, "one uniformly random pair per task"));
        out.add(system(env, f.router(), test, seed, threads, progress, null,
                "keyword rules → best training pair per rule, else best-single; routes "
                        // sorted: the router holds an immutable map, whose iteration order changes from JVM to JVM
                        + new TreeMap<>(f.router().routes())));
        Environment voteEnv = env.withConfig(env.config().withMaxCalls(Math.max(env.config().maxCalls(), VOTERS)));
        out.add(system(voteEnv, new MajorityVotePolicy(f.voters()), test, seed, threads, progress, null,
                "majority of the " + f.voters().size() + " best training pairs; falls back to the best of them when no answer text exists"));
        f.cascade().ifPresent(c -> {
            Environment cascadeEnv = env.withConfig(env.config().withMaxCalls(Math.max(env.config().maxCalls(), 3)));
            out.add(system(cascadeEnv, c.policy(), test, seed, threads, progress, null, String.format(Locale.ROOT,
                    "ask %s and %s; if they agree answer that, else ask %s (the triple most accurate on train among "
                            + "the %d best training pairs: %s, $%.6f/task, %.0f%% escalated)",
                    c.first().id(), c.second().id(), c.third().id(), Cascades.CANDIDATES, pct(c.trainAccuracy()),
                    c.trainCostUsd(), 100 * c.escalated())));
        });
        mostExpensive(env, f).ifPresent(pair -> out.add(system(env, new FixedPairPolicy(pair, "most-expensive-expert"), test,
                seed, threads, Progress.NONE, pair.id(), "always the highest-priced model, with its best training skill "
                        + "(the cost yardstick)")));
        PairMatrix testM = PairMatrix.compute(env, test, seed, threads, Progress.NONE);
        out.add(testM.routed("group-router", "baseline",
                t -> f.groupRoutes().getOrDefault(t.group(), f.bestSingle()),
                "best training pair per true task group (uses the dataset's true group labels, which a user's question does not carry)"));
        out.add(testM.routed("per-group-oracle", "upper-bound",
                t -> testM.bestPerLabel(x -> Optional.of(x.group())).get(t.group()),
                "best pair per group chosen on the evaluation split itself (hindsight)"));
        out.add(testM.oracle("oracle", "some pair is correct (hindsight); upper bound, not a result"));
        return out;
    }

    /** The highest-priced model (input + output price) with the skill that did best for it on training tasks. */
    static Optional<Pair> mostExpensive(Environment env, Fitted f) {
        return env.registry().models().stream()
                .filter(m -> m.price().inputPerMillion() + m.price().outputPerMillion() > 0)
                .max(Comparator.comparingDouble(m -> m.price().inputPerMillion() + m.price().outputPerMillion()))
                .flatMap(m -> f.train().ranked().stream().filter(p -> p.model().equals(m.id())).findFirst());
    }

    public static SystemResult system(Environment env, Policy policy, List<Task> tasks, long seed,
                                      int threads, Progress progress, String pair, String note) {
        List<EpisodeResult> rs = Evaluator.run(env, policy, tasks, seed, threads, progress);
        return SystemResult.of(policy.name(), policy.kind(), pair, rs, note);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
