package dev.maestro.policy;

import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.task.Task;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a task into the policy's context vector: the question's sentence embedding, reduced by a fixed
 * seeded orthonormal random projection (so the network's context layer stays small and a decision stays
 * in microseconds), plus a few flags. Computed once per task and cached; the embedding itself is the
 * once-per-task cost excluded from decision latency.
 */
public final class QuestionEncoder {
    /** Flags appended after the projection: has images, has options, bias. */
    public static final int FLAGS = 3;

    private final TextEmbedder embedder;
    private final int projected;
    private final double[] projection; // projected x dim, rows orthonormal
    private final ConcurrentHashMap<String, double[]> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, float[]> raw = new ConcurrentHashMap<>();

    public QuestionEncoder(TextEmbedder embedder, int projected, long seed) {
        this.embedder = embedder;
        this.projected = projected;
        int dim = embedder.dimension();
        if (projected > dim) {
            throw new IllegalArgumentException("projection " + projected + " exceeds embedding dimension " + dim);
        }
        this.projection = orthonormalRows(projected, dim, seed);
    }

    public int size() {
        return projected + FLAGS;
    }

    public TextEmbedder embedder() {
        return embedder;
    }

    public double[] encode(Task task) {
        return cache.computeIfAbsent(task.source() + "\u0000" + task.id(), k -> compute(task));
    }

    /** The question's unit-length sentence embedding (cached per task). */
    public float[] raw(Task task) {
        return raw.computeIfAbsent(task.source() + "\u0000" + task.id(), k -> PairHistory.unit(embedder.embed(task.question())));
    }

    private double[] compute(Task task) {
        float[] e = raw(task);
        int dim = e.length;
        double[] out = new double[size()];
        for (int r = 0; r < projected; r++) {
            double s = 0;
            int off = r * dim;
            for (int j = 0; j < dim; j++) {
                s += projection[off + j] * e[j];
            }
            // Unit-norm embeddings projected onto `projected` of `dim` directions have per-coordinate scale
            // ~1/sqrt(dim); rescale so inputs are O(1) for the network's initialisation.
            out[r] = s * Math.sqrt(dim);
        }
        out[projected] = task.hasImages() ? 1 : 0;
        out[projected + 1] = task.options().isEmpty() ? 0 : 1;
        out[projected + 2] = 1;
        return out;
    }

    static double[] orthonormalRows(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] m = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            for (int j = 0; j < cols; j++) {
                m[off + j] = gaussian(rng);
            }
            for (int q = 0; q < r; q++) { // Gram-Schmidt against earlier rows
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += m[off + j] * m[q * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    m[off + j] -= dot * m[q * cols + j];
                }
            }
            double norm = 0;
            for (int j = 0; j < cols; j++) {
                norm += m[off + j] * m[off + j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < cols; j++) {
                m[off + j] /= norm;
            }
        }
        return m;
    }

    static double gaussian(SplittableRandom rng) {
        double u = rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
