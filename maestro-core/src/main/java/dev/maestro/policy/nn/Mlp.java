package dev.maestro.policy.nn;

import dev.maestro.MaestroException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A multi-layer perceptron that scores candidates, hand-written over flat {@code double[]} arrays.
 *
 * <p>Shapes (C context, D dynamic candidate features, S static candidate features, H1..HL hidden):
 * <pre>
 *   c      = b1 + Wq·q                      (H1)     once per decision
 *   P[n]   = MlpWorkspace·table[n]                    (H1)     once per parameter version, for every table row
 *   h1[k]  = act(c + P[row_k] + Wc·x_k)     (H1)     per candidate
 *   hl[k]  = act(bl + Wl·h(l-1)[k])         (Hl)
 *   s[k]   = wout·hL[k]                     (1)      the logit
 * </pre>
 * Weights are stored input-major ({@code W[i][h]}: row i holds the weights from input i to every unit),
 * so forward and the weight gradients are axpy loops over contiguous memory; forward runs them over a
 * per-version copy with one array per row (see {@code RowWeights}), the shape C2 vectorises. Zero
 * inputs (one-hot flags) are skipped. There is no output bias: scores only feed a
 * softmax, which is invariant to a shared shift, so such a bias would never receive a gradient.
 *
 * <p>Parameter views: {@code ctx.W} (C×H1), {@code cand.W} (D×H1), {@code static.W} (S×H1, when S>0),
 * {@code l1.b} (H1), {@code l2.W} (H1×H2), {@code l2.b}, …, {@code out.w} (1×HL).
 */
public final class Mlp implements PolicyNetwork {
    private final int c;
    private final int d;
    private final int s;
    private final int[] hidden;
    private final Activation activation;
    private final Parameters params;

    // Offsets of the views in the flat array.
    private final int offWq;
    private final int offWc;
    private final int offWs;
    private final int offB1;
    private final int[] offW; // offW[l] for l >= 1: weights of layer l+1 (H(l-1) x Hl); offW[0] unused
    private final int[] offB;
    private final int offOut;
    private final int offSkip;
    private final int maxHidden;

    /** Tables that hold gradient not yet multiplied into static.W (see {@link #flushGradients()}). */
    private final List<CandidateTable> pendingTables = new ArrayList<>();

    private Mlp(Builder b, Parameters loaded) {
        this.c = b.contextSize;
        this.d = b.candidateSize;
        this.s = b.staticSize;
        this.hidden = b.hidden.clone();
        this.activation = b.activation;
        Parameters layout = layout(c, d, s, hidden);
        if (loaded == null) {
            this.params = layout;
            initialise(b.seed, b.init.orElse(Init.forActivation(activation)));
        } else {
            if (!loaded.sameLayout(layout)) {
                throw new MaestroException("parameters do not fit this network: expected views " + layout.views()
                        + " but got " + loaded.views());
            }
            this.params = loaded;
        }
        offWq = params.view("ctx.W").offset();
        offWc = params.view("cand.W").offset();
        offWs = s > 0 ? params.view("static.W").offset() : -1;
        offB1 = params.view("l1.b").offset();
        offW = new int[hidden.length];
        offB = new int[hidden.length];
        offB[0] = offB1;
        for (int l = 1; l < hidden.length; l++) {
            offW[l] = params.view("l" + (l + 1) + ".W").offset();
            offB[l] = params.view("l" + (l + 1) + ".b").offset();
        }
        offOut = params.view("out.w").offset();
        offSkip = params.view("skip.w").offset();
        maxHidden = Arrays.stream(hidden).max().orElse(0);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Parameters layout(int c, int d, int s, int[] hidden) {
        Parameters.Builder pb = Parameters.builder()
                .matrix("ctx.W", c, hidden[0])
                .matrix("cand.W", d, hidden[0]);
        if (s > 0) {
            pb.matrix("static.W", s, hidden[0]);
        }
        pb.bias("l1.b", hidden[0]);
        for (int l = 1; l < hidden.length; l++) {
            pb.matrix("l" + (l + 1) + ".W", hidden[l - 1], hidden[l]);
            pb.bias("l" + (l + 1) + ".b", hidden[l]);
        }
        pb.matrix("out.w", 1, hidden[hidden.length - 1]);
        // A linear path from the candidate features straight to the score ("wide and deep"): numeric evidence
        // such as a pair's past accuracy then moves the score at once, without waiting for the deep path to learn it.
        pb.matrix("skip.w", 1, d);
        return pb.build();
    }

    private void initialise(long seed, Init init) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = params.values();
        // The first layer's pre-activation sums all three input blocks, so they share one fan-in.
        int fanIn1 = Math.max(1, c + d + s);
        for (String name : List.of("ctx.W", "cand.W", "static.W")) {
            Optional<Parameters.View> view = params.find(name);
            view.ifPresent(w -> init.fill(v, w.offset(), w.size(), fanIn1, hidden[0], rng));
        }
        for (int l = 1; l < hidden.length; l++) {
            Parameters.View w = params.view("l" + (l + 1) + ".W");
            init.fill(v, w.offset(), w.size(), hidden[l - 1], hidden[l], rng);
        }
        Parameters.View out = params.view("out.w");
        // Small output weights: the initial policy is near-uniform, so early GRPO updates explore.
        Init.XAVIER.fill(v, out.offset(), out.size(), hidden[hidden.length - 1], 1, rng);
        for (int i = 0; i < out.size(); i++) {
            v[out.offset() + i] *= 0.1;
        }
        params.markChanged();
    }

