package dev.maestro.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.maestro.Progress;
import dev.maestro.Seeds;
import dev.maestro.episode.Environment;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.Stats;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Onboarding experts added after training: each new (model, skill) pair is called once on a fixed sample of
 * training questions, and what it scored there fills the numbers the policy reads about it (its training-split
 * accuracy and its accuracy on similar questions), which are otherwise "unknown". The network is not retrained
 * and no parameter changes; the price is {@code sample × new pairs} expert calls, reported with the result.
 *
 * <p>Why this exists: a policy that only reads an unseen expert's description sends it no calls in our
 * experiments (docs/policy.md, "Generalization"), because description–question similarity from a small
 * sentence encoder is a weak signal next to measured history. A few hundred calls are a cheap, honest way to
 * give a new expert the same kind of evidence the others have.
 */
public final class Calibration {
    /** Default number of training questions each new pair is measured on. */
    public static final int DEFAULT_SAMPLE = 100;

    private Calibration() {
    }

    /**
     * @param policy    the calibrated policy (a copy; the input is unchanged)
     * @param models    the models whose pairs were calibrated (those without any training-split numbers)
     * @param pairs     number of pairs calibrated
     * @param tasks     training questions in the sample
     * @param costUsd   their total cost
     * @param accuracy  per calibrated pair, its accuracy on the sample (sorted by pair, so reports are stable)
     */
    public record Result(LearnedPolicy policy, List<String> models, int pairs, int tasks, double costUsd,
                         Map<String, Double> accuracy) {
        public Result {
            models = List.copyOf(models);
            accuracy = Collections.unmodifiableSortedMap(new TreeMap<>(accuracy));
        }

        /** Expert calls the calibration made: every new pair on every sampled question. */
        public long calls() {
            return (long) pairs * tasks;
        }

        /** The report's {@code calibration} section ({@code maestro eval --calibrate}). */
        public Section section() {
            return new Section(models, pairs, tasks, calls(), costUsd, accuracy);
        }
    }

    /** The report's {@code calibration} section: what was calibrated, on how many questions, at what cost. */
    public record Section(List<String> models, int pairs, @JsonProperty("sample_questions") int sampleQuestions,
                          long calls, @JsonProperty("cost_usd") double costUsd,
                          @JsonProperty("accuracy_on_sample") Map<String, Double> accuracyOnSample) {
    }

    /**
     * Calibrates every pair of {@code env}'s registry that the policy has no training numbers for.
     *
     * @param train      the training split (the sample is drawn from it; never the test split)
     * @param sampleSize questions per new pair (capped at the training split's size)
     */
    public static Result run(Environment env, LearnedPolicy policy, List<Task> train, int sampleSize, long seed,
                             int threads) {
        if (sampleSize < 1) {
            throw new IllegalArgumentException("calibration sample must be at least 1 question, got " + sampleSize);
        }
        Set<String> fresh = new LinkedHashSet<>();
        for (Pair p : env.registry().pairs()) {
            if (!policy.priors().containsKey(p)) {
                fresh.add(p.model());
            }
        }
        if (fresh.isEmpty() || train.isEmpty()) {
            return new Result(policy, List.of(), 0, 0, 0, Map.of());
        }
        List<Task> sample = sample(train, sampleSize, seed);
        Registry only = env.registry().filterModels(m -> fresh.contains(m.id()));
        PairMatrix m = PairMatrix.compute(env.withRegistry(only, Map.of()), sample, seed, threads, Progress.NONE);
        Map<Pair, Double> priors = new HashMap<>(policy.priors());
        priors.putAll(m.accuracies());
        Map<Pair, Double> costs = new HashMap<>(policy.costs());
        costs.putAll(m.meanCosts());
        LearnedPolicy calibrated = policy.named(policy.name()).priors(priors).costs(costs, policy.costReference());
        if (policy.history().isPresent()) {
            calibrated = calibrated.history(policy.history().get().calibrated(sample, m.gradesByPair(), policy.questions().embedder()));
        }
        double cost = 0;
        for (int t = 0; t < sample.size(); t++) {
            for (int p = 0; p < m.pairs().size(); p++) {
                cost += m.cost(t, p);
            }
        }
        Map<String, Double> acc = new HashMap<>();
        m.accuracies().forEach((p, a) -> acc.put(p.id(), Stats.round(a, 4)));
        return new Result(calibrated, List.copyOf(fresh), m.pairs().size(), sample.size(), cost, acc);
    }

    /** A fixed, seeded sample of the training questions (the same for every model, so their numbers compare). */
    static List<Task> sample(List<Task> train, int n, long seed) {
        List<Task> copy = new ArrayList<>(train);
        SplittableRandom rng = new SplittableRandom(seed ^ Seeds.GOLDEN_GAMMA);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Task t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return List.copyOf(copy.subList(0, Math.min(n, copy.size())));
    }
}
