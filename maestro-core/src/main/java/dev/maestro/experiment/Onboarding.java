package dev.maestro.experiment;

import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.PairMatrix;
import dev.maestro.onboard.AbilityPosterior;
import dev.maestro.onboard.AbilityPosterior.Interval;
import dev.maestro.onboard.AbilityPrior;
import dev.maestro.onboard.CardPrior;
import dev.maestro.onboard.ExpertCard;
import dev.maestro.onboard.ItemResponseModel;
import dev.maestro.onboard.Outcomes;
import dev.maestro.onboard.ProbeSelector;
import dev.maestro.onboard.ProbeSession;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.ModelFacts;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Onboards experts added after training with a few probes each, instead of retraining: the known pairs' outcomes
 * on the training questions fit an item-response model ({@link ItemResponseModel}); a card prior learned across
 * the known experts gives each new pair a zero-shot ability ({@link CardPrior}); probes chosen adaptively (or at
 * random, the baseline) on training questions place it ({@link ProbeSession}). What the policy then reads about a
 * new pair is what it reads about a known one: its estimated training-split accuracy (the prior) and, per
 * question, its accuracy on similar training questions — computed from the model's predicted chance of being right
 * on every training question, as if it had answered them all. The network is not retrained.
 */
public final class Onboarding {
    /**
     * @param probes    probes per new pair at most (0: the card prior alone)
     * @param budgetUsd total spend on probes at most, over all new pairs
     * @param selector  {@code adaptive} or {@code random}
     * @param tolerance early stop when the overall 95% half-width is at most this (0: never)
     */
    public record Options(int probes, double budgetUsd, String selector, double tolerance, long seed) {
        public Options {
            if (probes < 0) {
                throw new MaestroException("--probes must be 0 (card prior only) or more, got " + probes);
            }
            if (!(budgetUsd >= 0)) {
                throw new MaestroException("--budget must be a number of US dollars >= 0, got " + budgetUsd);
            }
            ProbeSelector.named(selector);
        }

        public static Options of(int probes, long seed) {
            return new Options(probes, Double.POSITIVE_INFINITY, "adaptive", ProbeSession.DEFAULT_TOLERANCE, seed);
        }

        public Options withBudget(double usd) { return new Options(probes, usd, selector, tolerance, seed); }
        public Options withSelector(String s) { return new Options(probes, budgetUsd, s, tolerance, seed); }
        public Options withTolerance(double t) { return new Options(probes, budgetUsd, selector, t, seed); }
    }

