package dev.maestro.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.Parallel;
import dev.maestro.Progress;
import dev.maestro.Seeds;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.policy.Checkpoint;
import dev.maestro.policy.Decision;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.RegistryEncoding;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.policy.nn.Adam;
import dev.maestro.policy.nn.GrpoLoss;
import dev.maestro.policy.nn.Parameters;
import dev.maestro.policy.nn.PolicyNetwork;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * GRPO for the lightweight policy, in one readable class (CleanRL style).
 *
 * <p>Each step takes a batch of training tasks, runs G sampled episodes per task, normalises each
 * episode's reward within its task's group (A = (R − mean) / (std + ε)), and takes {@code innerEpochs}
 * Adam steps on the clipped-ratio objective over every decision of those episodes. No step-level labels
 * are used: only the outcome reward. Rollouts run on several threads; the update runs on one, in a fixed
 * order, so the same seed gives the same checkpoint whatever the thread count.
 *
 * <p>One policy for the whole cost–quality curve: each task's group of episodes is scored at its own cost weight W,
 * drawn log-uniformly from [{@code minCostWeight}, {@code maxCostWeight}], and the policy is told W (an input, see
 * {@link LearnedPolicy#withCostWeight}). Reward = grade − W · cost / reference cost − λ_call · calls − format
 * penalty, the reference cost being the best training pair's mean cost per task. After training, the default W is
 * chosen on the validation split (the cheapest weight whose accuracy is within {@link #DEFAULT_WEIGHT_TOLERANCE} of
 * the best weight's).
 *
 * <p>Per step it logs the numbers that expose bugs: reward mean and spread, accuracy, clip fraction,
 * approx-KL, entropy, calls per episode, the call share of each pair (with a routing-collapse alarm),
 * gradient norm and episodes per second.
 */
public final class GrpoTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The cost weights at which validation is scored (their mean reward is the early-stopping score). */
    public static final List<Double> VALIDATION_WEIGHTS = List.of(0.003, 0.02, 0.06);
    /** The cost weights among which the default is chosen on validation (and the report's default cost sweep). */
    public static final List<Double> WEIGHT_GRID = List.of(0.001, 0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3);
    /** Accuracy (fraction) a cheaper weight may give up against the most accurate one and still be the default. */
    public static final double DEFAULT_WEIGHT_TOLERANCE = 0.0025;

    /**
     * What a training run produced.
     *
     * @param bestValidationScore    early-stopping score of the kept parameters: mean validation reward over
     *                               {@link #VALIDATION_WEIGHTS}
     * @param initialValidationScore the same before training
     * @param costWeights            validation accuracy, cost per task and calls per task at each weight of
     *                               {@link #WEIGHT_GRID} (how the default was chosen)
     * @param start                  what the starting policy leaned on, chosen on validation: {@code "prior"} (the
     *                               training-split accuracy alone), {@code "prior+history"} (also the neighbourhood
     *                               estimates) or {@code "look-ahead"} (a call valued at the posterior its answer
     *                               would leave: {@link LearnedPolicies#leanAhead})
     */
    public record Result(LearnedPolicy policy, long steps, double bestValidationScore, long bestStep,
                         double initialValidationScore, Map<String, List<Double>> curves, double episodesPerSecond,
                         long episodes, Map<String, List<Double>> callShares, List<WeightPoint> costWeights, String start) {
    }

    /**
     * The greedy policy at one cost weight on the validation split; {@code failedEpisodes} of its episodes had a
     * failed expert call (they are graded like the others: see {@code Validation.Score}).
     */
    public record WeightPoint(double costWeight, double accuracy, double costUsd, double calls, int failedEpisodes) {
    }

    private final Environment env;
    private final List<Task> train;
    private final List<Task> validation;
    private final TrainConfig cfg;
    private final TextEmbedder embedder;
    private final String embedderName;
    private final Map<Pair, Double> priors;
    private final Map<Pair, Double> costs;
    private final double costReference;
    private final Optional<PairHistory> history;
    private final Map<String, Pair> bestPerGroup;
    private final Optional<Path> out;
    private final boolean resume;
    private final Progress progress;
    private final long stopAfter;
    private final int threads;
    private final TrainLog log;
    private final GroupAdvantages.FailedEpisodes failedEpisodes;
    private final List<String> warnings;

    private GrpoTrainer(Builder b) {
        this.env = b.env.withConfig(b.env.config().withMaxTurns(b.cfg.maxTurns()).withMaxCalls(b.cfg.maxCalls()));
        this.train = subsample(b.train, b.cfg);
        this.validation = List.copyOf(b.validation);
        this.cfg = b.cfg;
        this.embedder = b.embedder;
        this.embedderName = b.embedderName;
        this.priors = Map.copyOf(b.priors);
        this.costs = Map.copyOf(b.costs);
        this.costReference = reference(b.priors, b.costs);
        this.history = b.history;
        this.bestPerGroup = Map.copyOf(b.bestPerGroup);
        this.out = b.out;
        this.resume = b.resume;
        this.progress = b.progress;
        this.stopAfter = b.stopAfter;
        this.threads = b.threads;
        this.log = new TrainLog(out);
        if (train.isEmpty()) {
            throw new MaestroException("no training tasks: check --tasks and --split");
        }
        this.failedEpisodes = b.failedEpisodes;
        this.warnings = TrainingTasks.check(env, train, validation);
    }

    /** What is worth telling the user before training starts (e.g. a small validation split). */
    public List<String> warnings() {
        return warnings;
    }

    /** At most {@code maxTrainTasks} training tasks, a seeded sample in the original order (0 = all). */
    private static List<Task> subsample(List<Task> tasks, TrainConfig cfg) {
        if (cfg.maxTrainTasks() <= 0 || tasks.size() <= cfg.maxTrainTasks()) {
            return List.copyOf(tasks);
        }
        int[] perm = permutation(tasks.size(), Seeds.of(cfg.seed(), 0x5EEDL));
        boolean[] keep = new boolean[tasks.size()];
        for (int i = 0; i < cfg.maxTrainTasks(); i++) {
            keep[perm[i]] = true;
        }
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            if (keep[i]) {
                out.add(tasks.get(i));
            }
        }
        return List.copyOf(out);
    }

    /** The unit of the cost weight: the mean cost per task of the pair with the best training accuracy. */
    static double reference(Map<Pair, Double> priors, Map<Pair, Double> costs) {
        Optional<Pair> best = priors.entrySet().stream()
                .max(Comparator.<Map.Entry<Pair, Double>>comparingDouble(Map.Entry::getValue)
                        .thenComparing(e -> e.getKey().id(), Comparator.reverseOrder()))
                .map(Map.Entry::getKey);
        double c = best.map(p -> costs.getOrDefault(p, 0.0)).orElse(0.0);
        return c > 0 ? c : 1;
    }

    public static Builder builder(Environment env, List<Task> train, TrainConfig cfg,
                                  TextEmbedder embedder, String embedderName) {
        return new Builder(env, train, cfg, embedder, embedderName);
    }

    public Result run() {
        LearnedPolicy policy = LearnedPolicies.create(cfg.architecture(), cfg.priorWeight(), cfg.historyWeight(), cfg.wideWeight(), embedder, priors)
                .costs(costs, costReference);
        if (history.isPresent()) {
            policy = policy.history(history.get());
        }
        PolicyNetwork net = policy.network();
        Parameters params = net.parameters();
        Adam adam = Adam.builder().learningRate(cfg.learningRate()).clipNorm(1.0).build();
        GrpoLoss loss = new GrpoLoss(new GrpoLoss.Config(cfg.clipEpsilon(), cfg.entropyCoefficient()));
        int stepsPerEpoch = (train.size() + cfg.tasksPerStep() - 1) / cfg.tasksPerStep();
        // Small training sets get more passes, so every suite gets at least minSteps updates.
        int epochs = Math.max(cfg.epochs(), (cfg.minSteps() + stepsPerEpoch - 1) / stepsPerEpoch);
        long total = cfg.maxSteps() > 0 ? Math.min((long) stepsPerEpoch * epochs, cfg.maxSteps()) : (long) stepsPerEpoch * epochs;

        // The starting policy leans on the best training pair (see LearnedPolicies.create); a checkpoint replaces it
        // only when it beats it on validation by more than the paired standard error (Validation.Score), so a small,
        // noisy validation split cannot trade the start for a checkpoint that won by luck.
        StartChoice.Chosen begin = StartChoice.choose(policy, cfg, validation());
        Validation.Score startScore = begin.score();
        String startName = begin.name();
        long start = 0;
        Parameters best = params.copy();
        double bestScore = -1;
        long bestStep = 0;
        double initialScore = Double.NaN;
        if (resume && out.isPresent() && Files.exists(out.get().resolve("last.ckpt"))) {
            Checkpoint.Contents c = Checkpoint.read(out.get().resolve("last.ckpt"));
            checkCompatible(c.header());
            params.copyFrom(c.parameters());
            params.markChanged();
            c.restoreOptimizer(adam, "last.ckpt");
            start = c.header().step();
            bestScore = ((Number) c.header().notes().get("best_validation_score")).doubleValue();
            bestStep = ((Number) c.header().notes().get("best_step")).longValue();
            initialScore = ((Number) c.header().notes().get("initial_validation_score")).doubleValue();
            best = Checkpoint.read(out.get().resolve("best.ckpt")).parameters();
            log.truncate(start);
        } else if (out.isPresent()) {
            try {
                Files.createDirectories(out.get());
            } catch (IOException e) {
                throw new MaestroException("cannot prepare " + out.get() + ": " + e.getMessage(), e);
            }
            log.reset();
        }
        if (start == 0) {
            initialScore = startScore.mean();
            bestScore = initialScore;
            bestStep = 0;
            best = params.copy();
        }

        progress.start("train", total);
        progress.advance(start);
        Parallel workers = Parallel.of(threads);
        long episodes = 0;
        long rolloutNanos = 0;
        long t0 = System.nanoTime();
        GrpoUpdate update = new GrpoUpdate(net, adam, loss, cfg);
        try {
            for (long step = start; step < total; step++) {
                if (step >= stopAfter) {
                    // An interrupted run: what is on disk is exactly what a kill after this step leaves.
                    return new Result(policy.sampling(false), step, bestScore, bestStep, initialScore, log.curves(), 0,
                            episodes, log.callShareCurves(), List.of(), startName);
                }
                int epoch = (int) (step / stepsPerEpoch);
                int[] perm = permutation(train.size(), Seeds.of(cfg.seed(), 1_000_003L + epoch));
                int from = (int) (step % stepsPerEpoch) * cfg.tasksPerStep();
                int to = Math.min(train.size(), from + cfg.tasksPerStep());
                long stepSeed = Seeds.of(cfg.seed(), step);

                // 1. the registry this step sees: a random subset of models, descriptions partly blanked
                Registry reg = stepRegistry(stepSeed);
                Environment stepEnv = env.withRegistry(reg, Map.of());
                LearnedPolicy base = policy.hideHistory(hiddenHistory(reg, stepSeed)).sampling(true);
                base.encode(reg, RegistryEncoding.of(reg, policy.descriptions(), cfg.descriptionDropout(), stepSeed ^ 0x5DEECE66DL));

                // 2. rollouts, each task's group at its own cost weight (see Rollouts)
                int n = to - from;
                SplittableRandom wr = new SplittableRandom(stepSeed ^ 0x3C6EF372FE94F82BL);
                double[] weight = new double[n];
                LearnedPolicy[] samplers = new LearnedPolicy[n];
                List<Task> tasks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    weight[i] = sampleWeight(wr);
                    boolean explore = wr.nextDouble() < cfg.exploreShare();
                    int forced = explore ? 2 + wr.nextInt(Math.max(1, Math.min(2, cfg.maxTurns() - 2))) : 0;
                    samplers[i] = base.withCostWeight(weight[i]).withMinimumCalls(forced);
                    tasks.add(train.get(perm[from + i]));
                }
                long r0 = System.nanoTime();
                Rollouts.Batch batch = cfg.branched()
                        ? Rollouts.branched(stepEnv, tasks, samplers, stepSeed, wr, workers)
                        : Rollouts.sampled(stepEnv, tasks, samplers, cfg.groupSize(), stepSeed, workers);
                rolloutNanos += System.nanoTime() - r0;
                episodes += batch.episodes();
                policy.forget(reg);

                // 3. rewards at each group's cost weight, group-normalised advantages
                List<List<GrpoUpdate.Sample>> groups = new ArrayList<>();
                double spread = 0;
                List<EpisodeResult> all = new ArrayList<>();
                List<Double> rewards = new ArrayList<>();
                int maskedCount = 0;
                for (Rollouts.Group grp : batch.groups()) {
                    int g = grp.results().size();
                    double[] r = new double[g];
                    // branched groups: every candidate of one decision taken once, weighted by the probability the
                    // policy gave it (the exact on-policy expectation at that state); sampled groups: equal weights
                    // episodes without information (ungraded, a failed call) are masked: weight 0, no decisions
                    double[] w = new double[g];
                    double wsum = 0;
                    int countedEpisodes = 0;
                    for (int j = 0; j < g; j++) {
                        EpisodeResult res = grp.results().get(j);
                        r[j] = reward(res, weight[grp.task()]);
                        List<Decision> ds = res.notes().all(LearnedPolicy.DECISIONS);
                        boolean masked = GroupAdvantages.masked(res, failedEpisodes);
                        maskedCount += masked ? 1 : 0;
                        countedEpisodes += masked ? 0 : 1;
                        w[j] = masked ? 0 : grp.sharedState() ? (ds.isEmpty() ? 0 : Math.exp(ds.get(0).logProb())) : 1;
                        wsum += w[j];
                        all.add(res);
                        rewards.add(r[j]);
                    }
                    if (countedEpisodes < 2 || wsum <= 0) {
                        continue; // no contrast within the group
                    }
                    double mean = 0;
                    for (int j = 0; j < g; j++) {
                        mean += w[j] * r[j] / Math.max(1e-300, wsum);
                    }
                    double var = 0;
                    for (int j = 0; j < g; j++) {
                        var += w[j] * (r[j] - mean) * (r[j] - mean) / Math.max(1e-300, wsum);
                    }
                    double std = Math.sqrt(var);
                    spread += std;
                    if (std < 1e-12 && cfg.klCoefficient() == 0) {
                        // a group whose episodes all scored the same teaches nothing but entropy: skip its forward
                        // and backward passes (most of a step's groups once the policy is sure)
                        continue;
                    }
                    List<GrpoUpdate.Sample> shared = new ArrayList<>();
                    for (int j = 0; j < g; j++) {
                        if (GroupAdvantages.masked(grp.results().get(j), failedEpisodes)) {
                            continue;
                        }
                        double adv = std < 1e-12 ? 0 : (r[j] - mean) / (std + cfg.advantageEpsilon());
                        for (Decision d : grp.results().get(j).notes().all(LearnedPolicy.DECISIONS)) {
                            if (grp.sharedState()) {
                                shared.add(new GrpoUpdate.Sample(d, adv, w[j] / wsum));
                            } else {
                                groups.add(List.of(new GrpoUpdate.Sample(d, adv, 1)));
                            }
                        }
                    }
                    if (!shared.isEmpty()) {
                        groups.add(shared);
                    }
                }

                // 4. clipped-ratio updates, in a fixed order
                GrpoUpdate.Stats st = update.run(groups);
                double clipped = st.clipped();
                double kl = st.approxKl();
                double entropy = st.entropy();
                double gradNorm = st.gradNorm();
                int counted = st.counted();
                double[] reward = rewards.stream().mapToDouble(Double::doubleValue).toArray();
                EpisodeResult[] results = all.toArray(EpisodeResult[]::new);

                // 5. diagnostics, validation, checkpoints
                double meanWeight = Arrays.stream(weight).average().orElse(0);
                TrainLog.Line line = TrainLog.Line.of(step, epoch, results, reward, meanWeight, spread / n, clipped, kl,
                        entropy, counted, gradNorm, episodes, System.nanoTime() - t0, rolloutNanos, bestPerGroup,
                        greedyReward(batch, weight), StepCalls.of(results, maskedCount));
                boolean validateNow = (step + 1) % cfg.validationEvery() == 0 || step + 1 == total;
                if (validateNow) {
                    Validation.Score v = validation().score(policy);
                    line = line.withValidation(round(v.mean()), round(v.accuracyMid()), v.failedEpisodes());
                    if (v.mean() > bestScore + 1e-12 && v.beatsClearly(startScore)) {
                        bestScore = v.mean();
                        bestStep = step + 1;
                        best = params.copy();
                        if (out.isPresent()) {
                            Checkpoint.write(out.get().resolve("best.ckpt"), header(step + 1, bestScore, bestStep, initialScore,
                                    LearnedPolicy.DEFAULT_COST_WEIGHT), best, Optional.empty(), history);
                        }
                    }
                }
                log.append(line);
                if (out.isPresent() && ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == total)) {
                    if (bestStep == 0 && !Files.exists(out.get().resolve("best.ckpt"))) {
                        Checkpoint.write(out.get().resolve("best.ckpt"), header(step + 1, bestScore, bestStep, initialScore,
                                LearnedPolicy.DEFAULT_COST_WEIGHT), best, Optional.empty(), history);
                    }
                    Checkpoint.write(out.get().resolve("last.ckpt"), header(step + 1, bestScore, bestStep, initialScore,
                            LearnedPolicy.DEFAULT_COST_WEIGHT), params, Optional.of(adam), history);
                }
                progress.advance(1);
            }
        } finally {
            workers.close();
            progress.finish();
        }
        // Keep the parameters that did best on the validation split (early stopping), then choose the default cost
        // weight on the validation split too.
        params.copyFrom(best);
        params.markChanged();
        List<WeightPoint> grid = validation().grid(policy);
        double chosen = Validation.chooseDefault(grid);
        Checkpoint.Header header = header(total, bestScore, bestStep, initialScore, chosen);
        // the trained policy knows the limits it was trained and validated with, as one loaded from policy.ckpt does
        LearnedPolicy trained = policy.withDefaultCostWeight(chosen).sampling(false).withCheckpoint(header);
        if (out.isPresent()) {
            Checkpoint.write(out.get().resolve("policy.ckpt"), header, params, Optional.empty(), history);
        }
        double seconds = rolloutNanos / 1e9;
        return new Result(trained, total, bestScore, bestStep, initialScore, log.curves(),
                seconds > 0 ? episodes / seconds : 0, episodes, log.callShareCurves(), grid, startName);
    }

    /** Mean reward of the greedy episodes of branched rollouts, each at its task's cost weight. */
    private Optional<Double> greedyReward(Rollouts.Batch batch, double[] weight) {
        if (batch.greedy().isEmpty()) {
            return Optional.empty();
        }
        double s = 0;
        for (int i = 0; i < batch.greedy().size(); i++) {
            s += reward(batch.greedy().get(i), weight[i]);
        }
        return Optional.of(s / batch.greedy().size());
    }

    /** A cost weight for one group of episodes: log-uniform between the config's bounds. */
    private double sampleWeight(SplittableRandom rng) {
        double lo = Math.log(cfg.minCostWeight());
        double hi = Math.log(cfg.maxCostWeight());
        return Math.exp(lo + (hi - lo) * rng.nextDouble());
    }

    private Validation validation() {
        return new Validation(env, validation.isEmpty() ? train : validation, cfg.seed(), threads, this::reward);
    }

    /** The episode's reward at cost weight {@code w}: grade − w·cost/reference − λ_call·calls − format penalty. */
    private double reward(EpisodeResult r, double w) {
        return r.grade() - w * r.costUsd() / costReference - cfg.lambdaCall() * r.calls()
                - env.config().reward().formatPenalty() * r.malformed();
    }

    private Set<String> hiddenHistory(Registry reg, long stepSeed) {
        if (cfg.historyDropout() <= 0) {
            return Set.of();
        }
        SplittableRandom rng = new SplittableRandom(stepSeed ^ 0x61C8864680B583EBL);
        Set<String> out = new HashSet<>();
        for (ModelCard m : reg.models()) {
            if (rng.nextDouble() < cfg.historyDropout()) {
                out.add(m.id());
            }
        }
        return out;
    }

    private Registry stepRegistry(long stepSeed) {
        Registry base = env.registry();
        if (cfg.registryDropout() <= 0) {
            return base.renamed(base.name() + "#train");
        }
        SplittableRandom rng = new SplittableRandom(stepSeed ^ 0x2545F4914F6CDD1DL);
        List<ModelCard> models = new ArrayList<>(base.models());
        List<String> keep = new ArrayList<>();
        for (ModelCard m : models) {
            if (rng.nextDouble() >= cfg.registryDropout()) {
                keep.add(m.id());
            }
        }
        for (int i = 0; keep.size() < Math.min(2, models.size()); i++) {
            String id = models.get(i).id();
            if (!keep.contains(id)) {
                keep.add(id);
            }
        }
        return base.filterModels(m -> keep.contains(m.id())).renamed(base.name() + "#train");
    }

    private Checkpoint.Header header(long step, double bestScore, long bestStep, double initialScore, double costWeight) {
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("best_validation_score", bestScore);
        notes.put("best_step", bestStep);
        notes.put("initial_validation_score", initialScore);
        notes.put("train_tasks", train.size());
        notes.put("validation_tasks", validation.size());
        return new Checkpoint.Header(Checkpoint.FORMAT, env.registry().name(), env.registry().fingerprint(), embedderName,
                cfg.architecture().projectionSeed(), configJson(cfg), step, LearnedPolicies.priorIds(priors),
                LearnedPolicies.priorIds(costs), costReference, costWeight, notes);
    }

    /** The config as the checkpoint header stores it: a JSON object, in the record's field order. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> configJson(TrainConfig c) {
        return JSON.convertValue(c, LinkedHashMap.class);
    }

    private void checkCompatible(Checkpoint.Header h) {
        if (!h.registryFingerprint().equals(env.registry().fingerprint())) {
            throw new MaestroException("cannot resume: last.ckpt was trained on registry " + h.registryName() + " ("
                    + h.registryFingerprint() + ") but this run uses " + env.registry().name() + " ("
                    + env.registry().fingerprint() + ")");
        }
        TrainConfig written;
        try {
            // Checkpoints written before `threads` left the config still carry it; it never changed results.
            Map<String, Object> fields = new LinkedHashMap<>(h.config());
            fields.remove("threads");
            written = JSON.convertValue(fields, TrainConfig.class);
        } catch (IllegalArgumentException e) {
            throw new MaestroException("cannot resume: last.ckpt holds a config this version cannot read: " + h.config());
        }
        if (!written.equals(cfg)) {
            throw new MaestroException("cannot resume: last.ckpt was written with a different config: " + written
                    + " vs " + cfg);
        }
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Builder: the environment, tasks, config and embedder are required; the rest has defaults. */
    public static final class Builder {
        private final Environment env;
        private final List<Task> train;
        private final TrainConfig cfg;
        private final TextEmbedder embedder;
        private final String embedderName;
        private List<Task> validation = List.of();
        private Map<Pair, Double> priors = Map.of();
        private Map<Pair, Double> costs = Map.of();
        private Optional<PairHistory> history = Optional.empty();
        private Map<String, Pair> bestPerGroup = Map.of();
        private Optional<Path> out = Optional.empty();
        private boolean resume;
        private Progress progress = Progress.NONE;
        private long stopAfter = Long.MAX_VALUE;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private GroupAdvantages.FailedEpisodes failedEpisodes = GroupAdvantages.FailedEpisodes.MASK;

        private Builder(Environment env, List<Task> train, TrainConfig cfg, TextEmbedder embedder,
                        String embedderName) {
            this.env = env;
            this.train = train;
            this.cfg = cfg;
            this.embedder = embedder;
            this.embedderName = embedderName;
        }

        public Builder validation(List<Task> v) { this.validation = v; return this; }
        public Builder priors(Map<Pair, Double> v) { this.priors = v; return this; }
        /** Per-pair mean cost per training task (US$): a policy feature, and the unit of the cost weight. */
        public Builder costs(Map<Pair, Double> v) { this.costs = v; return this; }
        /** Training-split outcomes of each pair on similar questions (a policy feature, see PairHistory). */
        public Builder history(PairHistory v) { this.history = Optional.of(v); return this; }
        /** Per-group best training pairs, for the routing-collapse alarm. */
        public Builder bestPerGroup(Map<String, Pair> v) { this.bestPerGroup = v; return this; }
        public Builder out(Path v) { this.out = Optional.of(v); return this; }
        public Builder resume(boolean v) { this.resume = v; return this; }
        public Builder progress(Progress v) { this.progress = v; return this; }
        /** Stops (as if killed) after this many steps; {@code resume} continues the run. */
        public Builder stopAfter(long steps) { this.stopAfter = steps; return this; }
        /**
         * Rollout threads (default: the number of cores). Updates run on one thread in a fixed order, so the
         * checkpoint does not depend on this, and a run may resume with another thread count.
         */
        public Builder threads(int v) {
            if (v < 1) {
                throw new MaestroException("threads must be >= 1, got " + v);
            }
            this.threads = v;
            return this;
        }

        /** How episodes with a failed expert call enter the loss (default: masked, see {@link GroupAdvantages}). */
        public Builder failedEpisodes(GroupAdvantages.FailedEpisodes v) { this.failedEpisodes = v; return this; }

        public GrpoTrainer build() {
            return new GrpoTrainer(this);
        }
    }
}
