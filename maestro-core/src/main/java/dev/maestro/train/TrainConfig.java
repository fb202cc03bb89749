package dev.maestro.train;

import dev.maestro.MaestroException;
import dev.maestro.policy.PolicyArchitecture;
import java.util.List;

/**
 * Everything that determines a GRPO training run (CleanRL style: one documented record). Two runs with
 * the same config, registry, tasks and seed produce the same checkpoint, whatever the number of rollout threads
 * (a trainer setting, not part of the config). Build one with {@link #builder()} or derive one with
 * {@link #toBuilder()}.
 *
 * @param groupSize          G: episodes per task per step; advantages are normalised within the group
 * @param tasksPerStep       tasks per optimisation step (G × this = episodes per step)
 * @param epochs             passes over the training tasks
 * @param innerEpochs        gradient steps on each batch of rollouts (the clipped ratio keeps them close)
 * @param advantageEpsilon   ε in A = (R − mean) / (std + ε). Not a mere guard against division by zero: when a
 *                           group's episodes are all right (or all wrong) their rewards differ only by cost, and
 *                           a tiny ε would blow those cost differences up to full-size advantages — the policy then
 *                           drifts to the cheapest pair whatever its accuracy. 0.1 keeps such groups' advantages small.
 * @param clipEpsilon        ε of the clipped ratio objective
 * @param learningRate       Adam step size
 * @param entropyCoefficient β: bonus on the policy's entropy (keeps exploration alive)
 * @param klCoefficient      weight of an exact KL(π_old‖π) penalty to the policy that collected the rollouts
 *                           (a trust region on top of the clip; 0 = off)
 * @param minCostWeight      smallest cost weight W sampled for an episode group (reward = grade − W · cost / reference
 *                           cost − λ_call · calls; the reference is the best training pair's mean cost per task)
 * @param maxCostWeight      largest W sampled (log-uniform between the two); one policy learns the whole range
 * @param lambdaCall         reward penalty per expert call (small: with several calls it must stay below the gain
 *                           a well-placed second call brings)
 * @param maxTurns           turns per episode
 * @param maxCalls           calls per episode
 * @param seed               seeds initialisation, shuffling, rollouts and dropout
 * @param hidden             hidden layer sizes of the scoring MLP
 * @param projection         dimensions the question embedding is projected to
 * @param registryDropout    probability of hiding each model for one step (so the policy cannot rely on one)
 * @param descriptionDropout probability of blanking each description for one step (so it learns to read them)
 * @param historyDropout     probability of hiding each model's training-split history for one step (so it also
 *                           learns to choose from descriptions alone, as it must for models added later)
 * @param priorWeight        initial weight of the candidate's training-split accuracy in its score: the untrained
 *                           policy then leans toward the best single pair (the prior it must beat to move away from)
 * @param historyWeight      initial weight of the candidate's accuracy on its {@code PairHistory.K} most similar
 *                           training questions
 * @param wideWeight         initial weight of its accuracy on the {@code PairHistory.WIDE_K} most similar ones
 * @param minSteps           at least this many optimisation steps (small suites get more epochs)
 * @param validationEvery    steps between validation evaluations (best validation checkpoint is kept)
 * @param checkpointEvery    steps between checkpoints
 * @param maxTrainTasks      train on a seeded sample of at most this many training tasks (0 = all): large suites
 *                           learn as much from a sample, in a fraction of the time
 * @param maxSteps           stop after this many optimisation steps (0 = no limit beyond epochs and minSteps)
 * @param exploreShare       share of a step's episode groups that may not answer before their 2nd or 3rd call (they
 *                           still choose which experts to call): exploration, so the policy experiences and learns to
 *                           read several answers, states it would rarely reach by chance. 0 = off
 * @param branched           branched rollouts: per task, a greedy episode, then G episodes that share its greedy
 *                           prefix, sample one decision at a random turn of it and play greedily after it; the group's
 *                           rewards then compare the alternatives of one decision, free of the noise of later samples.
 *                           false: G independent sampled episodes (plain GRPO)
 */
