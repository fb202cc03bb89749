package dev.maestro.policy;

import dev.maestro.MaestroException;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.policy.nn.Activation;
import dev.maestro.policy.nn.Mlp;
import dev.maestro.policy.nn.Parameters;
import dev.maestro.registry.Pair;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Creates learned policies of a given architecture, and loads them from checkpoints. */
public final class LearnedPolicies {
    /** Resolves an embedder by the name stored in a checkpoint. */
    @FunctionalInterface
    public interface EmbedderResolver {
        TextEmbedder resolve(String name);
    }

    private LearnedPolicies() {
    }

    /**
     * A fresh policy whose skip connections start at {@code priorWeight} on the candidate's training-split accuracy and
     * {@code historyWeight} on its accuracy on similar questions, so the untrained policy leans to the best pair.
     */
    public static LearnedPolicy create(PolicyArchitecture arch, double priorWeight, double historyWeight,
                                       TextEmbedder embedder, Map<Pair, Double> priors) {
        return create(arch, priorWeight, historyWeight, 0, embedder, priors);
    }

    /** As above, with {@code wideWeight} on the candidate's accuracy over its wider neighbourhood of questions. */
    public static LearnedPolicy create(PolicyArchitecture arch, double priorWeight, double historyWeight, double wideWeight,
                                       TextEmbedder embedder, Map<Pair, Double> priors) {
        LearnedPolicy p = build(arch, embedder, null, priors);
        Parameters params = p.network().parameters();
        // The deep path starts silent: with random output weights its noise (~0.1 logit per candidate) outweighed
        // the few points of accuracy between good pairs, so the untrained policy routed at random among them instead
        // of leaning on the best one. Its hidden layers stay random, so the first updates still move it.
        Parameters.View out = params.view("out.w");
        Arrays.fill(params.values(), out.offset(), out.offset() + out.size(), 0.0);
        lean(p, priorWeight, historyWeight, wideWeight);
        return p;
    }

    /**
     * Sets the skip path of a fresh policy to lean on the candidate's training-split accuracy ({@code priorWeight}),
     * its accuracy on similar questions ({@code historyWeight}) and on its wider neighbourhood ({@code wideWeight}).
     */
    public static void lean(LearnedPolicy p, double priorWeight, double historyWeight, double wideWeight) {
        Parameters params = p.network().parameters();
        int skip = params.view("skip.w").offset();
        params.values()[skip + CandidateFeatures.PRIOR] = priorWeight;
        params.values()[skip + CandidateFeatures.NEAR] = historyWeight;
        params.values()[skip + CandidateFeatures.WIDE] = wideWeight;
        params.values()[skip + CandidateFeatures.EXPECTED_POSTERIOR] = 0;
        // A call starts valued at (priorWeight + historyWeight)·SCALE logits per unit of its pair's accuracy. An answer
        // starts valued the same way at its posterior (for a lone answer, its supporter's accuracy), so answering a
        // pair's answer and calling that pair start level; and the reward charges a call's cost in units of accuracy,
        // so the cost starts charged at the same rate. Training moves all of them as outcomes say.
        double total = priorWeight + historyWeight + wideWeight;
        params.values()[skip + CandidateFeatures.POSTERIOR] = total;
        params.values()[skip + CandidateFeatures.EXPECTED_COST] = -total;
        params.markChanged();
    }

    /**
     * Sets the skip path of a fresh policy to value a call at the posterior the answer would have after it
     * ({@link CandidateFeatures#EXPECTED_POSTERIOR}, one answer ahead) instead of at its pair's own accuracy, an
     * answer at its posterior, and the cost at the same rate ({@code weight} each). Calling p then beats answering
     * the lead exactly when p's expected gain in posterior exceeds its cost, which the myopic start (p's accuracy
     * against the lead's posterior) does not weigh: it asks again where a second answer cannot change the outcome
     * and stops where one could. Before any answer the expected posterior is the pair's voting accuracy.
     */
    public static void leanAhead(LearnedPolicy p, double weight) {
        Parameters params = p.network().parameters();
        int skip = params.view("skip.w").offset();
        params.values()[skip + CandidateFeatures.PRIOR] = 0;
        params.values()[skip + CandidateFeatures.NEAR] = 0;
        params.values()[skip + CandidateFeatures.WIDE] = 0;
        params.values()[skip + CandidateFeatures.EXPECTED_POSTERIOR] = weight;
        params.values()[skip + CandidateFeatures.POSTERIOR] = weight;
        params.values()[skip + CandidateFeatures.EXPECTED_COST] = -weight;
        params.markChanged();
    }

