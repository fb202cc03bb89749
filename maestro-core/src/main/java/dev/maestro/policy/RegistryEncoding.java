package dev.maestro.policy;

import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.policy.nn.CandidateTable;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The static features of a registry's candidates: for each (model, skill) pair, the embedding of the
 * model's description next to the embedding of the skill's description. This is all the policy knows
 * about a candidate besides its numbers, which is why a model or skill added later is scored like any other.
 */
public final class RegistryEncoding {
    private final List<Pair> pairs;
    private final Map<Pair, Integer> rows;
    private final CandidateTable table;
    /**
     * The distinct models' and skills' unit description embeddings, and each row's index into them: a registry of m
     * models × s skills has m + s descriptions, not 2·m·s, so a question is compared with each once (35 pairs of the
     * paper registry: 12 dot products instead of 70, on the task's first decision).
     */
    private final float[][] modelText;
    private final float[][] skillText;
    private final int[] modelOf;
    private final int[] skillOf;

    private RegistryEncoding(List<Pair> pairs, CandidateTable table, float[][] modelText, int[] modelOf,
                             float[][] skillText, int[] skillOf) {
        this.pairs = pairs;
        this.table = table;
        this.modelText = modelText;
        this.skillText = skillText;
        this.modelOf = modelOf;
        this.skillOf = skillOf;
        this.rows = new HashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            rows.put(pairs.get(i), i);
        }
    }

    public static int staticSize(TextEmbedder embedder) {
        return 2 * embedder.dimension();
    }

    public static RegistryEncoding of(Registry registry, DescriptionCache embeddings) {
        return of(registry, embeddings, 0, 0);
    }

    /**
     * With description dropout: each model's and each skill's description is replaced by an empty one with
     * probability {@code dropout} (training only), so the policy cannot lean on any single description.
     */
    public static RegistryEncoding of(Registry registry, DescriptionCache embeddings, double dropout, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[]> model = new HashMap<>();
        Map<String, float[]> skill = new HashMap<>();
        for (ModelCard m : registry.models()) {
            model.put(m.id(), embeddings.embed(dropout > 0 && rng.nextDouble() < dropout ? "" : m.description()));
        }
        for (SkillCard s : registry.skills()) {
            skill.put(s.name(), embeddings.embed(dropout > 0 && rng.nextDouble() < dropout ? "" : s.description()));
        }
        List<Pair> pairs = registry.pairs();
        float[][] f = new float[pairs.size()][];
        Map<String, Integer> modelIndex = new HashMap<>();
        Map<String, Integer> skillIndex = new HashMap<>();
        List<float[]> mt = new ArrayList<>();
        List<float[]> st = new ArrayList<>();
        int[] modelOf = new int[pairs.size()];
        int[] skillOf = new int[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            float[] a = model.get(pairs.get(i).model());
            float[] b = skill.get(pairs.get(i).skill());
            modelOf[i] = modelIndex.computeIfAbsent(pairs.get(i).model(), k -> {
                mt.add(PairHistory.unit(a));
                return mt.size() - 1;
            });
            skillOf[i] = skillIndex.computeIfAbsent(pairs.get(i).skill(), k -> {
                st.add(PairHistory.unit(b));
                return st.size() - 1;
            });
            float[] row = new float[a.length + b.length];
            System.arraycopy(a, 0, row, 0, a.length);
            System.arraycopy(b, 0, row, a.length, b.length);
            f[i] = row;
        }
        return new RegistryEncoding(pairs, CandidateTable.ofRows(f), mt.toArray(new float[0][]), modelOf,
                st.toArray(new float[0][]), skillOf);
    }

    public List<Pair> pairs() { return pairs; }
    public CandidateTable table() { return table; }

    /**
     * Cosine similarity of the question with each row's model and skill description, centred over the rows and
     * scaled: [row*2] model, [row*2+1] skill. This is how the policy reads descriptions against the question.
     */
    public double[] similarities(float[] question) {
        int n = pairs.size();
        double[] out = new double[2 * n];
        double[] bm = new double[modelText.length];
        double[] bs = new double[skillText.length];
        for (int k = 0; k < bm.length; k++) {
            bm[k] = dot(modelText[k], question);
        }
        for (int k = 0; k < bs.length; k++) {
            bs[k] = dot(skillText[k], question);
        }
        double mm = 0;
        double ms = 0;
        for (int i = 0; i < n; i++) {
            out[2 * i] = bm[modelOf[i]];
            out[2 * i + 1] = bs[skillOf[i]];
            mm += out[2 * i];
            ms += out[2 * i + 1];
        }
        mm /= Math.max(1, n);
        ms /= Math.max(1, n);
        for (int i = 0; i < n; i++) {
            out[2 * i] = 10 * (out[2 * i] - mm);
            out[2 * i + 1] = 10 * (out[2 * i + 1] - ms);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Row of a pair, or -1 when the pair is not in this registry. */
    public int row(Pair p) {
        Integer r = rows.get(p);
        return r == null ? -1 : r;
    }

    /** Memoised description embeddings, shared by all encodings of one policy. */
    public static final class DescriptionCache {
        private final TextEmbedder embedder;
        private final ConcurrentHashMap<String, float[]> cache = new ConcurrentHashMap<>();

        public DescriptionCache(TextEmbedder embedder) {
            this.embedder = embedder;
        }

        public float[] embed(String text) {
            return cache.computeIfAbsent(text, t -> t.isEmpty() ? new float[embedder.dimension()] : embedder.embed(t));
        }
    }
}
