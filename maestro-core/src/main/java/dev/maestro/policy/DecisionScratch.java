package dev.maestro.policy;

import dev.maestro.episode.Observation;
import dev.maestro.policy.nn.PolicyNetwork;
import dev.maestro.registry.Pair;
import java.util.Arrays;
import java.util.Map;

/**
 * Per-thread buffers of the learned policy: a decision allocates nothing but its returned action (and, when
 * sampling for training, its decision record). Also caches the once-per-task numbers (description similarities,
 * neighbourhood estimates) for the task the thread last decided on.
 */
final class DecisionScratch {
    final PolicyNetwork.Workspace ws;
    double[] features = new double[64 * CandidateFeatures.COUNT];
    int[] rows = new int[64];
    double[] scores = new double[64];
    Pair[] callPairs = new Pair[64];
    Observation[] answerObs = new Observation[64];
    boolean[] maskBuf = new boolean[64];
    int k;

    // once per task (copies of a policy share one encoder, so the task alone is the key)
    Object contextTask;
    float[] raw;
    double[] context;
    Object simTask;
    Object simEncoding;
    Object simHistory;
    double[] sims = new double[0];
    Map<Pair, PairHistory.Estimate> near = Map.of();

    // once per task and policy settings: what is known about each pair of the encoding, by row, filled on the first
    // decision that needs it (a decision then looks up no map and no registry card per candidate)
    Object rowsTask;
    Object rowsEncoding;
    Object rowsNumbers;
    Object rowsRegistry;
    int rowsEpoch;
    int[] rowStamp = new int[0];
    /** Per row: PRICE, ROUTER, PRIOR, PRIOR_UNKNOWN, NEAR, NEAR_UNKNOWN, WIDE, SIM_MODEL, SIM_SKILL (Featurizer.ROW_*). */
    double[] rowFeatures = new double[0];
    /** Per row: the best accuracy estimate ({@code Featurizer.near}), the voting accuracy, the expected cost in US$. */
    double[] rowNear = new double[0];
    double[] rowVoting = new double[0];
    double[] rowCost = new double[0];
    /** Per row: the model sees images. */
    boolean[] rowSees = new boolean[0];

    // answer bins of the current decision (reused arrays)
    String[] binKey = new String[16];
    Observation[] binBest = new Observation[16];
    double[] binWeight = new double[16];
    double[] binBestNear = new double[16];
    double[] binAccuracy = new double[16];
    double[] binPosterior = new double[16];
    /** e^W of the text answers, in bin order (Featurizer's one-answer look-ahead). */
    double[] binExp = new double[16];
    int[] binCount = new int[16];
    int bins;

    DecisionScratch(PolicyNetwork network) {
        this.ws = network.newWorkspace(64);
    }

    /** Forgets the per-row numbers unless they belong to this task, encoding, policy settings and registry. */
    void rowsFor(Object task, Object encoding, Object numbers, Object registry, int rowCount) {
        if (rowsTask == task && rowsEncoding == encoding && rowsNumbers == numbers && rowsRegistry == registry
                && rowStamp.length >= rowCount) {
            return;
        }
        rowsTask = task;
        rowsEncoding = encoding;
        rowsNumbers = numbers;
        rowsRegistry = registry;
        if (rowStamp.length < rowCount) {
            rowStamp = new int[rowCount];
            rowFeatures = new double[rowCount * ROW_FEATURES];
            rowNear = new double[rowCount];
            rowVoting = new double[rowCount];
            rowCost = new double[rowCount];
            rowSees = new boolean[rowCount];
            rowsEpoch = 0;
        }
        rowsEpoch++;
        if (rowsEpoch == Integer.MAX_VALUE) {
            Arrays.fill(rowStamp, 0);
            rowsEpoch = 1;
        }
    }

    /** Numbers per row in {@link #rowFeatures}. */
    static final int ROW_FEATURES = 9;

    void clear() {
        k = 0;
        bins = 0;
    }

    /** Starts a candidate; returns the offset of its feature row (zeroed). */
    int next(int row, Pair call, Observation answer) {
        if (k == rows.length) {
            int n = rows.length * 2;
            features = Arrays.copyOf(features, n * CandidateFeatures.COUNT);
            rows = Arrays.copyOf(rows, n);
            scores = Arrays.copyOf(scores, n);
            callPairs = Arrays.copyOf(callPairs, n);
            answerObs = Arrays.copyOf(answerObs, n);
            maskBuf = new boolean[n];
        }
        rows[k] = row;
        callPairs[k] = call;
        answerObs[k] = answer;
        int off = k * CandidateFeatures.COUNT;
        Arrays.fill(features, off, off + CandidateFeatures.COUNT, 0);
        k++;
        return off;
    }

    /** Starts an answer bin; returns its index. */
    int bin(String key) {
        if (bins == binKey.length) {
            int n = bins * 2;
            binKey = Arrays.copyOf(binKey, n);
            binBest = Arrays.copyOf(binBest, n);
            binWeight = Arrays.copyOf(binWeight, n);
            binBestNear = Arrays.copyOf(binBestNear, n);
            binAccuracy = Arrays.copyOf(binAccuracy, n);
            binPosterior = Arrays.copyOf(binPosterior, n);
            binExp = Arrays.copyOf(binExp, n);
            binCount = Arrays.copyOf(binCount, n);
        }
        binKey[bins] = key;
        binBest[bins] = null;
        binWeight[bins] = 0;
        binBestNear[bins] = Double.NEGATIVE_INFINITY;
        binAccuracy[bins] = 0;
        binPosterior[bins] = 0;
        binCount[bins] = 0;
        return bins++;
    }

    boolean[] mask(int n) {
        Arrays.fill(maskBuf, 0, n, true);
        return maskBuf;
    }
}