    /** One new pair after onboarding. */
    public record PairResult(Pair pair, String priorSource, Interval priorAccuracy, Interval accuracy,
                             Map<String, Interval> byGroup, List<ProbeSession.Probe> probes, double costUsd,
                             ProbeSession.Stop stop) {
        public PairResult {
            byGroup = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byGroup));
            probes = List.copyOf(probes);
        }

        public long failures() {
            return probes.stream().filter(p -> p.failure().isPresent()).count();
        }
    }

    /**
     * @param policy     the onboarded policy (a copy; the input is unchanged)
     * @param pairs      per new pair, its estimate and probes
     * @param grades     per new pair, its predicted chance of being right on each question of {@code tasks}
     * @param tasks      the training questions the model was fitted on
     * @param card       how well the card prior predicted ability, leaving each known model out
     */
    public record Result(LearnedPolicy policy, List<PairResult> pairs, Map<Pair, double[]> grades, List<Task> tasks,
                         CardPrior.Quality card) {
        public Result {
            pairs = List.copyOf(pairs);
            tasks = List.copyOf(tasks);
        }

        public double costUsd() {
            return pairs.stream().mapToDouble(PairResult::costUsd).sum();
        }

        public long calls() {
            return pairs.stream().mapToLong(p -> p.probes().size()).sum();
        }

        /** Per new pair, its estimated training-split accuracy. */
        public Map<Pair, Double> accuracies() {
            Map<Pair, Double> m = new LinkedHashMap<>();
            pairs.forEach(p -> m.put(p.pair(), p.accuracy().estimate()));
            return m;
        }
    }

    private Onboarding() {
    }

    /** The pairs of {@code registry} the policy has no training numbers for. */
    public static List<Pair> newPairs(Registry registry, LearnedPolicy policy) {
        return registry.pairs().stream().filter(p -> !policy.priors().containsKey(p)).toList();
    }

    /** Known pairs' outcomes on the training questions, from a pair matrix (a failed or ungraded call is unknown). */
    public static Outcomes outcomes(PairMatrix m) {
        List<String> experts = m.pairs().stream().map(Pair::id).toList();
        double[][] g = new double[experts.size()][m.tasks().size()];
        for (int p = 0; p < experts.size(); p++) {
            for (int t = 0; t < m.tasks().size(); t++) {
                g[p][t] = m.counted(t, p) ? Math.max(0, Math.min(1, m.grade(t, p))) : Double.NaN;
            }
        }
        return Outcomes.of(experts, m.tasks().stream().map(Task::id).toList(),
                m.tasks().stream().map(Task::group).toList(), g);
    }

    /**
     * Onboards every pair of {@code env}'s registry the policy has no numbers for.
     *
     * @param known    the known pairs' outcomes on the training questions ({@link #outcomes}); items are task ids
     * @param train    the training questions, by id a superset of {@code known}'s items (probes are drawn from these)
     * @param cards    model cards of the known pairs' models (those still in the registry are also read from it)
     */
    public static Result run(Environment env, LearnedPolicy policy, Outcomes known, List<Task> train,
                             Map<String, ModelCard> cards, Options options, Progress progress) {
        List<Pair> fresh = newPairs(env.registry(), policy);
        Map<String, Task> byId = new HashMap<>();
        train.forEach(t -> byId.put(t.id(), t));
        List<Task> tasks = new ArrayList<>();
        for (String id : known.items()) {
            Task t = byId.get(id);
            if (t == null) {
                throw new MaestroException("onboarding: question " + id + " of the known outcomes is not a training question");
            }
            tasks.add(t);
        }
        ItemResponseModel irt = ItemResponseModel.fit(known, ItemResponseModel.Config.defaults());
        List<ExpertCard> knownCards = new ArrayList<>();
        for (String id : known.experts()) {
            Pair p = Pair.parse(id);
            knownCards.add(card(p, env.registry(), cards));
        }
        CardPrior cp = CardPrior.fit(irt, knownCards);
        ProbeSelector selector = ProbeSelector.named(options.selector());
        List<PairResult> results = new ArrayList<>();
        Map<Pair, double[]> grades = new LinkedHashMap<>();
        double left = options.budgetUsd();
        progress.start("probes", (long) fresh.size() * options.probes());
        for (Pair pair : fresh) {
            AbilityPrior prior = cp.prior(card(pair, env.registry(), cards));
            Interval before = AbilityPosterior.of(irt, prior, List.of()).overallAccuracy(1000, options.seed());
            FixedPairPolicy fixed = new FixedPairPolicy(pair);
            ProbeSession.Oracle oracle = item -> {
                Task t = tasks.get(item);
                EpisodeResult r = env.run(t, fixed, Evaluator.taskSeed(options.seed(), t.id()));
                Optional<String> cause = failure(r);
                if (cause.isPresent()) {
                    return ProbeSession.Answer.failed(cause.get(), r.costUsd());
                }
                return ProbeSession.Answer.graded(Math.max(0, Math.min(1, r.grade())), r.costUsd());
            };
            ProbeSession.Settings s = new ProbeSession.Settings(options.probes(), Math.max(0, left),
                    options.tolerance(), options.seed() ^ pair.id().hashCode());
            int[] seen = {0};
            ProbeSession.Result res = ProbeSession.run(irt, prior, selector, oracle, s, (n, post) -> {
                progress.advance(n - seen[0]);
                seen[0] = n;
            });
            progress.advance(options.probes() - seen[0]);
            left -= res.costUsd();
            AbilityPosterior post = res.posterior();
            results.add(new PairResult(pair, prior.source(), before, post.overallAccuracy(1000, options.seed()),
                    ProbeSession.byGroup(post), res.probes(), res.costUsd(), res.stop()));
            grades.put(pair, post.probabilities());
        }
        progress.finish();
        LearnedPolicy onboarded = apply(policy, results, grades, tasks);
        return new Result(onboarded, results, grades, tasks, cp.quality());
    }

    /** The policy with the new pairs' numbers filled in (a copy). */
    static LearnedPolicy apply(LearnedPolicy policy, List<PairResult> results, Map<Pair, double[]> grades,
                               List<Task> tasks) {
        Map<Pair, Double> priors = new HashMap<>(policy.priors());
        results.forEach(r -> priors.put(r.pair(), r.accuracy().estimate()));
        LearnedPolicy out = policy.named(policy.name()).priors(priors);
        if (!grades.isEmpty() && policy.history().isPresent()) {
            out = out.history(policy.history().get().calibrated(tasks, grades, policy.questions().embedder()));
        }
        return out;
    }

    private static ExpertCard card(Pair p, Registry registry, Map<String, ModelCard> cards) {
        ModelFacts f = registry.model(p.model()).map(ModelCard::facts)
                .or(() -> Optional.ofNullable(cards.get(p.model())).map(ModelCard::facts)).orElse(ModelFacts.NONE);
        return new ExpertCard(p.id(), p.model(), p.skill(), f);
    }

    /** Why a probe told nothing: an expert failure (with its kind and message) or an ungraded task. */
    static Optional<String> failure(EpisodeResult r) {
        for (Step s : r.steps()) {
            for (Observation o : s.observations()) {
                if (o.error().isPresent() && o.error().get().kind().expertFailure()) {
                    return Optional.of(o.error().get().toString());
                }
            }
        }
        return r.graded() ? Optional.empty() : Optional.of("ungraded: nothing grades this question");
    }
}
