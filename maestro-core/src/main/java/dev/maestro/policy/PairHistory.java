package dev.maestro.policy;

import dev.maestro.MaestroException;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.registry.Pair;
import dev.maestro.task.Task;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How each pair did on training questions like this one: for a question, the shrunk mean outcome of each
 * pair over its k nearest training questions (cosine over sentence embeddings), leaving the question itself
 * out, at two widths: the {@link #K} nearest ("near": local but noisy) and the {@link #WIDE_K} nearest ("wide":
 * steadier, closer to a topic-level accuracy). They are numbers about a candidate given the question — like its
 * price — that the policy learns how far to trust; pairs with no history (models added after training) get none
 * and are flagged unknown.
 */
public final class PairHistory {
    public static final int K = 24;
    /** Pseudo-count pulling a neighbourhood mean toward the pair's global mean. */
    public static final double SHRINK = 4.0;
    /** Neighbours of the wide estimate. */
    public static final int WIDE_K = 128;
    /** Pseudo-count of the wide estimate: a larger pull toward the pair's mean, for a steadier number. */
    public static final double WIDE_SHRINK = 24.0;

    /**
     * A pair's estimated accuracy on one question.
     *
     * @param near shrunk mean outcome over the {@link #K} nearest training questions
     * @param wide shrunk mean outcome over the {@link #WIDE_K} nearest
     */
    public record Estimate(double near, double wide) {
    }

    private final List<String> ids;
    private final Map<String, Integer> rowOf;
    private final float[][] embeddings; // unit vectors
    private final float[] flat; // the same rows, one after another: the neighbour search streams through it
    private final Map<Pair, float[]> grades;
    private final Map<Pair, Double> global;
    /** Pairs measured on a sample of training questions only (experts added after training, see {@link #calibrated}). */
    private final Map<Pair, Sample> sampled;
    private final ConcurrentHashMap<String, Map<Pair, Estimate>> cache = new ConcurrentHashMap<>();

    /** A pair's outcomes on a few training questions (unit question embeddings, grades). */
    private record Sample(float[][] embeddings, float[] grades, int k, double mean) {
    }

    private PairHistory(List<String> ids, float[][] embeddings, Map<Pair, float[]> grades) {
        this(ids, embeddings, grades, Map.of());
    }

    private PairHistory(List<String> ids, float[][] embeddings, Map<Pair, float[]> grades, Map<Pair, Sample> sampled) {
        this.ids = List.copyOf(ids);
        this.rowOf = new HashMap<>();
        for (int i = 0; i < this.ids.size(); i++) {
            rowOf.putIfAbsent(this.ids.get(i), i);
        }
        this.embeddings = embeddings;
        int dim = embeddings.length == 0 ? 0 : embeddings[0].length;
        this.flat = new float[embeddings.length * dim];
        for (int i = 0; i < embeddings.length; i++) {
            System.arraycopy(embeddings[i], 0, flat, i * dim, dim);
        }
        this.grades = grades;
        this.sampled = Map.copyOf(sampled);
        this.global = new HashMap<>();
        grades.forEach((p, g) -> {
            double s = 0;
            for (float v : g) {
                s += v;
            }
            global.put(p, g.length == 0 ? 0 : s / g.length);
        });
        this.sampled.forEach((p, smp) -> global.put(p, smp.mean()));
    }

