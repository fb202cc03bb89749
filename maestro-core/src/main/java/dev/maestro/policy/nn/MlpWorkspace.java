package dev.maestro.policy.nn;

/** {@link Mlp}'s scratch for one thread. Package-private fields: the Mlp is the only reader. */
final class MlpWorkspace implements PolicyNetwork.Workspace {
    int cap;
    final double[] ctx;          // c = b1 + Wq q (H1)
    double[][][] rowAct;         // rowAct[l][i]: post-activation of layer l+1 for candidate i (H(l+1))
    double[] delta;              // cap x maxHidden
    double[] deltaPrev;          // cap x maxHidden
    final double[] deltaSum;     // sum over candidates of delta1 (H1)
    // Inputs of the last forward, kept by reference for backward.
    double[] q;
    double[] x;
    CandidateTable table;
    int[] rows;
    int k;
    final int[] hidden;

    MlpWorkspace(int cap, int[] hidden, int maxHidden) {
        this.hidden = hidden;
        this.ctx = new double[hidden[0]];
        this.deltaSum = new double[hidden[0]];
        allocate(cap, maxHidden);
    }

    private void allocate(int capacity, int maxHidden) {
        cap = capacity;
        rowAct = new double[hidden.length][][];
        for (int l = 0; l < hidden.length; l++) {
            rowAct[l] = new double[capacity][hidden[l]];
        }
        delta = new double[capacity * maxHidden];
        deltaPrev = new double[capacity * maxHidden];
    }

    void ensure(int k, int maxHidden) {
        if (k > cap) {
            allocate(Math.max(k, cap * 2), maxHidden);
        }
    }

    @Override
    public int capacity() {
        return cap;
    }
}
