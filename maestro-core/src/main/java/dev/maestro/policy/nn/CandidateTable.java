package dev.maestro.policy.nn;

import dev.maestro.MaestroException;

/**
 * Static features of the candidates a registry offers (N rows × S columns), e.g. the 384-d
 * embeddings of each pair's model and skill descriptions. They do not change between decisions,
 * so a network projects the whole table through its first layer once per parameter version and a
 * decision only adds one precomputed row per candidate.
 *
 * <p>The cache is one immutable snapshot in a volatile field: concurrent forward passes either see
 * a snapshot for the current parameter version or compute one (racing threads compute the same
 * numbers, the last write wins). Features are copied in and never change.
 */
public final class CandidateTable {
    private final int rows;
    private final int columns;
    private final double[] features;

    /** Cached first-layer projection: which parameter version, and N × H values. */
    record Projection(long version, int width, double[] values) {
    }

    private volatile Projection projection;

    /** Pending gradient w.r.t. the projected rows (N × H), see {@link PolicyNetwork#flushGradients()}. */
    double[] pendingGradient;

    boolean pending;

    private CandidateTable(int rows, int columns, double[] features) {
        this.rows = rows;
        this.columns = columns;
        this.features = features;
    }

    /** A table from row-major {@code features} (copied); its length must be {@code rows × columns}. */
    public static CandidateTable of(int rows, int columns, double[] features) {
        if (rows < 0 || columns < 0 || (long) rows * columns != features.length) {
            throw new MaestroException("candidate table of " + rows + "x" + columns + " needs " + ((long) rows * columns)
                    + " values but got " + features.length);
        }
        return new CandidateTable(rows, columns, features.clone());
    }

    /** A table whose row i is {@code rowsOfFeatures[i]} widened to double; all rows must have one length. */
    public static CandidateTable ofRows(float[][] rowsOfFeatures) {
        int n = rowsOfFeatures.length;
        int s = n == 0 ? 0 : rowsOfFeatures[0].length;
        double[] f = new double[n * s];
        for (int i = 0; i < n; i++) {
            if (rowsOfFeatures[i].length != s) {
                throw new MaestroException("candidate table row " + i + " has " + rowsOfFeatures[i].length
                        + " features, expected " + s + " like row 0");
            }
            for (int j = 0; j < s; j++) {
                f[i * s + j] = rowsOfFeatures[i][j];
            }
        }
        return new CandidateTable(n, s, f);
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** Feature {@code j} of row {@code i}. */
    public double feature(int i, int j) {
        return features[i * columns + j];
    }

    double[] features() {
        return features;
    }

    Projection projection() {
        return projection;
    }

    void projection(Projection p) {
        projection = p;
    }
}
