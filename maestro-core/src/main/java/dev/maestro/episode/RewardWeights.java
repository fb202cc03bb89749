package dev.maestro.episode;

/**
 * Reward = graded correctness in [0,1] − λ_cost · cost in dollars − λ_call · calls − format penalty · malformed turns.
 *
 * @param costPerDollar  λ_cost
 * @param perCall        λ_call
 * @param formatPenalty  per malformed turn (LLM policies)
 */
public record RewardWeights(double costPerDollar, double perCall, double formatPenalty) {
    public static final RewardWeights DEFAULT = new RewardWeights(1.0, 0.01, 0.1);
    public static final RewardWeights CORRECTNESS_ONLY = new RewardWeights(0, 0, 0);

    public double reward(double grade, double costUsd, int calls, int malformed) {
        return grade - costPerDollar * costUsd - perCall * calls - formatPenalty * malformed;
    }
}
