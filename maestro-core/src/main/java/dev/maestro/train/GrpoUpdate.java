package dev.maestro.train;

import dev.maestro.policy.Decision;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.nn.Adam;
import dev.maestro.policy.nn.GrpoLoss;
import dev.maestro.policy.nn.MaskedSoftmax;
import dev.maestro.policy.nn.Parameters;
import dev.maestro.policy.nn.PolicyNetwork;
import java.util.Arrays;
import java.util.List;

/**
 * The clipped-ratio update of one GRPO step: {@code innerEpochs} Adam steps over the step's decisions, in a fixed
 * order (so the checkpoint does not depend on the number of rollout threads). Decisions come in groups that share
 * a state (branched rollouts: one state, every candidate taken once), scored by one forward pass and one backward
 * pass with the members' loss gradients averaged by their weights; a plain GRPO decision is a group of one. Groups
 * are weighted equally.
 */
final class GrpoUpdate {
    /**
     * One recorded decision, the advantage of its episode and its weight within its group (the group's weights sum
     * to 1: equal for plain GRPO, the policy's probability of the candidate for branched groups).
     */
    record Sample(Decision decision, double advantage, double weight) {
    }

    /** Diagnostics of the last inner epoch. */
    record Stats(double clipped, double approxKl, double entropy, double gradNorm, int counted) {
    }

    private final PolicyNetwork net;
    private final Parameters params;
    private final Adam adam;
    private final GrpoLoss loss;
    private final TrainConfig cfg;
    private final PolicyNetwork.Workspace ws;
    private double[] scores = new double[64];
    private double[] dLogits = new double[64];
    private double[] member = new double[64];
    private boolean[] mask = new boolean[64];

    GrpoUpdate(PolicyNetwork net, Adam adam, GrpoLoss loss, TrainConfig cfg) {
        this.net = net;
        this.params = net.parameters();
        this.adam = adam;
        this.loss = loss;
        this.cfg = cfg;
        this.ws = net.newWorkspace(64);
    }

    Stats run(List<List<Sample>> groups) {
        double clipped = 0;
        double kl = 0;
        double entropy = 0;
        double gradNorm = 0;
        int counted = 0;
        for (int inner = 0; inner < cfg.innerEpochs(); inner++) {
            params.zeroGradients();
            for (List<Sample> group : groups) {
                Decision d = group.get(0).decision();
                int k = d.k();
                if (scores.length < k) {
                    scores = new double[k * 2];
                    dLogits = new double[k * 2];
                    member = new double[k * 2];
                    mask = new boolean[k * 2];
                }
                Arrays.fill(mask, 0, k, true);
                Arrays.fill(dLogits, 0, k, 0);
                net.forward(d.context(), d.candidates(), d.table(), d.rows(), k, ws, scores);
                for (Sample s : group) {
                    double share = s.weight() / groups.size();
                    Decision m = s.decision();
                    GrpoLoss.Result lr = loss.evaluate(scores, mask, k, m.chosen(), m.logProb(), s.advantage(), member);
                    if (cfg.klCoefficient() > 0) {
                        addKlGradient(scores, m, mask, member);
                    }
                    for (int j = 0; j < k; j++) {
                        dLogits[j] += share * member[j];
                    }
                    if (inner == cfg.innerEpochs() - 1) {
                        clipped += lr.clipped() ? 1 : 0;
                        kl += lr.approxKl();
                        entropy += lr.entropy();
                        counted++;
                    }
                }
                net.backward(dLogits, ws);
            }
            net.flushGradients();
            LearnedPolicies.holdFixedWeights(params);
            gradNorm = adam.step(params);
        }
        return new Stats(clipped, kl, entropy, gradNorm, counted);
    }

    private void addKlGradient(double[] logits, Decision d, boolean[] mask, double[] dLogits) {
        // KL(π_old‖π) over the candidates; d/dz_j = π_j − π_old,j.
        double lse = MaskedSoftmax.logSumExp(logits, mask, d.k());
        for (int j = 0; j < d.k(); j++) {
            dLogits[j] += cfg.klCoefficient() * (Math.exp(logits[j] - lse) - Math.exp(d.oldLogProbs()[j]));
        }
    }
}
