package dev.maestro.experiment;

import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.Seeds;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
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
import dev.maestro.onboard.QuestionClusters;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.ModelFacts;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

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
    public record Options(int probes, double budgetUsd, String selector, double tolerance, long seed,
                          double expectedProbeCostUsd, Grouping grouping) {
        public Options {
            if (probes < 0) {
                throw new MaestroException("--probes must be 0 (card prior only) or more, got " + probes);
            }
            if (!(budgetUsd >= 0)) {
                throw new MaestroException("--budget must be a number of US dollars >= 0, got " + budgetUsd);
            }
            ProbeSelector.named(selector);
            if (!(expectedProbeCostUsd >= 0)) {
                throw new IllegalArgumentException("expected probe cost must be >= 0, got " + expectedProbeCostUsd);
            }
            Objects.requireNonNull(grouping);
        }

        public Options(int probes, double budgetUsd, String selector, double tolerance, long seed) {
            this(probes, budgetUsd, selector, tolerance, seed, 0, Grouping.CLUSTERS);
        }

        public static Options of(int probes, long seed) {
            return new Options(probes, Double.POSITIVE_INFINITY, "adaptive", ProbeSession.DEFAULT_TOLERANCE, seed);
        }

        public Options withBudget(double usd) { return new Options(probes, usd, selector, tolerance, seed, expectedProbeCostUsd, grouping); }
        public Options withSelector(String s) { return new Options(probes, budgetUsd, s, tolerance, seed, expectedProbeCostUsd, grouping); }
        public Options withTolerance(double t) { return new Options(probes, budgetUsd, selector, t, seed, expectedProbeCostUsd, grouping); }
        /** What the first probe is expected to cost ({@link Onboarding#expectedProbeCost}); later ones are priced by the dearest made. */
        public Options withExpectedProbeCost(double usd) { return new Options(probes, budgetUsd, selector, tolerance, seed, usd, grouping); }
        public Options withGrouping(Grouping g) { return new Options(probes, budgetUsd, selector, tolerance, seed, expectedProbeCostUsd, g); }
    }

    /**
     * The groups a new pair gets an ability offset for in the item-response model. Either way its estimates are
     * reported per the questions' own groups when they have two or more.
     */
    public enum Grouping {
        /**
         * Clusters of the questions' embeddings ({@link QuestionClusters}), whatever groups the questions have; their
         * own groups when there are too few questions to split or the policy keeps no embeddings. The default: on
         * MMLU-Pro 30 probes recovered 0.74 of retraining's gain with the clusters against 0.64 with the 14 subjects, and
         * about as much on BlindTest and paper-sim (docs/onboarding.md).
         */
        CLUSTERS,
        /** The questions' own groups, always. */
        TASK;

        /** {@code clusters} or {@code task} (any case). */
        public static Grouping named(String name) {
            for (Grouping g : values()) {
                if (g.name().equalsIgnoreCase(name.strip())) {
                    return g;
                }
            }
            throw new MaestroException("unknown grouping '" + name + "'; valid: clusters, task");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One new pair after onboarding. */
    /**
     * @param answerRate the share of its calls expected to come back with a gradable answer ({@link #answerRate});
     *                   its history row is its predicted accuracy times this
     */
    public record PairResult(Pair pair, String priorSource, Interval priorAccuracy, Interval accuracy,
                             Map<String, Interval> byGroup, List<ProbeSession.Probe> probes, double costUsd,
                             ProbeSession.Stop stop, double answerRate) {
        public PairResult {
            byGroup = Collections.unmodifiableMap(new LinkedHashMap<>(byGroup));
            probes = List.copyOf(probes);
        }

        public long failures() {
            return probes.stream().filter(p -> p.failure().isPresent()).count();
        }
    }

    /**
     * @param policy     the onboarded policy (a copy; the input is unchanged)
     * @param pairs      per new pair, its estimate and probes
     * @param grades     per new pair, its row of the history on each question of {@code tasks}: the predicted chance of
     *                   being right, or the graded outcome where it was probed ({@link #historyRow})
     * @param tasks      the training questions the model was fitted on
     * @param card       how well the card prior predicted ability, leaving each known model out
     * @param costs      per new pair, its expected cost per call (US$): the mean of its probes, or, without probes,
     *                   its price for the tokens a known pair's call takes ({@link #costFromPrice})
     * @param fitted     the groups the item-response model placed each new pair's ability in: clusters of the
     *                   questions (named by their most central question) or the questions' own groups
     * @param clustered  whether {@code fitted} are clusters of the question embeddings
     */
    public record Result(LearnedPolicy policy, List<PairResult> pairs, Map<Pair, double[]> grades, List<Task> tasks,
                         CardPrior.Quality card, Map<Pair, Double> costs, List<String> fitted,
                         boolean clustered) {
        public Result {
            pairs = List.copyOf(pairs);
            tasks = List.copyOf(tasks);
            fitted = List.copyOf(fitted);
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

    /**
     * What one probe of the new pairs may cost, before any is made: the dearest call of a known pair on the training
     * questions, scaled up by how much dearer the new pairs' prices are than that pair's (never down).
     */
    public static double expectedProbeCost(PairMatrix known, Registry registry, List<Pair> fresh) {
        double dearest = 0;
        double knownPrice = 0;
        for (int p = 0; p < known.pairs().size(); p++) {
            for (int t = 0; t < known.tasks().size(); t++) {
                if (known.cost(t, p) > dearest) {
                    dearest = known.cost(t, p);
                    knownPrice = price(registry, known.pairs().get(p));
                }
            }
        }
        double newPrice = fresh.stream().mapToDouble(p -> price(registry, p)).max().orElse(0);
        return knownPrice > 0 ? dearest * Math.max(1, newPrice / knownPrice) : dearest;
    }

    private static double price(Registry registry, Pair p) {
        return registry.model(p.model()).map(m -> m.price().inputPerMillion() + m.price().outputPerMillion()).orElse(0.0);
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
        Outcomes own = known;
        known = grouped(known, tasks, policy, options.grouping());
        // fitted per clusters, reported per the user's own groups (when there are any to report by)
        Map<String, int[]> report = known != own && own.groups().size() >= 2 ? itemsByGroup(own) : Map.of();
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
        double dearest = options.expectedProbeCostUsd();
        progress.start("probes", (long) fresh.size() * options.probes());
        // Pairs of one new model share strength: each is probed with a prior that includes what its siblings
        // (the model's other skills) answered so far, widened by how far a known model's pairs stray from each other;
        // at the end each pair's estimate takes its own probes and all its siblings' (never its own twice).
        double[] pairVar = cp.pairVariance();
        double knownRate = knownAnswerRate(known);
        Map<String, List<Pair>> byModel = new LinkedHashMap<>();
        fresh.forEach(p -> byModel.computeIfAbsent(p.model(), k -> new ArrayList<>()).add(p));
        Map<Pair, ProbeSession.Result> sessions = new LinkedHashMap<>();
        Map<Pair, AbilityPrior> cardPriors = new LinkedHashMap<>();
        for (List<Pair> siblings : byModel.values()) {
            for (Pair pair : siblings) {
                AbilityPrior card = cp.prior(card(pair, env.registry(), cards));
                cardPriors.put(pair, card);
                AbilityPrior prior = siblingPrior(irt, card, observations(sessions, siblings, pair), pairVar);
                FixedPairPolicy fixed = new FixedPairPolicy(pair);
                ProbeSession.Oracle oracle = item -> {
                    Task t = tasks.get(item);
                    EpisodeResult r = env.run(t, fixed, Seeds.of(options.seed(), t.id()));
                    Optional<String> cause = failure(r);
                    if (cause.isPresent()) {
                        return ProbeSession.Answer.failed(cause.get(), r.costUsd());
                    }
                    return ProbeSession.Answer.graded(Math.max(0, Math.min(1, r.grade())), r.costUsd());
                };
                ProbeSession.Settings s = new ProbeSession.Settings(options.probes(), Math.max(0, left),
                        options.tolerance(), options.seed() ^ pair.id().hashCode(), dearest);
                int[] seen = {0};
                ProbeSession.Result res = ProbeSession.run(irt, prior, selector, oracle, s, (n, post) -> {
                    progress.advance(n - seen[0]);
                    seen[0] = n;
                });
                progress.advance(options.probes() - seen[0]);
                left -= res.costUsd();
                for (ProbeSession.Probe pr : res.probes()) {
                    dearest = Math.max(dearest, pr.costUsd());
                }
                sessions.put(pair, res);
            }
            for (Pair pair : siblings) {
                AbilityPrior card = cardPriors.get(pair);
                ProbeSession.Result res = sessions.get(pair);
                AbilityPrior prior = siblingPrior(irt, card, observations(sessions, siblings, pair), pairVar);
                AbilityPosterior post = AbilityPosterior.of(irt, prior, res.posterior().observations());
                Interval before = AbilityPosterior.of(irt, card, List.of()).overallAccuracy(1000, options.seed());
                String source = card.source() + (siblings.size() > 1 ? "; with the probes of its " + (siblings.size() - 1)
                        + " sibling pair(s)" : "");
                double answers = answerRate(knownRate, res.probes());
                results.add(new PairResult(pair, source, before, post.overallAccuracy(1000, options.seed()),
                        report.isEmpty() ? ProbeSession.byGroup(post) : byGroup(post, report, options.seed()),
                        res.probes(), res.costUsd(), res.stop(), answers));
                grades.put(pair, historyRow(post.probabilities(), res.probes(), answers));
            }
        }
        progress.finish();
        Map<Pair, Double> costs = new LinkedHashMap<>();
        for (PairResult pr : results) {
            costs.put(pr.pair(), pr.probes().isEmpty() ? priceEstimate(policy, env.registry(), pr.pair())
                    : pr.costUsd() / pr.probes().size());
        }
        LearnedPolicy onboarded = apply(policy, results, grades, tasks, costs);
        return new Result(onboarded, results, grades, tasks, cp.quality(), costs, known.groups(), known != own);
    }

    /** The questions of each group of {@code o}, by the group's name, in the order of {@code o.groups()}. */
    static Map<String, int[]> itemsByGroup(Outcomes o) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (int g = 0; g < o.groups().size(); g++) {
            final int group = g;
            out.put(o.groups().get(g), IntStream.range(0, o.items().size())
                    .filter(i -> o.groupOf(i) == group).toArray());
        }
        return out;
    }

    /** The posterior's accuracy on each of {@code groups}' questions, with its interval. */
    static Map<String, Interval> byGroup(AbilityPosterior post, Map<String, int[]> groups, long seed) {
        Map<String, Interval> out = new LinkedHashMap<>();
        groups.forEach((name, items) -> out.put(name, post.accuracyOn(items, 1000, seed)));
        return out;
    }

    /** Seed of the question clusters: fixed, so every onboarding of one checkpoint sees the same groups. */
    static final long CLUSTER_SEED = 1;

    /**
     * The known outcomes, grouped as {@code grouping} asks: by clusters of the questions' embeddings
     * ({@link QuestionClusters}) for {@link Grouping#CLUSTERS}; by the questions' own groups for {@link Grouping#TASK},
     * and also when there are too few questions to split or the policy keeps no history to take the embeddings from.
     */
    static Outcomes grouped(Outcomes known, List<Task> tasks, LearnedPolicy policy, Grouping grouping) {
        int k = QuestionClusters.count(tasks.size());
        if (grouping == Grouping.TASK || k == 0 || policy.history().isEmpty()) {
            return known;
        }
        return policy.history().get().embeddings(tasks)
                .map(v -> known.withGroups(QuestionClusters.groups(v, tasks.stream().map(Task::question).toList(), k,
                        CLUSTER_SEED)))
                .orElse(known);
    }

    /**
     * A new pair's row of the history: its chance of a right answer on every training question — the model's
     * predicted chance of being right times the pair's estimated answer rate ({@link #answerRate}) — except that a
     * question it was probed on keeps what happened, as a known pair's row does: the graded outcome, or 0 where the
     * call failed. A known pair's row counts a failed call as no right answer (the policy paid and got nothing), so a
     * new pair that fails one call in seven must not look as if it never failed: the onboarded DeepSeek-Coder-V2
     * (no record for 14% of MMLU-Pro) was called where it had no answer. Without the probes' outcomes, the probes
     * the adaptive selector spends on a specialist's strong group (most of its 30, at middling difficulty) would
     * reach the policy only through the posterior, which the group-offset prior still pulls toward the known experts.
     */
    static double[] historyRow(double[] predicted, List<ProbeSession.Probe> probes, double answerRate) {
        double[] row = new double[predicted.length];
        for (int i = 0; i < row.length; i++) {
            row[i] = predicted[i] * answerRate;
        }
        for (ProbeSession.Probe pr : probes) {
            if (pr.grade().isPresent()) {
                row[pr.item()] = pr.grade().getAsDouble();
            } else if (expertFailure(pr)) {
                row[pr.item()] = 0;
            }
        }
        return row;
    }

    /** Weight of the known experts' mean answer rate, in probes: a failure rate is the endpoint's own, others say little. */
    static final double ANSWER_RATE_PRIOR_PROBES = 2;

    /**
     * A new pair's share of calls that come back with a gradable answer: its probes (an expert failure against an
     * answer; an ungraded question says nothing), shrunk toward {@code prior}, the known pairs' mean share
     * ({@link #knownAnswerRate}), with the weight of {@link #ANSWER_RATE_PRIOR_PROBES} probes.
     */
    static double answerRate(double prior, List<ProbeSession.Probe> probes) {
        double answered = 0;
        double asked = 0;
        for (ProbeSession.Probe pr : probes) {
            if (pr.grade().isPresent()) {
                answered++;
                asked++;
            } else if (expertFailure(pr)) {
                asked++;
            }
        }
        return (answered + ANSWER_RATE_PRIOR_PROBES * prior) / (asked + ANSWER_RATE_PRIOR_PROBES);
    }

    /** The known pairs' mean share of graded answers over the questions at least one of them was graded on. */
    static double knownAnswerRate(Outcomes known) {
        int items = known.items().size();
        boolean[] gradable = new boolean[items];
        for (int e = 0; e < known.experts().size(); e++) {
            for (int i = 0; i < items; i++) {
                gradable[i] |= !Double.isNaN(known.grade(e, i));
            }
        }
        double sum = 0;
        int experts = 0;
        for (int e = 0; e < known.experts().size(); e++) {
            int n = 0;
            int answered = 0;
            for (int i = 0; i < items; i++) {
                if (gradable[i]) {
                    n++;
                    answered += Double.isNaN(known.grade(e, i)) ? 0 : 1;
                }
            }
            if (n > 0) {
                sum += (double) answered / n;
                experts++;
            }
        }
        return experts == 0 ? 1 : sum / experts;
    }

    private static boolean expertFailure(ProbeSession.Probe pr) {
        return pr.failure().isPresent() && !pr.failure().get().equals(UNGRADED);
    }

    /** The probes answered by the other pairs of {@code siblings} that were probed already. */
    private static List<AbilityPosterior.Observation> observations(Map<Pair, ProbeSession.Result> sessions,
                                                                   List<Pair> siblings, Pair self) {
        List<AbilityPosterior.Observation> out = new ArrayList<>();
        for (Pair p : siblings) {
            if (!p.equals(self) && sessions.containsKey(p)) {
                out.addAll(sessions.get(p).posterior().observations());
            }
        }
        return out;
    }

    /** The card prior updated with the siblings' probes, widened by the spread between a model's pairs. */
    private static AbilityPrior siblingPrior(ItemResponseModel irt, AbilityPrior card,
                                             List<AbilityPosterior.Observation> siblingObs, double[] pairVar) {
        if (siblingObs.isEmpty()) {
            return card;
        }
        return AbilityPosterior.of(irt, card, siblingObs).asSiblingPrior(pairVar, card.source());
    }

    /** The policy with the new pairs' numbers filled in (a copy). */
    static LearnedPolicy apply(LearnedPolicy policy, List<PairResult> results, Map<Pair, double[]> grades,
                               List<Task> tasks, Map<Pair, Double> newCosts) {
        Map<Pair, Double> priors = new HashMap<>(policy.priors());
        results.forEach(r -> priors.put(r.pair(), r.accuracy().estimate()));
        Map<Pair, Double> costs = new HashMap<>(policy.costs());
        costs.putAll(newCosts);
        LearnedPolicy out = policy.named(policy.name()).priors(priors).costs(costs, policy.costReference());
        if (!grades.isEmpty() && policy.history().isPresent()) {
            // full pairs of the history (every training question), as a checkpoint of the onboarded policy keeps them
            out = out.history(policy.history().get().withPairs(tasks, grades));
        }
        return out;
    }

    /**
     * A pair's cost per call from its price, before any call ({@link #costFromPrice}, over the known pairs' costs per
     * call and prices).
     */
    static double priceEstimate(LearnedPolicy policy, Registry registry, Pair pair) {
        List<PricedCost> known = new ArrayList<>();
        policy.costs().forEach((p, c) -> registry.model(p.model()).ifPresent(m -> known.add(new PricedCost(m.price(), c))));
        double fallback = policy.costs().values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return registry.model(pair.model()).map(m -> costFromPrice(known, m.price(), fallback)).orElse(fallback);
    }

    /** A known pair's price and its mean cost per call (US$). */
    record PricedCost(Price price, double costUsd) {
    }

    /**
     * A call's expected cost at {@code price}, from known prices and their mean costs per call. A call costs input
     * tokens × input price + output tokens × output price, so the known costs are fitted as t_in × input price +
     * t_out × output price (least squares on relative error, t ≥ 0): the effective tokens per call of these questions,
     * which then price the new pair. Before, the cost per unit of the summed price (input + output per 1M) was
     * carried over, which is right only when the new pair's output price is as far above its input price as the known
     * ones' are: on MMLU-Pro, where calls are about 2,000 tokens in and 110 out and most known prices are equal in and
     * out, it priced gemini-1.5-pro-002 ($1.25 in, $5.00 out) at $0.0066 per call against its $0.0028 (the fit:
     * $0.0028), so with its card alone it looked 2.3 times as dear as it is. Where every known price has the same
     * ratio of output to input price the two token counts cannot be told apart, and that ratio's median cost per unit
     * of summed price is used; free or unpriced known pairs say nothing about tokens and are skipped.
     *
     * @param fallback the cost when nothing priced is known or the price is zero
     */
    static double costFromPrice(List<PricedCost> known, Price price, double fallback) {
        double sum = price.inputPerMillion() + price.outputPerMillion();
        List<double[]> rows = new ArrayList<>(); // input price, output price, cost
        for (PricedCost k : known) {
            if (k.price().inputPerMillion() + k.price().outputPerMillion() > 0 && k.costUsd() > 0) {
                rows.add(new double[] {k.price().inputPerMillion(), k.price().outputPerMillion(), k.costUsd()});
            }
        }
        if (rows.isEmpty() || sum <= 0) {
            return fallback;
        }
        double minShare = 1;
        double maxShare = 0;
        for (double[] r : rows) {
            double share = r[1] / (r[0] + r[1]);
            minShare = Math.min(minShare, share);
            maxShare = Math.max(maxShare, share);
        }
        if (maxShare - minShare > 0.01) {
            // weighted normal equations of Σ ((t_in·in + t_out·out − c) / c)²
            double a = 0;
            double b = 0;
            double d = 0;
            double u = 0;
            double v = 0;
            for (double[] r : rows) {
                double x = r[0] / r[2];
                double y = r[1] / r[2];
                a += x * x;
                b += x * y;
                d += y * y;
                u += x;
                v += y;
            }
            double det = a * d - b * b;
            double tin = (u * d - v * b) / det;
            double tout = (a * v - b * u) / det;
            if (tin < 0) { // one count alone, the other at zero (the constrained optimum then lies on that edge)
                tin = 0;
                tout = v / d;
            } else if (tout < 0) {
                tout = 0;
                tin = u / a;
            }
            return tin * price.inputPerMillion() + tout * price.outputPerMillion();
        }
        List<Double> ratios = new ArrayList<>();
        for (double[] r : rows) {
            ratios.add(r[2] / (r[0] + r[1]));
        }
        Collections.sort(ratios);
        return ratios.get(ratios.size() / 2) * sum;
    }

    private static ExpertCard card(Pair p, Registry registry, Map<String, ModelCard> cards) {
        return registry.model(p.model()).or(() -> Optional.ofNullable(cards.get(p.model())))
                .map(m -> ExpertCard.of(p.id(), p.skill(), m))
                .orElse(new ExpertCard(p.id(), p.model(), p.skill(), ModelFacts.NONE));
    }

    private static final String UNGRADED = "ungraded: nothing grades this question";

    /** Why a probe told nothing: an expert failure (with its kind and message) or an ungraded task. */
    static Optional<String> failure(EpisodeResult r) {
        for (Step s : r.steps()) {
            for (Observation o : s.observations()) {
                if (o.error().isPresent() && o.error().get().kind().expertFailure()) {
                    return Optional.of(o.error().get().toString());
                }
            }
        }
        return r.graded() ? Optional.empty() : Optional.of(UNGRADED);
    }
}
