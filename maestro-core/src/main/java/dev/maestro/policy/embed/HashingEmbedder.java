package dev.maestro.policy.embed;

import dev.maestro.MaestroException;
import dev.maestro.Seeds;
import java.util.Arrays;

/**
 * Feature hashing of word n-grams into a fixed number of dimensions, L2-normalised: deterministic,
 * dependency-free and about a microsecond per sentence. A fallback for tests and for machines where
 * the ONNX model is not wanted; it captures shared words, not meaning.
 *
 * <p>Tokens are maximal runs of letters/digits (lower-cased) and single other non-space characters
 * (so {@code x+1=2} keeps its operators). Each n-gram (1..maxN) is hashed with a fixed 64-bit mix
 * (never {@link String#hashCode()} of a concatenation, never per-JVM seeds); the high bits pick the
 * dimension, the low bit the sign, which makes collisions cancel on average instead of piling up.
 */
public final class HashingEmbedder implements TextEmbedder {
    private final int dimension;
    private final int maxN;

    private HashingEmbedder(int dimension, int maxN) {
        this.dimension = dimension;
        this.maxN = maxN;
    }

    /** Unigrams and bigrams into {@code dimension} dimensions. */
    public static HashingEmbedder create(int dimension) {
        return create(dimension, 2);
    }

    public static HashingEmbedder create(int dimension, int maxN) {
        if (dimension < 1) {
            throw new MaestroException("hashing embedder dimension must be >= 1, got " + dimension);
        }
        if (maxN < 1 || maxN > 5) {
            throw new MaestroException("hashing embedder n-gram size must be 1..5, got " + maxN);
        }
        return new HashingEmbedder(dimension, maxN);
    }

    @Override
    public float[] embed(String text) {
        long[] tokens = tokenHashes(text);
        double[] acc = new double[dimension];
        for (int i = 0; i < tokens.length; i++) {
            long h = Seeds.GOLDEN_GAMMA;
            for (int n = 1; n <= maxN && i + n <= tokens.length; n++) {
                h = Seeds.finish(h ^ tokens[i + n - 1]) + n;
                long f = Seeds.finish(h);
                int index = (int) Long.remainderUnsigned(f >>> 1, dimension);
                acc[index] += (f & 1) == 0 ? 1.0 : -1.0;
            }
        }
        double norm = 0;
        for (double a : acc) {
            norm += a * a;
        }
        float[] out = new float[dimension];
        if (norm > 0) {
            double inv = 1.0 / Math.sqrt(norm);
            for (int i = 0; i < dimension; i++) {
                out[i] = (float) (acc[i] * inv);
            }
        }
        return out;
    }

    private static long[] tokenHashes(String text) {
        long[] out = new long[16];
        int count = 0;
        int i = 0;
        int len = text.length();
        while (i < len) {
            int cp = text.codePointAt(i);
            if (Character.isWhitespace(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            long h = 0xCBF29CE484222325L; // FNV-1a offset basis
            if (Character.isLetterOrDigit(cp)) {
                while (i < len) {
                    cp = text.codePointAt(i);
                    if (!Character.isLetterOrDigit(cp)) {
                        break;
                    }
                    h = (h ^ Character.toLowerCase(cp)) * 0x100000001B3L;
                    i += Character.charCount(cp);
                }
            } else {
                h = (h ^ cp) * 0x100000001B3L;
                i += Character.charCount(cp);
            }
            if (count == out.length) {
                out = Arrays.copyOf(out, count * 2);
            }
            out[count++] = h;
        }
        return Arrays.copyOf(out, count);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String name() {
        return "hashing-d" + dimension + "-n" + maxN;
    }
}
