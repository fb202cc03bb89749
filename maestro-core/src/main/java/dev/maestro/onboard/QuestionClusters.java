package dev.maestro.onboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Groups of questions by their embeddings (spherical k-means, seeded k-means++ start), each named by the question
 * nearest its centre: what the item-response model gives a new expert an ability offset for, and what the adaptive
 * selector spreads its probes over (the default, whether or not the questions come with groups of their own). With one group for
 * everything a model's strength on one kind of question and its weakness on another average out; on MMLU-Pro 8
 * clusters also did better than its 14 subjects (30 adaptive probes recovered 0.74 of the retraining gain against
 * 0.64; docs/onboarding.md, "Clusters of the questions instead of their groups").
 */
public final class QuestionClusters {
    /** Fewest questions per cluster: fewer leave a group offset to a handful of known outcomes. */
    static final int MIN_QUESTIONS = 50;
    /** Most clusters: each adds a group offset per expert to fit and to probe. */
    static final int MAX_CLUSTERS = 8;
    private static final int ITERATIONS = 30;
    private static final int NAME_CHARS = 48;

    private QuestionClusters() {
    }

    /** How many clusters {@code n} questions get: 0 when too few to split (fewer than 2 × {@link #MIN_QUESTIONS}). */
    public static int count(int n) {
        int k = Math.min(MAX_CLUSTERS, n / MIN_QUESTIONS);
        return k < 2 ? 0 : k;
    }

    /**
     * Each question's group: {@code "cluster j: <the question nearest the centre, shortened>"}.
     *
     * @param vectors   one embedding per question (any length; normalised here)
     * @param questions the questions' texts, for the names
     * @param k         clusters (at least 2, at most the number of questions)
     */
    public static List<String> groups(float[][] vectors, List<String> questions, int k, long seed) {
        if (vectors.length != questions.size()) {
            throw new IllegalArgumentException(vectors.length + " vectors for " + questions.size() + " questions");
        }
        if (k < 2 || k > vectors.length) {
            throw new IllegalArgumentException("clusters must be in [2, " + vectors.length + "], got " + k);
        }
        double[][] x = new double[vectors.length][];
        for (int i = 0; i < x.length; i++) {
            x[i] = unit(vectors[i]);
        }
        double[][] c = start(x, k, new SplittableRandom(seed));
        int[] of = new int[x.length];
        for (int it = 0; it < ITERATIONS; it++) {
            boolean moved = false;
            for (int i = 0; i < x.length; i++) {
                int b = nearest(x[i], c);
                moved |= b != of[i] || it == 0;
                of[i] = b;
            }
            if (!moved) {
                break;
            }
            double[][] sum = new double[k][x[0].length];
            int[] n = new int[k];
            for (int i = 0; i < x.length; i++) {
                n[of[i]]++;
                for (int d = 0; d < x[i].length; d++) {
                    sum[of[i]][d] += x[i][d];
                }
            }
            for (int j = 0; j < k; j++) {
                // an emptied cluster keeps its centre (it may win questions back); the others move to their mean
                if (n[j] > 0) {
                    c[j] = unit(sum[j]);
                }
            }
        }
        // name each cluster by its most central question; number clusters by size, largest first
        Integer[] order = new Integer[k];
        int[] size = new int[k];
        for (int b : of) {
            size[b]++;
        }
        for (int j = 0; j < k; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> size[b] != size[a] ? Integer.compare(size[b], size[a]) : Integer.compare(a, b));
        String[] name = new String[k];
        for (int r = 0; r < k; r++) {
            int j = order[r];
            int medoid = -1;
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < x.length; i++) {
                double s = of[i] == j ? Dense.dot(x[i], c[j]) : Double.NEGATIVE_INFINITY;
                if (s > best) {
                    best = s;
                    medoid = i;
                }
            }
            name[j] = "cluster " + (r + 1) + (medoid < 0 ? "" : ": " + shorten(questions.get(medoid)));
        }
        List<String> out = new ArrayList<>(x.length);
        for (int b : of) {
            out.add(name[b]);
        }
        return out;
    }

    /** k-means++: the first centre at random, each next one drawn with chance proportional to its squared distance. */
    private static double[][] start(double[][] x, int k, SplittableRandom rng) {
        double[][] c = new double[k][];
        c[0] = x[rng.nextInt(x.length)].clone();
        double[] d2 = new double[x.length];
        Arrays.fill(d2, Double.POSITIVE_INFINITY);
        for (int j = 1; j < k; j++) {
            double total = 0;
            for (int i = 0; i < x.length; i++) {
                d2[i] = Math.min(d2[i], Math.max(0, 2 - 2 * Dense.dot(x[i], c[j - 1])));
                total += d2[i];
            }
            int pick = rng.nextInt(x.length);
            if (total > 0) {
                double u = rng.nextDouble() * total;
                for (int i = 0; i < x.length; i++) {
                    u -= d2[i];
                    if (u <= 0) {
                        pick = i;
                        break;
                    }
                }
            }
            c[j] = x[pick].clone();
        }
        return c;
    }

    private static int nearest(double[] v, double[][] c) {
        int b = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c.length; j++) {
            double s = Dense.dot(v, c[j]);
            if (s > best) {
                best = s;
                b = j;
            }
        }
        return b;
    }

    private static double[] unit(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return unit(d);
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(Dense.dot(v, v));
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = n == 0 ? 0 : v[i] / n;
        }
        return out;
    }

    private static String shorten(String q) {
        String s = q.strip().replaceAll("\\s+", " ");
        return s.length() <= NAME_CHARS ? s : s.substring(0, NAME_CHARS - 1) + "…";
    }
}
