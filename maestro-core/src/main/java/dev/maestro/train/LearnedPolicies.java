package dev.maestro.train;

import dev.maestro.MaestroException;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.QuestionEncoder;
import dev.maestro.policy.RegistryEncoding;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.policy.nn.Activation;
import dev.maestro.policy.nn.Mlp;
import dev.maestro.policy.nn.Parameters;
import dev.maestro.registry.Pair;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Creates learned policies from a config, and loads them from checkpoints. */
public final class LearnedPolicies {
    /** Resolves an embedder by the name stored in a checkpoint. */
    @FunctionalInterface
    public interface EmbedderResolver {
        TextEmbedder resolve(String name);
    }

    private LearnedPolicies() {
    }

    public static LearnedPolicy create(TrainConfig cfg, TextEmbedder embedder, Map<Pair, Double> priors) {
        LearnedPolicy p = build(cfg, embedder, null, priors);
        Parameters params = p.network().parameters();
        int skip = params.view("skip.w").offset();
        params.values()[skip + LearnedPolicy.PRIOR_FEATURE] = cfg.priorWeight();
        params.values()[skip + LearnedPolicy.HISTORY_FEATURE] = cfg.historyWeight();
        params.markChanged();
        return p;
    }

    static LearnedPolicy build(TrainConfig cfg, TextEmbedder embedder, Parameters params, Map<Pair, Double> priors) {
        // A projection wider than the embedding would add nothing: cap it at the embedding size.
        QuestionEncoder q = new QuestionEncoder(embedder, Math.min(cfg.projection(), embedder.dimension()), projectionSeed(cfg));
        Mlp.Builder b = Mlp.builder().contextSize(q.size()).candidateSize(LearnedPolicy.CANDIDATE_FEATURES)
                .staticSize(RegistryEncoding.staticSize(embedder))
                .hidden(cfg.hidden().stream().mapToInt(Integer::intValue).toArray())
                .activation(Activation.TANH).seed(cfg.seed());
        if (params != null) {
            b.parameters(params);
        }
        return new LearnedPolicy("maestro", b.build(), q, new RegistryEncoding.DescriptionCache(embedder), false)
                .priors(priors);
    }

    static long projectionSeed(TrainConfig cfg) {
        return cfg.seed() * 31 + 17;
    }

    public static LearnedPolicy load(Path checkpoint, EmbedderResolver embedders) {
        Checkpoint.Contents c = Checkpoint.read(checkpoint);
        return fromContents(c, embedders, checkpoint.toString());
    }

    static LearnedPolicy fromContents(Checkpoint.Contents c, EmbedderResolver embedders, String source) {
        TextEmbedder e = embedders.resolve(c.header().embedder());
        try {
            LearnedPolicy p = build(c.header().config(), e, c.parameters(), priors(c.header().priors()));
            c.history().ifPresent(p::history);
            return p;
        } catch (MaestroException ex) {
            throw new MaestroException(source + ": checkpoint does not fit this network: " + ex.getMessage(), ex);
        }
    }

    static Map<Pair, Double> priors(Map<String, Double> byId) {
        Map<Pair, Double> m = new HashMap<>();
        byId.forEach((k, v) -> m.put(Pair.parse(k), v));
        return m;
    }

    static Map<String, Double> priorIds(Map<Pair, Double> priors) {
        Map<String, Double> m = new java.util.TreeMap<>();
        priors.forEach((k, v) -> m.put(k.id(), v));
        return m;
    }
}
