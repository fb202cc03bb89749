package dev.maestro.policy;

/**
 * The numbers the learned policy computes about each candidate of a decision (the network's per-candidate input),
 * by name. A decision's candidates are {@code Call(pair)} for every pair it may still call and {@code Answer(k)}
 * for every distinct answer seen so far; each gets {@link #COUNT} numbers, written by {@link Featurizer}.
 *
 * <p>Three kinds: what the episode has seen so far (the same for every candidate of a decision, so the network
 * can weigh "stop" against "ask once more" in the light of it), numbers about a call, numbers about an answer.
 * Accuracy estimates about the candidate's pair (a call's pair, or an answer's best supporter) close the row.
 *
 * <p>Support: each answer's supporters vote with weight ln(p·m / (1 − p)), p the supporter's estimated accuracy
 * on similar training questions ({@link PairHistory}: the mean of its near and wide estimates, clipped to
 * [0.02, 0.98]) and m the number of wrong options it could have picked instead (options − 1, or 9 for open
 * answers) — the log-odds of "this expert is right" against "this is a chance pick", floored at 0. An answer's
 * {@link #POSTERIOR} is what these votes imply if the experts erred independently and uniformly: e^{W_b} / (Σ_b'
 * e^{W_b'} + the options nobody chose); a lone answer's posterior is its supporter's p. They are inputs, not
 * rules: the network learns from outcomes how far to trust them (experts do not err independently).
 */
public final class CandidateFeatures {
    /** 1 for a {@code Call(pair)} candidate. */
    public static final int IS_CALL = 0;
    /** 1 for an {@code Answer(k)} candidate. */
    public static final int IS_ANSWER = 1;

    // --- the episode so far (same for every candidate of a decision)
    /** Turn index / max turns. */
    public static final int TURN = 2;
    /** Calls made / 4. */
    public static final int CALLS_MADE = 3;
    /** Share of the call budget left. */
    public static final int CALLS_LEFT = 4;
    /** Share of the dollar budget left. */
    public static final int BUDGET_LEFT = 5;
    /** 1 on the last turn (only answers remain). */
    public static final int LAST_TURN = 6;
    /** Calls that returned an answer / 4. */
    public static final int ANSWERED = 7;
    /** Distinct answers / 4. */
    public static final int DISTINCT = 8;
    /** Share of the answers in the largest bin (1 = all agree). */
    public static final int AGREEMENT = 9;
    /** Calls that returned no (or no parseable) answer / 4. */
    public static final int NO_ANSWER = 10;
    /** Calls that failed (expert error, not recorded) / 4. */
    public static final int ERRORS = 11;
    /** Posterior of the leading answer × {@link #SCALE} (see the class comment). */
    public static final int LEAD_POSTERIOR = 12;
    /** Weighted support of the leading answer minus the runner-up's / 4. */
    public static final int LEAD_MARGIN = 13;
    /** Cost weight × dollars spent / reference cost × {@link #SCALE}: what this episode has spent, in reward units. */
    public static final int SPENT = 14;
    /** log10 of the cost weight, shifted (the trade-off this episode is scored with). */
    public static final int COST_WEIGHT = 15;
    /** The task has images and the candidate's model sees them. */
    public static final int IMAGE_SEES = 16;
    /** The task has images and the candidate's model does not see them. */
    public static final int IMAGE_BLIND = 17;

    // --- a call
    /** log1p(input + output price per 1M tokens) / 3. */
    public static final int PRICE = 18;
    /**
     * Cost weight × the pair's mean cost per training task / reference cost × {@link #SCALE}: the call's expected
     * price in reward units, at the scale accuracies are given at (so its weight and theirs start alike).
     */
    public static final int EXPECTED_COST = 19;
    /** The same model was already called with another skill. */
    public static final int MODEL_CALLED = 20;
    /** The skill is a router (it picks a level-2 skill itself). */
    public static final int ROUTER = 21;
    /** (Near accuracy of this pair − the best near accuracy among the pairs already called) × {@link #SCALE}. */
    public static final int GAIN = 22;

    // --- an answer
    /** Supporters / 4. */
    public static final int SUPPORT = 23;
    /** Supporters / answers so far. */
    public static final int SHARE = 24;
    /** 1 when the answer has text (0: an output without an answer, e.g. a replayed flag or "no answer extracted"). */
    public static final int HAS_TEXT = 25;
    /** Weighted support of this answer / 4. */
    public static final int WEIGHTED = 26;
    /** This answer's weighted support minus the best other answer's / 4. */
    public static final int MARGIN = 27;
    /** 1 when this answer has the most weighted support. */
    public static final int LEADING = 28;
    /** log1p(output tokens of the best supporter) / 6: how long the expert reasoned. */
    public static final int LENGTH = 29;
    /** The answer's posterior × {@link #SCALE} (see the class comment). */
    public static final int POSTERIOR = 37;
    /** The estimated accuracy (near) of the answer's best supporter × {@link #SCALE}. */
    public static final int SUPPORTER_NEAR = 38;

    // --- the pair a call would ask (0 for answers)
    /** Accuracy on the training split × {@link #SCALE}. */
    public static final int PRIOR = 30;
    /** 1 when the pair has no training-split accuracy (the mean was used). */
    public static final int PRIOR_UNKNOWN = 31;
    /** Accuracy on the {@value PairHistory#K} most similar training questions × {@link #SCALE}. */
    public static final int NEAR = 32;
    /** 1 when the pair has no history (the mean was used). */
    public static final int NEAR_UNKNOWN = 33;
    /** Accuracy on the {@value PairHistory#WIDE_K} most similar training questions × {@link #SCALE}. */
    public static final int WIDE = 34;
    /** Question ↔ model description similarity, centred over the registry's pairs. */
    public static final int SIM_MODEL = 35;
    /** Question ↔ skill description similarity, centred over the registry's pairs. */
    public static final int SIM_SKILL = 36;

    // --- a call, looking one answer ahead (0 for answers)
    /**
     * The expected posterior of the answer the policy would give after this call's answer is added
     * ({@link Lookahead}: the pair's estimated accuracy on similar questions, the current answers' weights) ×
     * {@link #SCALE}. Before any answer it is the pair's voting accuracy (a lone answer's posterior); where the
     * outputs so far cannot be compared (no text, e.g. replayed flags) it is the larger of the lead posterior and
     * that accuracy.
     */
    public static final int EXPECTED_POSTERIOR = 39;
    /** Value of information: {@link #EXPECTED_POSTERIOR} minus {@link #LEAD_POSTERIOR} (≥ 0). */
    public static final int INFORMATION = 40;
    /**
     * As {@link #EXPECTED_POSTERIOR}, two answers ahead: after this call's answer the episode may ask the callable
     * pair of best accuracy net of cost once more where that pays, net of that call's expected cost
     * ({@link Lookahead#expectedWithFollowUp}); {@link #EXPECTED_POSTERIOR} where no call or turn is left for it.
     */
    public static final int WITH_FOLLOW_UP = 41;

    /** Numbers per candidate. */
    public static final int COUNT = 42;

    /**
     * Accuracies differ between good pairs by a few points; scaled so that such a gap is O(1) for the network.
     */
    public static final double SCALE = 20;

    private CandidateFeatures() {
    }
}
