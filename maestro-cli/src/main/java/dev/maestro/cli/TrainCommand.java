package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.eval.PairMatrix;
import dev.maestro.experiment.Workbench;
import dev.maestro.expert.PairHealth;
import dev.maestro.Progress;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.runtime.Embedders;
import dev.maestro.policy.PairHistory;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains the learned policy with GRPO on a suite's training split. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the lightweight policy with GRPO on the training split (minus the validation split,",
                "used to keep the best checkpoint). Writes policy.ckpt, best.ckpt, last.ckpt and train_log.jsonl.",
                "A killed run continues with --resume and ends exactly where an uninterrupted one would.",
                "Exit status 3 when some pair is unusable (auth failure, unreachable, >= 50%% failed calls): checked",
                "after one call of every pair on every training task (then nothing is trained) and again at the end."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    EvalCommandSupport where;

    @Option(names = "--split", defaultValue = "train", description = "Split to train on (only 'train' is allowed: "
            + "test tasks are never trained on).")
    String split;

    @Option(names = "--out", required = true, description = "Run folder for checkpoints and logs.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--epochs", description = "Passes over the training tasks (default: 4).")
    Optional<Integer> epochs;

    @Option(names = "--group-size", description = "G, episodes per task per step (default: 8).")
    Optional<Integer> groupSize;

    @Option(names = "--lr", description = "Adam learning rate (default: 0.003).")
    Optional<Double> lr;

    @Option(names = "--cost-weights", split = ",", paramLabel = "MIN,MAX", description = {
            "Range of cost weights sampled per episode group (log-uniform; one policy learns the whole cost-quality "
            + "curve; see docs/policy.md). Default: 0.003,1."})
    List<Double> costWeights;

    @Option(names = "--lambda-call", description = "Reward penalty per call (default: 0.001).")
    Optional<Double> lambdaCall;

    @Option(names = "--min-steps", description = "At least this many optimisation steps; small suites get more epochs (default: 200).")
    Optional<Integer> minSteps;

    @Option(names = "--registry-dropout", description = "Probability of hiding each model per step (default: 0).")
    Optional<Double> registryDropout;

    @Option(names = "--seed", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Rollout threads (default: number of cores).")
    Optional<Integer> threads;

    @Option(names = "--embedder", defaultValue = Embedders.DEFAULT, description = "Embedder: bge-small-en-v1.5-q or hashing-384 "
            + "(default: ${DEFAULT-VALUE}); the checkpoint records it.")
    String embedder;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        if (!split.equals("train")) {
            throw new MaestroException("--split must be 'train' (got '" + split + "'): the policy never trains on validation or test tasks");
        }
        TrainConfig cfg = TrainConfig.DEFAULT.withSeed(seed);
        int n = threads.orElse(Runtime.getRuntime().availableProcessors());
        if (epochs.isPresent()) cfg = cfg.withEpochs(epochs.get());
        if (groupSize.isPresent()) cfg = cfg.withGroupSize(groupSize.get());
        if (lr.isPresent()) cfg = cfg.withLearningRate(lr.get());
        if (costWeights != null) {
            if (costWeights.size() != 2 || !(costWeights.get(0) > 0) || !(costWeights.get(1) >= costWeights.get(0))) {
                throw new MaestroException("--cost-weights must be MIN,MAX with 0 < MIN <= MAX, got " + costWeights);
            }
            cfg = cfg.withCostWeights(costWeights.get(0), costWeights.get(1));
        }
        if (lambdaCall.isPresent()) {
            if (!(lambdaCall.get() >= 0)) {
                throw new MaestroException("--lambda-call must be >= 0, got " + lambdaCall.get());
            }
            cfg = cfg.withLambdaCall(lambdaCall.get());
        }
        if (minSteps.isPresent()) cfg = cfg.withMinSteps(minSteps.get());
        if (registryDropout.isPresent()) cfg = cfg.withRegistryDropout(registryDropout.get());
        CliProgress progress = new CliProgress(!noProgress);
        try (Workbench wb = where.open(Workbench.Options.defaults());
             CachingEmbedder emb = CliEnv.embedders().open(embedder)) {
            List<Task> train = wb.part(Split.Part.TRAIN);
            List<Task> val = wb.part(Split.Part.VALIDATION);
            PairMatrix m = PairMatrix.compute(wb.env(), train, seed, n, Progress.NONE);
            // every pair has now answered every training task once: stop before training on an unusable one
            List<PairHealth> unusable = wb.health().stream().filter(h -> h.verdict() == PairHealth.Verdict.UNUSABLE).toList();
            if (!unusable.isEmpty()) {
                Health.report("train", unusable, System.err);
                System.err.println("maestro train: not training: fix the endpoint or remove the model from the registry");
                return Health.UNUSABLE;
            }
            GrpoTrainer trainer = GrpoTrainer.builder(wb.env(), train, cfg, emb, emb.name()).threads(n).validation(val)
                    .priors(m.accuracies()).costs(m.meanCosts()).history(PairHistory.build(train, m.gradesByPair(), emb))
                    .bestPerGroup(m.bestPerLabel(t -> Optional.of(t.group()))).out(out).resume(resume).progress(progress)
                    .build();
            trainer.warnings().forEach(w -> System.err.println("maestro train: warning: " + w));
            GrpoTrainer.Result r = trainer.run();
            emb.save();
            System.out.printf(Locale.ROOT,
                    "trained %d steps (%d episodes, %.0f episodes/s in rollouts); validation score %.4f at step %d "
                            + "(initial %.4f); default cost weight %s (chosen on validation)%npolicy: %s%n", r.steps(),
                    r.episodes(), r.episodesPerSecond(), r.bestValidationScore(), r.bestStep(), r.initialValidationScore(),
                    r.policy().defaultCostWeight(), out.resolve("policy.ckpt").toAbsolutePath());
            if (wb.runtime().cache().isPresent()) {
                var c = wb.runtime().cacheStats();
                System.out.printf(Locale.ROOT, "expert cache %s: %d calls answered from the cache, %d made%n",
                        wb.runtime().cache().get(), c.hits(), c.misses());
            }
            return Health.report("train", wb.health(), System.err);
        }
    }
}