    /**
     * This history plus pairs measured on a sample of training questions (a calibration of experts added after
     * training: the network is unchanged, only the numbers it reads about those candidates are filled in). A
     * sampled pair's neighbourhood is its k nearest sampled questions, with k scaled by the sample's share of
     * the training questions so that it covers about the same region of question space as a full pair's
     * {@link #K} neighbours (and the pull toward its mean scaled alike). In memory only: checkpoints keep the training history.
     *
     * @param tasks  the sample of training questions
     * @param grades per added pair, its outcome on each task of {@code tasks} (same order)
     */
    public PairHistory calibrated(List<Task> tasks, Map<Pair, double[]> grades, TextEmbedder embedder) {
        if (tasks.isEmpty() || grades.isEmpty()) {
            return this;
        }
        List<float[]> vs = embedder.embedAll(tasks.stream().map(Task::question).toList());
        float[][] e = new float[tasks.size()][];
        for (int i = 0; i < e.length; i++) {
            e[i] = unit(vs.get(i));
        }
        int k = (int) Math.round(K * tasks.size() / (double) Math.max(1, ids.size()));
        k = Math.max(3, Math.min(K, Math.min(k, tasks.size())));
        Map<Pair, Sample> more = new LinkedHashMap<>(sampled);
        for (Map.Entry<Pair, double[]> en : grades.entrySet()) {
            double[] v = en.getValue();
            if (v.length != tasks.size()) {
                throw new IllegalArgumentException("pair " + en.getKey().id() + ": " + v.length + " grades for " + tasks.size() + " tasks");
            }
            float[] f = new float[v.length];
            double sum = 0;
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
                sum += v[i];
            }
            more.put(en.getKey(), new Sample(e, f, k, sum / v.length));
        }
        return new PairHistory(ids, embeddings, this.grades, more);
    }

    /**
     * This history plus pairs with an outcome, or a predicted chance of being right, on the training questions of
     * the history: experts onboarded after training ({@code dev.maestro.experiment.Onboarding} predicts one for every
     * training question from a few probes). Unlike {@link #calibrated}, they are full pairs: searched like the pairs
     * measured in training and written to checkpoints with them. A row of the history missing from {@code tasks}
     * gets the pair's mean over the rows given.
     *
     * @param tasks  training questions (matched to the history's rows by source and id)
     * @param grades per added pair, its value on each task of {@code tasks} (same order), in [0, 1]
     */
    public PairHistory withPairs(List<Task> tasks, Map<Pair, double[]> grades) {
        if (grades.isEmpty()) {
            return this;
        }
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            row.putIfAbsent(ids.get(i), i);
        }
        Map<Pair, float[]> more = new LinkedHashMap<>(this.grades);
        for (Map.Entry<Pair, double[]> en : grades.entrySet()) {
            double[] v = en.getValue();
            if (v.length != tasks.size()) {
                throw new IllegalArgumentException("pair " + en.getKey().id() + ": " + v.length + " grades for " + tasks.size() + " tasks");
            }
            float[] f = new float[ids.size()];
            boolean[] set = new boolean[ids.size()];
            double sum = 0;
            int n = 0;
            for (int i = 0; i < tasks.size(); i++) {
                Integer r = row.get(key(tasks.get(i)));
                if (r != null) {
                    f[r] = (float) v[i];
                    set[r] = true;
                    sum += v[i];
                    n++;
                }
            }
            float mean = n == 0 ? 0 : (float) (sum / n);
            for (int r = 0; r < f.length; r++) {
                if (!set[r]) {
                    f[r] = mean;
                }
            }
            more.put(en.getKey(), f);
        }
        return new PairHistory(ids, embeddings, more, sampled);
    }

    /** Pairs known only from a calibration sample (empty for a history built in training). */
    public Set<Pair> sampledPairs() {
        return sampled.keySet();
    }

    /**
     * @param tasks  training tasks
     * @param grades per pair, the outcome on each task (same order as {@code tasks})
     */
    public static PairHistory build(List<Task> tasks, Map<Pair, double[]> grades, TextEmbedder embedder) {
        List<String> ids = new ArrayList<>();
        float[][] e = new float[tasks.size()][];
        List<String> texts = tasks.stream().map(Task::question).toList();
        List<float[]> vs = embedder.embedAll(texts);
        for (int i = 0; i < tasks.size(); i++) {
            ids.add(key(tasks.get(i)));
            e[i] = unit(vs.get(i));
        }
        Map<Pair, float[]> g = new LinkedHashMap<>();
        grades.forEach((p, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            g.put(p, f);
        });
        return new PairHistory(ids, e, g);
    }

    static String key(Task t) {
        return t.source() + "\u0000" + t.id();
    }

    static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = n == 0 ? 0 : (float) (v[i] / n);
        }
        return out;
    }

    public int size() {
        return ids.size();
    }

    /**
     * The unit embeddings of these training questions (matched by source and id, copies, in order); empty when the
     * history lacks one of them.
     */
    public Optional<float[][]> embeddings(List<Task> tasks) {
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            row.putIfAbsent(ids.get(i), i);
        }
        float[][] out = new float[tasks.size()][];
        for (int i = 0; i < out.length; i++) {
            Integer r = row.get(key(tasks.get(i)));
            if (r == null) {
                return Optional.empty();
            }
            out[i] = embeddings[r].clone();
        }
        return Optional.of(out);
    }

    public Map<Pair, Double> global() {
        return global;
    }

    /** Per pair with history: its shrunk mean over the {@link #K} nearest training questions. Computed once per task. */
    public Map<Pair, Double> forTask(Task task, float[] questionEmbedding) {
        Map<Pair, Double> out = new HashMap<>();
        estimates(task, questionEmbedding).forEach((p, e) -> out.put(p, e.near()));
        return out;
    }

    /** Per pair with history: both estimates for this task. Computed once per task and cached. */
    public Map<Pair, Estimate> estimates(Task task, float[] questionEmbedding) {
        return cache.computeIfAbsent(key(task), k -> compute(k, unit(questionEmbedding)));
    }

    private Map<Pair, Estimate> compute(String self, float[] q) {
        int wide = Math.min(WIDE_K, Math.max(0, embeddings.length - 1));
        int k = Math.min(K, wide);
        // leave the question itself out, or training would see its own outcome
        int[] best = nearest(flat, embeddings.length, q, wide, rowOf.getOrDefault(self, -1));
        Map<Pair, Estimate> out = new HashMap<>();
        grades.forEach((p, g) -> {
            double s = 0;
            double sw = 0;
            for (int i = 0; i < wide; i++) {
                sw += g[best[i]];
                if (i == k - 1) {
                    s = sw;
                }
            }
            double mean = global.get(p);
            out.put(p, new Estimate((s + SHRINK * mean) / (k + SHRINK), (sw + WIDE_SHRINK * mean) / (wide + WIDE_SHRINK)));
        });
        // pairs calibrated together share one sample of questions: search its neighbours once
        Map<float[][], int[]> near = new IdentityHashMap<>();
        sampled.forEach((p, smp) -> {
            // the wide neighbourhood covers the same share of the sample as WIDE_K does of the training questions
            int kw = Math.min(smp.embeddings().length, Math.max(smp.k(), (int) Math.round(smp.k() * (double) WIDE_K / K)));
            int[] idx = near.computeIfAbsent(smp.embeddings(), e -> nearest(flatten(e), e.length, q, kw, -1));
            double s = 0;
            double sw = 0;
            for (int i = 0; i < kw; i++) {
                sw += smp.grades()[idx[i]];
                if (i == smp.k() - 1) {
                    s = sw;
                }
            }
            // The pseudo-count shrinks by the same share of the neighbourhood as for a full pair (SHRINK of K).
            double shrink = SHRINK * smp.k() / K;
            double shrinkWide = WIDE_SHRINK * kw / WIDE_K;
            out.put(p, new Estimate((s + shrink * smp.mean()) / (smp.k() + shrink), (sw + shrinkWide * smp.mean()) / (kw + shrinkWide)));
        });
        return out;
    }

    private static float[] flatten(float[][] e) {
        int dim = e.length == 0 ? 0 : e[0].length;
        float[] f = new float[e.length * dim];
        for (int i = 0; i < e.length; i++) {
            System.arraycopy(e[i], 0, f, i * dim, dim);
        }
        return f;
    }

    /**
     * Indices of the {@code k} rows of {@code flat} (n rows of q.length floats) most similar to {@code q} (dot
     * product), best first, row {@code skip} excluded.
     */
    private static int[] nearest(float[] flat, int n, float[] q, int k, int skip) {
        int[] best = new int[k];
        double[] bestSim = new double[k];
        Arrays.fill(bestSim, Double.NEGATIVE_INFINITY);
        int dim = q.length;
        for (int i = 0; i < n; i++) {
            if (i == skip) {
                continue;
            }
            int off = i * dim;
            // four partial sums: the loop runs 3-4x faster than one serial sum (the order differs from a plain
            // loop only in float rounding, far below the gaps between neighbours that decide the ranking)
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int j = 0;
            for (; j + 3 < dim; j += 4) {
                s0 += flat[off + j] * q[j];
                s1 += flat[off + j + 1] * q[j + 1];
                s2 += flat[off + j + 2] * q[j + 2];
                s3 += flat[off + j + 3] * q[j + 3];
            }
            for (; j < dim; j++) {
                s0 += flat[off + j] * q[j];
            }
            double s = (s0 + s1) + (s2 + s3);
            if (k > 0 && s > bestSim[k - 1]) {
                int pos = k - 1;
                while (pos > 0 && bestSim[pos - 1] < s) {
                    bestSim[pos] = bestSim[pos - 1];
                    best[pos] = best[pos - 1];
                    pos--;
                }
                bestSim[pos] = s;
                best[pos] = i;
            }
        }
        return best;
    }

    public void write(DataOutputStream out) throws IOException {
        out.writeInt(ids.size());
        int dim = embeddings.length == 0 ? 0 : embeddings[0].length;
        out.writeInt(dim);
        for (int i = 0; i < ids.size(); i++) {
            out.writeUTF(ids.get(i));
            for (float v : embeddings[i]) {
                out.writeFloat(v);
            }
        }
        out.writeInt(grades.size());
        for (Map.Entry<Pair, float[]> e : grades.entrySet()) {
            out.writeUTF(e.getKey().id());
            for (float v : e.getValue()) {
                out.writeFloat(v);
            }
        }
    }

    public static PairHistory read(DataInputStream in, String source) throws IOException {
        int n = in.readInt();
        int dim = in.readInt();
        if (n < 0 || n > 10_000_000 || dim < 0 || dim > 100_000) {
            throw new MaestroException(source + ": implausible history size " + n + "x" + dim);
        }
        // a forged size must not allocate more than the bytes that are actually there (each row is at least a
        // 2-byte id length and dim floats); the stream is a byte array, so available() is what remains
        long rowBytes = 2L + 4L * dim;
        if ((long) n * rowBytes > in.available()) {
            throw new MaestroException(source + ": history claims " + n + "x" + dim
                    + " embeddings but only " + in.available() + " bytes remain");
        }
        List<String> ids = new ArrayList<>(n);
        float[][] e = new float[n][dim];
        for (int i = 0; i < n; i++) {
            ids.add(in.readUTF());
            for (int j = 0; j < dim; j++) {
                e[i][j] = in.readFloat();
            }
        }
        int pairs = in.readInt();
        if (pairs < 0 || (long) pairs * (2L + 4L * n) > in.available()) {
            throw new MaestroException(source + ": history claims " + pairs + " pairs of " + n
                    + " grades but only " + in.available() + " bytes remain");
        }
        Map<Pair, float[]> g = new LinkedHashMap<>();
        for (int p = 0; p < pairs; p++) {
            String id = in.readUTF();
            Pair pair;
            try {
                pair = Pair.parse(id);
            } catch (MaestroException bad) {
                throw new MaestroException(source + ": malformed history: " + bad.getMessage());
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = in.readFloat();
            }
            g.put(pair, v);
        }
        return new PairHistory(ids, e, g);
    }
}