    /**
     * The skip-path inputs whose weights training leaves where the start put them: a call's expected cost and its
     * price. The reward charges a call's cost exactly (cost weight × dollars / reference), so the value of a call has
     * a known cost part, and the start already charges it at the rate it values accuracy at. Learned, these two
     * weights re-priced experts by their price: on MMLU-Pro a policy trained without gemini-1.5-pro-002 moved them
     * from −0.75 and 0 to −1.64 and −0.68. Among the known experts, which cost a ninth of gemini, that changed
     * little; a new expert at ten times the reference cost was then charged more than twice its price. Resetting the
     * two weights of that trained policy alone, with the same 30 probes, raised the share of the retraining's reward
     * gain that onboarding recovered on gemini's set from 0.74 to 0.87 (docs/policy.md, "Cost weights are not
     * learned"). The deep path still sees both inputs; its tanh units saturate, so what it learns there stays bounded
     * for a price outside the known range.
     */
    static final int[] FIXED_SKIP_INPUTS = {CandidateFeatures.EXPECTED_COST, CandidateFeatures.PRICE};

    /** Zeroes the gradients of {@link #FIXED_SKIP_INPUTS}' weights, so an optimiser step leaves them unchanged. */
    public static void holdFixedWeights(Parameters params) {
        params.find("skip.w").ifPresent(skip -> {
            for (int f : FIXED_SKIP_INPUTS) {
                if (f < skip.size()) {
                    params.gradients()[skip.offset() + f] = 0;
                }
            }
        });
    }

    static LearnedPolicy build(PolicyArchitecture arch, TextEmbedder embedder, Parameters params, Map<Pair, Double> priors) {
        // A projection wider than the embedding would add nothing: cap it at the embedding size.
        QuestionEncoder q = new QuestionEncoder(embedder, Math.min(arch.projection(), embedder.dimension()), arch.projectionSeed());
        Mlp.Builder b = Mlp.builder().contextSize(q.size()).candidateSize(LearnedPolicy.CANDIDATE_FEATURES)
                .staticSize(RegistryEncoding.staticSize(embedder))
                .hidden(arch.hidden().stream().mapToInt(Integer::intValue).toArray())
                .activation(Activation.TANH).seed(arch.seed());
        if (params != null) {
            b.parameters(params);
        }
        return new LearnedPolicy("maestro", b.build(), q, new RegistryEncoding.DescriptionCache(embedder), false)
                .priors(priors);
    }

    public static LearnedPolicy load(Path checkpoint, EmbedderResolver embedders) {
        Checkpoint.Contents c = Checkpoint.read(checkpoint);
        return fromContents(c, embedders, checkpoint.toString());
    }

    static LearnedPolicy fromContents(Checkpoint.Contents c, EmbedderResolver embedders, String source) {
        TextEmbedder e = embedders.resolve(c.header().embedder());
        try {
            LearnedPolicy p = build(c.header().architecture(), e, c.parameters(), priors(c.header().priors()))
                    .costs(pairMap(c.header().costs()), c.header().costReference());
            if (c.history().isPresent()) {
                p = p.history(c.history().get());
            }
            return p.withDefaultCostWeight(c.header().costWeight()).withCheckpoint(c.header());
        } catch (MaestroException ex) {
            throw new MaestroException(source + ": checkpoint does not fit this network: " + ex.getMessage(), ex);
        }
    }

    static Map<Pair, Double> pairMap(Map<String, Double> byId) {
        return priors(byId);
    }

    static Map<Pair, Double> priors(Map<String, Double> byId) {
        Map<Pair, Double> m = new HashMap<>();
        byId.forEach((k, v) -> m.put(Pair.parse(k), v));
        return m;
    }

    public static Map<String, Double> priorIds(Map<Pair, Double> priors) {
        Map<String, Double> m = new TreeMap<>();
        priors.forEach((k, v) -> m.put(k.id(), v));
        return m;
    }
}