    @Override
    public int contextSize() {
        return c;
    }

    @Override
    public int candidateSize() {
        return d;
    }

    @Override
    public int staticSize() {
        return s;
    }

    public int[] hidden() {
        return hidden.clone();
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    @Override
    public Workspace newWorkspace(int maxCandidates) {
        return new MlpWorkspace(Math.max(1, maxCandidates), hidden, maxHidden);
    }

    private MlpWorkspace ws(Workspace w) {
        // Workspaces depend only on the hidden sizes, so one may serve several networks of one shape.
        if (!(w instanceof MlpWorkspace ws) || !Arrays.equals(ws.hidden, hidden)) {
            throw new MaestroException("workspace does not fit this network (hidden " + Arrays.toString(hidden)
                    + "); create it with newWorkspace()");
        }
        return ws;
    }

    @Override
    public void forward(double[] context, double[] candidates, int k, Workspace w, double[] scores) {
        if (s > 0) {
            throw new MaestroException("this network expects " + s + " static features per candidate; pass a CandidateTable");
        }
        forward(context, candidates, null, null, k, w, scores);
    }

    @Override
    public void forward(double[] context, double[] candidates, CandidateTable table, int[] rows, int k, Workspace w,
            double[] scores) {
        MlpWorkspace ws = ws(w);
        check(context, candidates, table, rows, k, scores);
        ws.ensure(k, maxHidden);
        ws.q = context;
        ws.x = candidates;
        ws.table = table;
        ws.rows = rows;
        ws.k = k;
        final RowWeights rw = rowWeights();
        final int h1 = hidden[0];

        // Context projection, once per decision.
        double[] ctx = ws.ctx;
        System.arraycopy(rw.bias[0], 0, ctx, 0, h1);
        Kernels.axpyRows(rw.ctx, context, 0, c, ctx, h1);

        double[] proj = table == null ? null : projection(table).values();

        // First layer per candidate. Every layer writes one row array per candidate (see RowWeights for why).
        double[][] a1 = ws.rowAct[0];
        for (int i = 0; i < k; i++) {
            double[] a = a1[i];
            if (proj != null) {
                int po = rows[i] * h1;
                for (int h = 0; h < h1; h++) {
                    a[h] = ctx[h] + proj[po + h];
                }
            } else {
                System.arraycopy(ctx, 0, a, 0, h1);
            }
            Kernels.axpyRows(rw.cand, candidates, i * d, d, a, h1);
            activate(a, h1);
        }

        // Further hidden layers.
        for (int l = 1; l < hidden.length; l++) {
            int in = hidden[l - 1];
            int out = hidden[l];
            double[][] prev = ws.rowAct[l - 1];
            double[][] cur = ws.rowAct[l];
            double[][] wl = rw.layers[l];
            double[] bl = rw.bias[l];
            for (int i = 0; i < k; i++) {
                double[] a = cur[i];
                System.arraycopy(bl, 0, a, 0, out);
                Kernels.axpyRows(wl, prev[i], 0, in, a, out);
                activate(a, out);
            }
        }

        // Output.
        int hl = hidden[hidden.length - 1];
        double[][] last = ws.rowAct[hidden.length - 1];
        for (int i = 0; i < k; i++) {
            scores[i] = Kernels.dot(rw.out, 0, last[i], 0, hl) + Kernels.dot(rw.skip, 0, candidates, i * d, d);
        }
    }

    /**
     * The weights of the per-decision path, copied once per parameter version into one array per input row.
     * C2 (JDK 17) vectorises {@code out[h] += x0·w0[h] + …} only when the arrays inside the loop are indexed
     * from 0: with the rows at offsets of the flat parameter array (and the activations at offsets of a flat
     * workspace) the same loop ran scalar, at ~2 GFLOP/s. The arithmetic and its order are unchanged, so the
     * scores are bit-identical to the flat-array loops (MlpFastPathTest checks this against a reference).
     */
    private record RowWeights(long version, double[][] ctx, double[][] cand, double[][][] layers, double[][] bias,
                              double[] out, double[] skip) {
    }

    private volatile RowWeights rowWeights;

    private RowWeights rowWeights() {
        long version = params.version();
        RowWeights rw = rowWeights;
        if (rw != null && rw.version() == version) {
            return rw;
        }
        double[] v = params.values();
        double[][][] layers = new double[hidden.length][][];
        double[][] bias = new double[hidden.length][];
        bias[0] = Arrays.copyOfRange(v, offB1, offB1 + hidden[0]);
        for (int l = 1; l < hidden.length; l++) {
            layers[l] = Kernels.rowsOf(v, offW[l], hidden[l - 1], hidden[l]);
            bias[l] = Arrays.copyOfRange(v, offB[l], offB[l] + hidden[l]);
        }
        int hl = hidden[hidden.length - 1];
        // Racing threads build equal snapshots; the last write wins, as for the table projection.
        rw = new RowWeights(version, Kernels.rowsOf(v, offWq, c, hidden[0]), Kernels.rowsOf(v, offWc, d, hidden[0]), layers, bias,
                Arrays.copyOfRange(v, offOut, offOut + hl), Arrays.copyOfRange(v, offSkip, offSkip + d));
        rowWeights = rw;
        return rw;
    }

    private void check(double[] context, double[] candidates, CandidateTable table, int[] rows, int k, double[] scores) {
        if (k < 0 || scores.length < k) {
            throw new MaestroException("k=" + k + " candidates but scores has length " + scores.length);
        }
        if (context.length < c) {
            throw new MaestroException("context has " + context.length + " features, network expects " + c);
        }
        if (candidates.length < (long) k * d) {
            throw new MaestroException("candidates has " + candidates.length + " values, need k*D = " + k + "*" + d);
        }
        if (table != null) {
            if (s == 0) {
                throw new MaestroException("this network has no static features but a CandidateTable was passed");
            }
            if (table.columns() != s) {
                throw new MaestroException("candidate table has " + table.columns() + " columns, network expects " + s);
            }
            if (rows == null || rows.length < k) {
                throw new MaestroException("need one table row index per candidate (k=" + k + ")");
            }
            for (int i = 0; i < k; i++) {
                if (rows[i] < 0 || rows[i] >= table.rows()) {
                    throw new MaestroException("candidate " + i + " refers to table row " + rows[i] + ", valid 0.." + (table.rows() - 1));
                }
            }
        }
    }

    /** The table's first-layer projection for the current parameters, computed at most once per version. */
    CandidateTable.Projection projection(CandidateTable table) {
        long version = params.version();
        CandidateTable.Projection p = table.projection();
        int h1 = hidden[0];
        if (p != null && p.version() == version && p.width() == h1) {
            return p;
        }
        double[] v = params.values();
        double[] out = new double[table.rows() * h1];
        double[] f = table.features();
        for (int n = 0; n < table.rows(); n++) {
            Kernels.axpyRows(v, offWs, f, n * s, s, h1, out, n * h1);
        }
        p = new CandidateTable.Projection(version, h1, out);
        table.projection(p);
        return p;
    }

    private void activate(double[] a, int n) {
        if (activation == Activation.TANH) {
            Activation.tanh(a, n);
        } else {
            for (int h = 0; h < n; h++) {
                a[h] = Math.max(0.0, a[h]);
            }
        }
    }

    @Override
    public void backward(double[] dScores, Workspace w) {
        MlpWorkspace ws = ws(w);
        int k = ws.k;
        if (dScores.length < k) {
            throw new MaestroException("dScores has length " + dScores.length + " but the last forward scored " + k + " candidates");
        }
        double[] v = params.values();
        double[] g = params.gradients();
        int layers = hidden.length;
        int hl = hidden[layers - 1];
        double[][] last = ws.rowAct[layers - 1];
        double[] delta = ws.delta;

        // Skip path: ds/dskip = x.
        for (int i = 0; i < k; i++) {
            double ds = dScores[i];
            int xo = i * d;
            for (int j = 0; j < d; j++) {
                g[offSkip + j] += ds * ws.x[xo + j];
            }
        }

        // Output layer: ds/dwout = hL; dL/dhL = dS · wout, then through the activation.
        for (int i = 0; i < k; i++) {
            double ds = dScores[i];
            int o = i * hl;
            double[] li = last[i];
            for (int h = 0; h < hl; h++) {
                g[offOut + h] += ds * li[h];
                delta[o + h] = ds * v[offOut + h] * derivative(li[h]);
            }
        }

        // Hidden layers L..2: delta holds dL/d(pre-activation of layer l).
        for (int l = layers - 1; l >= 1; l--) {
            int in = hidden[l - 1];
            int out = hidden[l];
            double[][] prev = ws.rowAct[l - 1];
            double[] dPrev = ws.deltaPrev;
            for (int i = 0; i < k; i++) {
                int o = i * out;
                int po = i * in;
                for (int h = 0; h < out; h++) {
                    g[offB[l] + h] += delta[o + h];
                }
                for (int j = 0; j < in; j++) {
                    double a = prev[i][j];
                    int r = offW[l] + j * out;
                    if (a != 0.0) {
                        for (int h = 0; h < out; h++) {
                            g[r + h] += a * delta[o + h];
                        }
                    }
                    dPrev[po + j] = Kernels.dot(v, r, delta, o, out) * derivative(a);
                }
            }
            ws.deltaPrev = delta;
            ws.delta = dPrev;
            delta = dPrev;
        }

        // First layer: candidate weights per candidate; bias, context and static weights through sums.
        int h1 = hidden[0];
        double[] sum = ws.deltaSum;
        Arrays.fill(sum, 0.0);
        double[] x = ws.x;
        for (int i = 0; i < k; i++) {
            int o = i * h1;
            for (int h = 0; h < h1; h++) {
                sum[h] += delta[o + h];
            }
            int xo = i * d;
            for (int j = 0; j < d; j++) {
                double xj = x[xo + j];
                if (xj == 0.0) {
                    continue;
                }
                int r = offWc + j * h1;
                for (int h = 0; h < h1; h++) {
                    g[r + h] += xj * delta[o + h];
                }
            }
        }
        for (int h = 0; h < h1; h++) {
            g[offB1 + h] += sum[h];
        }
        // The context was projected once, so its gradient is one outer product with the summed deltas.
        double[] q = ws.q;
        for (int j = 0; j < c; j++) {
            double qj = q[j];
            if (qj == 0.0) {
                continue;
            }
            int r = offWq + j * h1;
            for (int h = 0; h < h1; h++) {
                g[r + h] += qj * sum[h];
            }
        }
        // Static features: accumulate per table row; the S×H1 outer products happen once in flushGradients().
        CandidateTable table = ws.table;
        if (table != null) {
            if (!table.pending) {
                if (table.pendingGradient == null || table.pendingGradient.length != table.rows() * h1) {
                    table.pendingGradient = new double[table.rows() * h1];
                } else {
                    Arrays.fill(table.pendingGradient, 0.0);
                }
                table.pending = true;
                pendingTables.add(table);
            }
            double[] pg = table.pendingGradient;
            int[] rows = ws.rows;
            for (int i = 0; i < k; i++) {
                int po = rows[i] * h1;
                int o = i * h1;
                for (int h = 0; h < h1; h++) {
                    pg[po + h] += delta[o + h];
                }
            }
        }
    }

    private double derivative(double y) {
        return activation == Activation.TANH ? 1.0 - y * y : (y > 0 ? 1.0 : 0.0);
    }

    @Override
    public void flushGradients() {
        if (pendingTables.isEmpty()) {
            return;
        }
        double[] g = params.gradients();
        int h1 = hidden[0];
        for (CandidateTable table : pendingTables) {
            double[] pg = table.pendingGradient;
            double[] f = table.features();
            for (int n = 0; n < table.rows(); n++) {
                int po = n * h1;
                boolean any = false;
                for (int h = 0; h < h1; h++) {
                    if (pg[po + h] != 0.0) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    continue;
                }
                int fo = n * s;
                for (int j = 0; j < s; j++) {
                    double fj = f[fo + j];
                    if (fj == 0.0) {
                        continue;
                    }
                    int r = offWs + j * h1;
                    for (int h = 0; h < h1; h++) {
                        g[r + h] += fj * pg[po + h];
                    }
                }
            }
            table.pending = false;
        }
        pendingTables.clear();
    }

    /** Configuration of an {@link Mlp}; every field has a default except the input sizes. */
    public static final class Builder {
        private int contextSize;
        private int candidateSize;
        private int staticSize;
        private int[] hidden = {64, 32};
        private Activation activation = Activation.TANH;
        private long seed = 1;
        private Optional<Init> init = Optional.empty();
        private Optional<Parameters> parameters = Optional.empty();

        private Builder() {
        }

        public Builder contextSize(int c) {
            this.contextSize = c;
            return this;
        }

        public Builder candidateSize(int d) {
            this.candidateSize = d;
            return this;
        }

        public Builder staticSize(int s) {
            this.staticSize = s;
            return this;
        }

        public Builder hidden(int... sizes) {
            this.hidden = sizes.clone();
            return this;
        }

        public Builder activation(Activation a) {
            this.activation = a;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Overrides the initialisation (default: Xavier for tanh, He for ReLU). */
        public Builder init(Init init) {
            this.init = Optional.of(init);
            return this;
        }

        /** Uses existing parameters (e.g. a loaded checkpoint) instead of initialising; layouts must match. */
        public Builder parameters(Parameters p) {
            this.parameters = Optional.of(p);
            return this;
        }

        public Mlp build() {
            if (contextSize < 0 || candidateSize < 0 || staticSize < 0) {
                throw new MaestroException("input sizes must be >= 0, got context=" + contextSize + " candidate=" + candidateSize
                        + " static=" + staticSize);
            }
            if (contextSize + candidateSize + staticSize == 0) {
                throw new MaestroException("the network needs at least one input feature");
            }
            if (hidden.length == 0) {
                throw new MaestroException("hidden sizes must name at least one layer, e.g. [64, 32]");
            }
            for (int h : hidden) {
                if (h <= 0) {
                    throw new MaestroException("hidden sizes must be positive, got " + Arrays.toString(hidden));
                }
            }
            return new Mlp(this, parameters.orElse(null));
        }
    }
}
