package dev.maestro.train;

import dev.maestro.policy.Checkpoint;
import dev.maestro.policy.LearnedPolicies;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Observation;
import dev.maestro.episode.RewardWeights;
import dev.maestro.episode.Step;
import dev.maestro.policy.Decision;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.RegistryEncoding;
import dev.maestro.policy.nn.Adam;
import dev.maestro.policy.nn.GrpoLoss;
import dev.maestro.policy.nn.MaskedSoftmax;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * GRPO for the lightweight policy, in one readable class (CleanRL style).
 *
 * <p>Each step takes a batch of training tasks, runs G sampled episodes per task, normalises each
 * episode's reward within its task's group (A = (R − mean) / (std + ε)), and takes {@code innerEpochs}
 * Adam steps on the clipped-ratio objective over every decision of those episodes. No step-level labels
 * are used: only the outcome reward. Rollouts run on several threads; the update runs on one, in a fixed
 * order, so the same seed gives the same checkpoint whatever the thread count.
 *
 * <p>Per step it logs the numbers that expose bugs: reward mean and spread, accuracy, clip fraction,
 * approx-KL, entropy, calls per episode, the call share of each pair (with a routing-collapse alarm),
 * gradient norm and episodes per second.
 */
public final class GrpoTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a training run produced. */
    public record Result(LearnedPolicy policy, long steps, double bestValidationAccuracy, long bestStep,
                         double initialValidationAccuracy, Map<String, List<Double>> curves, double episodesPerSecond,
                         long episodes, Map<String, List<Double>> callShares) {
    }

    private final Environment env;
    private final List<Task> train;
    private final List<Task> validation;
    private final TrainConfig cfg;
    private final dev.maestro.policy.embed.TextEmbedder embedder;
    private final String embedderName;
    private final Map<Pair, Double> priors;
    private final Optional<dev.maestro.policy.PairHistory> history;
    private final Map<String, Pair> bestPerGroup;
    private final Optional<Path> out;
    private final boolean resume;
    private final Progress progress;
    private final long stopAfter;
    private final int threads;
    private final GroupAdvantages.FailedEpisodes failedEpisodes;
    private final List<String> warnings;
    private final TrainLog trainLog;

    private GrpoTrainer(Builder b) {
        this.env = b.env.withConfig(new EpisodeConfig(b.cfg.maxTurns(), b.cfg.maxCalls(), b.env.config().maxCostUsd(),
                new RewardWeights(b.cfg.lambdaCost(), b.cfg.lambdaCall(), b.env.config().reward().formatPenalty()),
                b.env.config().gradeByRecordedFlag()));
        this.train = List.copyOf(b.train);
        this.validation = List.copyOf(b.validation);
        this.cfg = b.cfg;
        this.embedder = b.embedder;
        this.embedderName = b.embedderName;
        this.priors = Map.copyOf(b.priors);
        this.history = b.history;
        this.bestPerGroup = Map.copyOf(b.bestPerGroup);
        this.out = b.out;
        this.resume = b.resume;
        this.progress = b.progress;
        this.stopAfter = b.stopAfter;
        this.threads = b.threads;
        if (train.isEmpty()) {
            throw new MaestroException("no training tasks: check --tasks and --split");
        }
        this.failedEpisodes = b.failedEpisodes;
        this.trainLog = new TrainLog(out);
        this.warnings = TrainingTasks.check(env, train, validation);
    }

    /** What is worth telling the user before training starts (e.g. a small validation split). */
    public List<String> warnings() {
        return warnings;
    }

    public static Builder builder(Environment env, List<Task> train, TrainConfig cfg,
                                  dev.maestro.policy.embed.TextEmbedder embedder, String embedderName) {
        return new Builder(env, train, cfg, embedder, embedderName);
    }

    public Result run() {
        LearnedPolicy policy = LearnedPolicies.create(cfg.architecture(), cfg.priorWeight(), cfg.historyWeight(), embedder, priors);
        history.ifPresent(policy::history);
        PolicyNetwork net = policy.network();
        Parameters params = net.parameters();
        Adam adam = Adam.builder().learningRate(cfg.learningRate()).clipNorm(1.0).build();
        GrpoLoss loss = new GrpoLoss(new GrpoLoss.Config(cfg.clipEpsilon(), cfg.entropyCoefficient()));
        int stepsPerEpoch = (train.size() + cfg.tasksPerStep() - 1) / cfg.tasksPerStep();
        // Small training sets get more passes, so every suite gets at least minSteps updates.
        int epochs = Math.max(cfg.epochs(), (cfg.minSteps() + stepsPerEpoch - 1) / stepsPerEpoch);
        long total = (long) stepsPerEpoch * epochs;

        long start = 0;
        Parameters best = params.copy();
        double bestAcc = -1;
        long bestStep = 0;
        double initialAcc = Double.NaN;
        if (resume && out.isPresent() && Files.exists(out.get().resolve("last.ckpt"))) {
            Checkpoint.Contents c = Checkpoint.read(out.get().resolve("last.ckpt"));
            checkCompatible(c.header());
            params.copyFrom(c.parameters());
            params.markChanged();
            c.restoreOptimizer(adam, "last.ckpt");
            start = c.header().step();
            bestAcc = ((Number) c.header().notes().get("best_validation_accuracy")).doubleValue();
            bestStep = ((Number) c.header().notes().get("best_step")).longValue();
            initialAcc = ((Number) c.header().notes().get("initial_validation_accuracy")).doubleValue();
            best = Checkpoint.read(out.get().resolve("best.ckpt")).parameters();
            trainLog.truncate(start);
        } else if (out.isPresent()) {
            try {
                Files.createDirectories(out.get());
                Files.deleteIfExists(out.get().resolve("train_log.jsonl"));
            } catch (IOException e) {
                throw new MaestroException("cannot prepare " + out.get() + ": " + e.getMessage(), e);
            }
        }
        if (start == 0) {
            initialAcc = validate(policy);
            bestAcc = initialAcc;
            bestStep = 0;
            best = params.copy();
        }

        progress.start("train", total);
        progress.advance(start);
        ForkJoinPool pool = new ForkJoinPool(threads);
        long episodes = 0;
        long rolloutNanos = 0;
        long t0 = System.nanoTime();
        double[] scores = new double[64];
        double[] dLogits = new double[64];
        boolean[] mask = new boolean[64];
        PolicyNetwork.Workspace ws = net.newWorkspace(64);
        try {
            for (long step = start; step < total; step++) {
                if (step >= stopAfter) {
                    // An interrupted run: what is on disk is exactly what a kill after this step leaves.
                    return new Result(policy.sampling(false), step, bestAcc, bestStep, initialAcc, trainLog.curves(), 0, episodes,
                            trainLog.callShareCurves());
                }
                int epoch = (int) (step / stepsPerEpoch);
                int[] perm = permutation(train.size(), mix(cfg.seed(), 1_000_003L + epoch));
                int from = (int) (step % stepsPerEpoch) * cfg.tasksPerStep();
                int to = Math.min(train.size(), from + cfg.tasksPerStep());
                long stepSeed = mix(cfg.seed(), step);

                // 1. the registry this step sees: a random subset of models, descriptions partly blanked
                Registry reg = stepRegistry(stepSeed);
                Environment stepEnv = env.withRegistry(reg, Map.of());
                LearnedPolicy sampler = policy.hideHistory(hiddenHistory(reg, stepSeed)).sampling(true);
                sampler.encode(reg, RegistryEncoding.of(reg, policy.descriptions(), cfg.descriptionDropout(), stepSeed ^ 0x5DEECE66DL));

                // 2. rollouts: G episodes per task, each with its own seed
                int n = to - from;
                int g = cfg.groupSize();
                EpisodeResult[] results = new EpisodeResult[n * g];
                long r0 = System.nanoTime();
                try {
                    pool.submit(() -> IntStream.range(0, n * g).parallel().forEach(i -> {
                        Task t = train.get(perm[from + i / g]);
                        results[i] = stepEnv.run(t, sampler, mix(stepSeed, i));
                    })).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MaestroException("training interrupted", e);
                } catch (ExecutionException e) {
                    throw new MaestroException("rollout failed: " + e.getCause(), e.getCause());
                }
                rolloutNanos += System.nanoTime() - r0;
                episodes += results.length;
                policy.forget(reg);

                // 3. group-normalised advantages; episodes without information (ungraded, a failed call) masked
                GroupAdvantages.Result ga = GroupAdvantages.compute(results, g, cfg.advantageEpsilon(), failedEpisodes);
                double[] adv = ga.advantages();
                double spread = ga.spreadSum();

                // 4. clipped-ratio updates over all decisions, in a fixed order
                int decisions = 0;
                for (int e = 0; e < results.length; e++) {
                    decisions += ga.masked()[e] ? 0 : results[e].memo().size();
                }
                double clipped = 0;
                double kl = 0;
                double entropy = 0;
                double gradNorm = 0;
                int counted = 0;
                for (int inner = 0; inner < cfg.innerEpochs(); inner++) {
                    params.zeroGradients();
                    for (int e = 0; e < results.length; e++) {
                        if (ga.masked()[e]) {
                            continue;
                        }
                        double a = adv[e];
                        for (Object o : results[e].memo()) {
                            Decision d = (Decision) o;
                            if (scores.length < d.k()) {
                                scores = new double[d.k() * 2];
                                dLogits = new double[d.k() * 2];
                                mask = new boolean[d.k() * 2];
                            }
                            Arrays.fill(mask, 0, d.k(), true);
                            net.forward(d.context(), d.candidates(), d.table(), d.rows(), d.k(), ws, scores);
                            GrpoLoss.Result lr = loss.evaluate(scores, mask, d.k(), d.chosen(), d.logProb(), a, dLogits);
                            if (cfg.klCoefficient() > 0) {
                                addKlGradient(scores, d, mask, dLogits);
                            }
                            if (inner == cfg.innerEpochs() - 1) {
                                clipped += lr.clipped() ? 1 : 0;
                                kl += lr.approxKl();
                                entropy += lr.entropy();
                                counted++;
                            }
                            if (a == 0 && cfg.entropyCoefficient() == 0 && cfg.klCoefficient() == 0) {
                                continue;
                            }
                            double scale = 1.0 / Math.max(1, decisions);
                            for (int j = 0; j < d.k(); j++) {
                                dLogits[j] *= scale;
                            }
                            net.backward(dLogits, ws);
                        }
                    }
                    net.flushGradients();
                    gradNorm = adam.step(params);
                }

                // 5. diagnostics, validation, checkpoints
                Map<String, Object> log = stepLog(step, epoch, results, spread / n, clipped, kl, entropy, counted, gradNorm,
                        episodes, System.nanoTime() - t0, rolloutNanos);
                StepCalls.addTo(log, results, ga.maskedCount());
                boolean validateNow = (step + 1) % cfg.validationEvery() == 0 || step + 1 == total;
                if (validateNow) {
                    double acc = validate(policy);
                    log.put("validation_accuracy", acc);
                    if (acc > bestAcc + 1e-12) {
                        bestAcc = acc;
                        bestStep = step + 1;
                        best = params.copy();
                        if (out.isPresent()) {
                            Checkpoint.write(out.get().resolve("best.ckpt"), header(step + 1, bestAcc, bestStep, initialAcc),
                                    best, Optional.empty(), history);
                        }
                    }
                }
                trainLog.append(log);
                if (out.isPresent() && ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == total)) {
                    if (bestStep == 0 && !Files.exists(out.get().resolve("best.ckpt"))) {
                        Checkpoint.write(out.get().resolve("best.ckpt"), header(step + 1, bestAcc, bestStep, initialAcc),
                                best, Optional.empty(), history);
                    }
                    Checkpoint.write(out.get().resolve("last.ckpt"), header(step + 1, bestAcc, bestStep, initialAcc), params,
                            Optional.of(adam), history);
                }
                progress.advance(1);
            }
        } finally {
            pool.shutdown();
            progress.finish();
        }
        // Keep the parameters that did best on the validation split (early stopping).
        params.copyFrom(best);
        params.markChanged();
        if (out.isPresent()) {
            Checkpoint.write(out.get().resolve("policy.ckpt"), header(total, bestAcc, bestStep, initialAcc), params,
                    Optional.empty(), history);
        }
        double seconds = rolloutNanos / 1e9;
        return new Result(policy.sampling(false), total, bestAcc, bestStep, initialAcc, trainLog.curves(),
                seconds > 0 ? (episodes) / seconds : 0, episodes, trainLog.callShareCurves());
    }

    private void addKlGradient(double[] logits, Decision d, boolean[] mask, double[] dLogits) {
        // KL(π_old‖π) over the candidates; d/dz_j = π_j − π_old,j.
        double lse = MaskedSoftmax.logSumExp(logits, mask, d.k());
        for (int j = 0; j < d.k(); j++) {
            dLogits[j] += cfg.klCoefficient() * (Math.exp(logits[j] - lse) - Math.exp(d.oldLogProbs()[j]));
        }
    }

    private java.util.Set<String> hiddenHistory(Registry reg, long stepSeed) {
        if (cfg.historyDropout() <= 0) {
            return java.util.Set.of();
        }
        SplittableRandom rng = new SplittableRandom(stepSeed ^ 0x61C8864680B583EBL);
        java.util.Set<String> out = new java.util.HashSet<>();
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

    /**
     * Greedy accuracy on the validation split (or the training batch order's first tasks when there is none), over the
     * episodes training counts (see {@link GroupAdvantages#masked}).
     */
    private double validate(LearnedPolicy policy) {
        List<Task> tasks = validation.isEmpty() ? train : validation;
        LearnedPolicy greedy = policy.sampling(false);
        double s = 0;
        int graded = 0;
        for (Task t : tasks) {
            EpisodeResult r = env.run(t, greedy, mix(cfg.seed(), t.id().hashCode()));
            // early stopping judges what the loss saw: masked episodes carry no information here either
            if (!GroupAdvantages.masked(r, failedEpisodes)) {
                s += r.grade();
                graded++;
            }
        }
        return graded == 0 ? 0 : s / graded;
    }

    private Map<String, Object> stepLog(long step, int epoch, EpisodeResult[] results, double spread, double clipped,
                                        double kl, double entropy, int counted, double gradNorm, long episodes,
                                        long elapsed, long rolloutNanos) {
        double reward = 0;
        double acc = 0;
        int graded = 0;
        double calls = 0;
        double cost = 0;
        Map<String, Integer> share = new TreeMap<>();
        int totalCalls = 0;
        for (EpisodeResult r : results) {
            reward += r.reward();
            acc += r.grade();
            graded += r.graded() ? 1 : 0;
            calls += r.calls();
            cost += r.costUsd();
            for (Step s : r.steps()) {
                for (Observation o : s.observations()) {
                    share.merge(o.call().pair().id(), 1, Integer::sum);
                    totalCalls++;
                }
            }
        }
        int n = results.length;
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("step", step + 1);
        log.put("epoch", epoch + 1);
        log.put("reward_mean", round(reward / n));
        log.put("reward_group_std", round(spread));
        log.put("accuracy", round(graded == 0 ? 0 : acc / graded)); // ungraded episodes add 0 to acc
        log.put("calls_per_episode", round(calls / n));
        log.put("cost_per_episode", round(cost / n));
        log.put("clip_fraction", round(counted == 0 ? 0 : clipped / counted));
        log.put("approx_kl", round(counted == 0 ? 0 : kl / counted));
        log.put("entropy", round(counted == 0 ? 0 : entropy / counted));
        log.put("grad_norm", round(gradNorm));
        Map<String, Double> shares = new LinkedHashMap<>();
        String top = null;
        double topShare = 0;
        for (Map.Entry<String, Integer> e : share.entrySet()) {
            double v = e.getValue() / (double) Math.max(1, totalCalls);
            shares.put(e.getKey(), round(v));
            if (v > topShare) {
                topShare = v;
                top = e.getKey();
            }
        }
        log.put("call_share", shares);
        if (top != null && topShare > 0.9) {
            String t = top;
            List<String> better = bestPerGroup.entrySet().stream().filter(e -> !e.getValue().id().equals(t))
                    .map(e -> e.getKey() + "→" + e.getValue().id()).toList();
            if (!better.isEmpty()) {
                log.put("routing_collapse_alarm", t + " takes " + Math.round(100 * topShare)
                        + "% of calls while other pairs are better on groups " + better);
            }
        }
        log.put("episodes_per_s", round(episodes / (rolloutNanos / 1e9)));
        log.put("elapsed_s", round(elapsed / 1e9));
        return log;
    }

    private Checkpoint.Header header(long step, double bestAcc, long bestStep, double initialAcc) {
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("best_validation_accuracy", bestAcc);
        notes.put("best_step", bestStep);
        notes.put("initial_validation_accuracy", initialAcc);
        notes.put("train_tasks", train.size());
        notes.put("validation_tasks", validation.size());
        return new Checkpoint.Header(Checkpoint.FORMAT, env.registry().name(), env.registry().fingerprint(), embedderName,
                cfg.architecture().projectionSeed(), configJson(cfg), step, LearnedPolicies.priorIds(priors), notes);
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

    /** Per step, the share of calls of the pairs that were most called at the end (at most 6). */
    public static Map<String, List<Double>> callShareCurves(List<Map<String, Object>> log) {
        return TrainLog.callShareCurves(log);
    }

    /** Top call shares of the last step (for reports). */
    public Map<String, Double> lastCallShare() {
        return trainLog.lastCallShare();
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

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Builder: the environment, tasks, config and embedder are required; the rest has defaults. */
    public static final class Builder {
        private final Environment env;
        private final List<Task> train;
        private final TrainConfig cfg;
        private final dev.maestro.policy.embed.TextEmbedder embedder;
        private final String embedderName;
        private List<Task> validation = List.of();
        private Map<Pair, Double> priors = Map.of();
        private Optional<dev.maestro.policy.PairHistory> history = Optional.empty();
        private Map<String, Pair> bestPerGroup = Map.of();
        private Optional<Path> out = Optional.empty();
        private boolean resume;
        private Progress progress = Progress.NONE;
        private long stopAfter = Long.MAX_VALUE;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private GroupAdvantages.FailedEpisodes failedEpisodes = GroupAdvantages.FailedEpisodes.MASK;

        private Builder(Environment env, List<Task> train, TrainConfig cfg, dev.maestro.policy.embed.TextEmbedder embedder,
                        String embedderName) {
            this.env = env;
            this.train = train;
            this.cfg = cfg;
            this.embedder = embedder;
            this.embedderName = embedderName;
        }

        public Builder validation(List<Task> v) { this.validation = v; return this; }
        public Builder priors(Map<Pair, Double> v) { this.priors = v; return this; }
        /** Training-split outcomes of each pair on similar questions (a policy feature, see PairHistory). */
        public Builder history(dev.maestro.policy.PairHistory v) { this.history = Optional.of(v); return this; }
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