public record TrainConfig(
        int groupSize,
        int tasksPerStep,
        int epochs,
        int innerEpochs,
        double advantageEpsilon,
        double clipEpsilon,
        double learningRate,
        double entropyCoefficient,
        double klCoefficient,
        double minCostWeight,
        double maxCostWeight,
        double lambdaCall,
        int maxTurns,
        int maxCalls,
        long seed,
        List<Integer> hidden,
        int projection,
        double registryDropout,
        double descriptionDropout,
        double historyDropout,
        double priorWeight,
        double historyWeight,
        double wideWeight,
        int minSteps,
        int validationEvery,
        int checkpointEvery,
        int maxTrainTasks,
        int maxSteps,
        double exploreShare,
        boolean branched) {

    public static final TrainConfig DEFAULT = builder().build();

    public TrainConfig {
        hidden = List.copyOf(hidden);
        if (groupSize < 2) {
            throw new MaestroException("group size must be >= 2 (GRPO normalises rewards within a group), got " + groupSize);
        }
        if (tasksPerStep < 1 || epochs < 0 || innerEpochs < 1 || maxTurns < 1 || maxCalls < 0 || projection < 1
                || validationEvery < 1 || checkpointEvery < 1 || hidden.isEmpty() || maxTrainTasks < 0 || maxSteps < 0) {
            throw new MaestroException("invalid training config: " + this);
        }
        if (!(advantageEpsilon > 0) || !(learningRate > 0) || !(clipEpsilon > 0 && clipEpsilon < 1) || entropyCoefficient < 0 || klCoefficient < 0
                || registryDropout < 0 || registryDropout >= 1 || descriptionDropout < 0 || descriptionDropout >= 1
                || historyDropout < 0 || historyDropout > 1 || !(minCostWeight > 0) || !(maxCostWeight >= minCostWeight)
                || Double.isInfinite(maxCostWeight) || lambdaCall < 0 || !(exploreShare >= 0 && exploreShare <= 1)) {
            throw new MaestroException("invalid training config values: " + this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.groupSize = groupSize;
        b.tasksPerStep = tasksPerStep;
        b.epochs = epochs;
        b.innerEpochs = innerEpochs;
        b.advantageEpsilon = advantageEpsilon;
        b.clipEpsilon = clipEpsilon;
        b.learningRate = learningRate;
        b.entropyCoefficient = entropyCoefficient;
        b.klCoefficient = klCoefficient;
        b.minCostWeight = minCostWeight;
        b.maxCostWeight = maxCostWeight;
        b.lambdaCall = lambdaCall;
        b.maxTurns = maxTurns;
        b.maxCalls = maxCalls;
        b.seed = seed;
        b.hidden = hidden;
        b.projection = projection;
        b.registryDropout = registryDropout;
        b.descriptionDropout = descriptionDropout;
        b.historyDropout = historyDropout;
        b.priorWeight = priorWeight;
        b.historyWeight = historyWeight;
        b.wideWeight = wideWeight;
        b.minSteps = minSteps;
        b.validationEvery = validationEvery;
        b.checkpointEvery = checkpointEvery;
        b.maxTrainTasks = maxTrainTasks;
        b.maxSteps = maxSteps;
        b.exploreShare = exploreShare;
        b.branched = branched;
        return b;
    }

    /** The shape of the scoring network this config trains (what a checkpoint needs to be loaded). */
    public PolicyArchitecture architecture() {
        return new PolicyArchitecture(hidden, projection, seed);
    }

    public TrainConfig withEpochs(int v) { return toBuilder().epochs(v).build(); }
    public TrainConfig withSeed(long v) { return toBuilder().seed(v).build(); }
    public TrainConfig withRegistryDropout(double v) { return toBuilder().registryDropout(v).build(); }
    public TrainConfig withDescriptionDropout(double v) { return toBuilder().descriptionDropout(v).build(); }
    public TrainConfig withHistoryDropout(double v) { return toBuilder().historyDropout(v).build(); }
    public TrainConfig withTasksPerStep(int v) { return toBuilder().tasksPerStep(v).build(); }
    public TrainConfig withGroupSize(int v) { return toBuilder().groupSize(v).build(); }
    public TrainConfig withCostWeights(double min, double max) { return toBuilder().minCostWeight(min).maxCostWeight(max).build(); }
    public TrainConfig withLambdaCall(double v) { return toBuilder().lambdaCall(v).build(); }
    public TrainConfig withMaxTrainTasks(int v) { return toBuilder().maxTrainTasks(v).build(); }
    public TrainConfig withMaxSteps(int v) { return toBuilder().maxSteps(v).build(); }
    public TrainConfig withLearningRate(double v) { return toBuilder().learningRate(v).build(); }
    public TrainConfig withMaxCalls(int v) { return toBuilder().maxCalls(v).build(); }
    public TrainConfig withPriorWeights(double prior, double history) { return toBuilder().priorWeight(prior).historyWeight(history).build(); }
    public TrainConfig withMinSteps(int v) { return toBuilder().minSteps(v).build(); }
    public TrainConfig withAdvantageEpsilon(double v) { return toBuilder().advantageEpsilon(v).build(); }
    public TrainConfig withEntropy(double v) { return toBuilder().entropyCoefficient(v).build(); }
    public TrainConfig withHidden(List<Integer> v) { return toBuilder().hidden(v).build(); }
    public TrainConfig withValidationEvery(int v) { return toBuilder().validationEvery(v).build(); }

    /** Builds a {@link TrainConfig}; every value starts at its documented default. */
    public static final class Builder {
        private int groupSize = 8;
        private int tasksPerStep = 32;
        private int epochs = 4;
        private int innerEpochs = 2;
        private double advantageEpsilon = 0.1;
        private double clipEpsilon = 0.2;
        private double learningRate = 0.01;
        private double entropyCoefficient = 0.01;
        private double klCoefficient = 0.0;
        private double minCostWeight = 0.001;
        private double maxCostWeight = 0.3;
        private double lambdaCall = 0.001;
        private int maxTurns = 4;
        private int maxCalls = 4;
        private long seed = 7;
        private List<Integer> hidden = List.of(64, 32);
        private int projection = 64;
        private double registryDropout = 0.0;
        private double descriptionDropout = 0.0;
        private double historyDropout = 0.25;
        private double priorWeight = 0.5;
        private double historyWeight = 0.25;
        private double wideWeight = 0.0;
        private int minSteps = 200;
        private int validationEvery = 10;
        private int checkpointEvery = 25;
        private int maxTrainTasks = 2048;
        private int maxSteps = 0;
        private double exploreShare = 0.0;
        private boolean branched = false;

        private Builder() {
        }

        public Builder groupSize(int v) { this.groupSize = v; return this; }
        public Builder tasksPerStep(int v) { this.tasksPerStep = v; return this; }
        public Builder epochs(int v) { this.epochs = v; return this; }
        public Builder innerEpochs(int v) { this.innerEpochs = v; return this; }
        public Builder advantageEpsilon(double v) { this.advantageEpsilon = v; return this; }
        public Builder clipEpsilon(double v) { this.clipEpsilon = v; return this; }
        public Builder learningRate(double v) { this.learningRate = v; return this; }
        public Builder entropyCoefficient(double v) { this.entropyCoefficient = v; return this; }
        public Builder klCoefficient(double v) { this.klCoefficient = v; return this; }
        public Builder minCostWeight(double v) { this.minCostWeight = v; return this; }
        public Builder maxCostWeight(double v) { this.maxCostWeight = v; return this; }
        public Builder lambdaCall(double v) { this.lambdaCall = v; return this; }
        public Builder maxTurns(int v) { this.maxTurns = v; return this; }
        public Builder maxCalls(int v) { this.maxCalls = v; return this; }
        public Builder seed(long v) { this.seed = v; return this; }
        public Builder hidden(List<Integer> v) { this.hidden = v; return this; }
        public Builder projection(int v) { this.projection = v; return this; }
        public Builder registryDropout(double v) { this.registryDropout = v; return this; }
        public Builder descriptionDropout(double v) { this.descriptionDropout = v; return this; }
        public Builder historyDropout(double v) { this.historyDropout = v; return this; }
        public Builder priorWeight(double v) { this.priorWeight = v; return this; }
        public Builder historyWeight(double v) { this.historyWeight = v; return this; }
        public Builder wideWeight(double v) { this.wideWeight = v; return this; }
        public Builder minSteps(int v) { this.minSteps = v; return this; }
        public Builder validationEvery(int v) { this.validationEvery = v; return this; }
        public Builder checkpointEvery(int v) { this.checkpointEvery = v; return this; }
        public Builder maxTrainTasks(int v) { this.maxTrainTasks = v; return this; }
        public Builder maxSteps(int v) { this.maxSteps = v; return this; }
        public Builder exploreShare(double v) { this.exploreShare = v; return this; }
        public Builder branched(boolean v) { this.branched = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(groupSize, tasksPerStep, epochs, innerEpochs, advantageEpsilon, clipEpsilon, learningRate,
                    entropyCoefficient, klCoefficient, minCostWeight, maxCostWeight, lambdaCall, maxTurns, maxCalls, seed, hidden,
                    projection, registryDropout, descriptionDropout, historyDropout, priorWeight, historyWeight, wideWeight, minSteps,
                    validationEvery, checkpointEvery, maxTrainTasks, maxSteps, exploreShare, branched);
        }
    }
}
