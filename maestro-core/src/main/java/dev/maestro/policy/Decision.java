package dev.maestro.policy;

import dev.maestro.policy.nn.CandidateTable;

/**
 * One sampled decision of the learned policy, kept for the GRPO update: the inputs of the forward
 * pass, which candidate was taken, and its log-probability under the policy that collected it.
 */
public record Decision(double[] context, double[] candidates, CandidateTable table, int[] rows, int k, int chosen,
                       double logProb, double[] oldLogProbs, boolean call) {
}
