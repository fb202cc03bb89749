package dev.maestro.train;

import dev.maestro.MaestroException;
import java.util.List;

/**
 * Everything that determines a GRPO training run (CleanRL style: one documented record). Two runs with
 * the same config, registry, tasks and seed produce the same checkpoint.
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
 * @param lambdaCost         reward penalty per dollar spent
 * @param lambdaCall         reward penalty per expert call
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
 * @param historyWeight      initial weight of the candidate's accuracy on similar training questions
 * @param minSteps           at least this many optimisation steps (small suites get more epochs)
 * @param validationEvery    steps between validation evaluations (best validation checkpoint is kept)
 * @param checkpointEvery    steps between checkpoints
 * @param threads            rollout threads (updates are single-threaded and ordered, so results do not depend on it)
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
        double lambdaCost,
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
        int minSteps,
        int validationEvery,
        int checkpointEvery,
        int threads) {

    public static final TrainConfig DEFAULT = new TrainConfig(8, 32, 4, 2, 0.1, 0.2, 0.01, 0.01, 0.0, 1.0, 0.005, 4, 4, 7,
            List.of(64, 32), 64, 0.0, 0.0, 0.25, 0.5, 0.25, 200, 10, 25, 2);

    public TrainConfig {
        hidden = List.copyOf(hidden);
        if (groupSize < 2) {
            throw new MaestroException("group size must be >= 2 (GRPO normalises rewards within a group), got " + groupSize);
        }
        if (tasksPerStep < 1 || epochs < 0 || innerEpochs < 1 || maxTurns < 1 || maxCalls < 0 || projection < 1
                || validationEvery < 1 || checkpointEvery < 1 || threads < 1 || hidden.isEmpty()) {
            throw new MaestroException("invalid training config: " + this);
        }
        if (!(advantageEpsilon > 0) || !(learningRate > 0) || !(clipEpsilon > 0 && clipEpsilon < 1) || entropyCoefficient < 0 || klCoefficient < 0
                || registryDropout < 0 || registryDropout >= 1 || descriptionDropout < 0 || descriptionDropout >= 1
                || historyDropout < 0 || historyDropout > 1) {
            throw new MaestroException("invalid training config values: " + this);
        }
    }

    public TrainConfig withEpochs(int v) { return copy(b -> b.epochs = v); }
    public TrainConfig withSeed(long v) { return copy(b -> b.seed = v); }
    public TrainConfig withThreads(int v) { return copy(b -> b.threads = v); }
    public TrainConfig withRegistryDropout(double v) { return copy(b -> b.registryDropout = v); }
    public TrainConfig withDescriptionDropout(double v) { return copy(b -> b.descriptionDropout = v); }
    public TrainConfig withHistoryDropout(double v) { return copy(b -> b.historyDropout = v); }
    public TrainConfig withTasksPerStep(int v) { return copy(b -> b.tasksPerStep = v); }
    public TrainConfig withGroupSize(int v) { return copy(b -> b.groupSize = v); }
    public TrainConfig withLambdas(double cost, double call) { return copy(b -> { b.lambdaCost = cost; b.lambdaCall = call; }); }
    public TrainConfig withLearningRate(double v) { return copy(b -> b.learningRate = v); }
    public TrainConfig withMaxCalls(int v) { return copy(b -> b.maxCalls = v); }
    public TrainConfig withPriorWeights(double prior, double history) { return copy(b -> { b.priorWeight = prior; b.historyWeight = history; }); }
    public TrainConfig withMinSteps(int v) { return copy(b -> b.minSteps = v); }
    public TrainConfig withAdvantageEpsilon(double v) { return copy(b -> b.advantageEpsilon = v); }
    public TrainConfig withEntropy(double v) { return copy(b -> b.entropyCoefficient = v); }
    public TrainConfig withHidden(List<Integer> v) { return copy(b -> b.hidden = v); }
    public TrainConfig withValidationEvery(int v) { return copy(b -> b.validationEvery = v); }

    private TrainConfig copy(java.util.function.Consumer<Mutable> f) {
        Mutable m = new Mutable(this);
        f.accept(m);
        return m.build();
    }

    private static final class Mutable {
        int groupSize, tasksPerStep, epochs, innerEpochs, maxTurns, maxCalls, projection, validationEvery, checkpointEvery, threads;
        double advantageEpsilon, clipEpsilon, learningRate, entropyCoefficient, klCoefficient, lambdaCost, lambdaCall, registryDropout, descriptionDropout, historyDropout, priorWeight, historyWeight;
        int minSteps;
        long seed;
        List<Integer> hidden;

        Mutable(TrainConfig c) {
            groupSize = c.groupSize; tasksPerStep = c.tasksPerStep; epochs = c.epochs; innerEpochs = c.innerEpochs;
            advantageEpsilon = c.advantageEpsilon;
            clipEpsilon = c.clipEpsilon; learningRate = c.learningRate; entropyCoefficient = c.entropyCoefficient;
            klCoefficient = c.klCoefficient; lambdaCost = c.lambdaCost; lambdaCall = c.lambdaCall; maxTurns = c.maxTurns;
            maxCalls = c.maxCalls; seed = c.seed; hidden = c.hidden; projection = c.projection;
            registryDropout = c.registryDropout; descriptionDropout = c.descriptionDropout; historyDropout = c.historyDropout;
            priorWeight = c.priorWeight; historyWeight = c.historyWeight; minSteps = c.minSteps;
            validationEvery = c.validationEvery; checkpointEvery = c.checkpointEvery; threads = c.threads;
        }

        TrainConfig build() {
            return new TrainConfig(groupSize, tasksPerStep, epochs, innerEpochs, advantageEpsilon, clipEpsilon, learningRate, entropyCoefficient,
                    klCoefficient, lambdaCost, lambdaCall, maxTurns, maxCalls, seed, hidden, projection, registryDropout,
                    descriptionDropout, historyDropout, priorWeight, historyWeight, minSteps, validationEvery, checkpointEvery, threads);
        }
    }
}
