package dev.maestro.policy.nn;

/**
 * A candidate-scoring network: given a shared context vector (C features: question embedding, turn
 * index, budget…) and K candidates (each D dynamic features, plus optionally a row of a
 * {@link CandidateTable} of static features such as description embeddings), it returns K scores
 * (logits). Weights are shared across candidates, so K may vary from decision to decision and an
 * unseen candidate is scored like any other.
 *
 * <p>Threading: {@link #forward} is safe from many threads at once, each with its own
 * {@link Workspace}, while nobody changes the parameters. {@link #backward} and
 * {@link #flushGradients} accumulate into the shared gradient array and must be called from one
 * thread at a time.
 */
public interface PolicyNetwork {
    /** Scratch memory for one thread: activations of the last forward pass and backward buffers. */
    interface Workspace {
        /** Candidates the workspace holds without growing. */
        int capacity();
    }

    /** C, the length of the context vector. */
    int contextSize();

    /** D, the dynamic features per candidate. */
    int candidateSize();

    /** S, the static features per candidate (columns of a {@link CandidateTable}); 0 if unused. */
    int staticSize();

    Parameters parameters();

    /** A workspace for up to {@code maxCandidates} candidates (it grows if a decision has more). */
    Workspace newWorkspace(int maxCandidates);

    /**
     * Scores {@code k} candidates without static features (requires {@link #staticSize()} == 0).
     *
     * @param context length ≥ C
     * @param candidates row-major, candidate i at {@code [i*D, (i+1)*D)}
     * @param scores receives k logits
     */
    void forward(double[] context, double[] candidates, int k, Workspace ws, double[] scores);

    /**
     * Scores {@code k} candidates whose static features are rows {@code rows[0..k)} of {@code table}.
     * The table's first-layer projection is computed once per parameter version and reused.
     */
    void forward(double[] context, double[] candidates, CandidateTable table, int[] rows, int k, Workspace ws, double[] scores);

    /**
     * Given dLoss/dScores for the last {@link #forward} on {@code ws}, ADDS the parameter gradients to
     * {@link Parameters#gradients()}. The inputs of that forward are read again (not copied), so the
     * caller must not change them in between.
     */
    void backward(double[] dScores, Workspace ws);

    /**
     * Completes deferred gradient contributions (the static-feature weights, whose gradient is
     * accumulated per table row and multiplied out once here). Call before reading gradients or
     * stepping an optimizer; calling it when nothing is pending is free.
     */
    void flushGradients();
}
