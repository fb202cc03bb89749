package dev.maestro.policy;

import static dev.maestro.policy.CandidateFeatures.AGREEMENT;
import static dev.maestro.policy.CandidateFeatures.ANSWERED;
import static dev.maestro.policy.CandidateFeatures.BUDGET_LEFT;
import static dev.maestro.policy.CandidateFeatures.CALLS_LEFT;
import static dev.maestro.policy.CandidateFeatures.CALLS_MADE;
import static dev.maestro.policy.CandidateFeatures.COST_WEIGHT;
import static dev.maestro.policy.CandidateFeatures.DISTINCT;
import static dev.maestro.policy.CandidateFeatures.ERRORS;
import static dev.maestro.policy.CandidateFeatures.EXPECTED_COST;
import static dev.maestro.policy.CandidateFeatures.EXPECTED_POSTERIOR;
import static dev.maestro.policy.CandidateFeatures.INFORMATION;
import static dev.maestro.policy.CandidateFeatures.GAIN;
import static dev.maestro.policy.CandidateFeatures.HAS_TEXT;
import static dev.maestro.policy.CandidateFeatures.IMAGE_BLIND;
import static dev.maestro.policy.CandidateFeatures.IMAGE_SEES;
import static dev.maestro.policy.CandidateFeatures.IS_ANSWER;
import static dev.maestro.policy.CandidateFeatures.IS_CALL;
import static dev.maestro.policy.CandidateFeatures.LAST_TURN;
import static dev.maestro.policy.CandidateFeatures.LEADING;
import static dev.maestro.policy.CandidateFeatures.LEAD_MARGIN;
import static dev.maestro.policy.CandidateFeatures.LEAD_POSTERIOR;
import static dev.maestro.policy.CandidateFeatures.POSTERIOR;
import static dev.maestro.policy.CandidateFeatures.SUPPORTER_NEAR;
import static dev.maestro.policy.CandidateFeatures.LENGTH;
import static dev.maestro.policy.CandidateFeatures.MARGIN;
import static dev.maestro.policy.CandidateFeatures.MODEL_CALLED;
import static dev.maestro.policy.CandidateFeatures.NEAR;
import static dev.maestro.policy.CandidateFeatures.NEAR_UNKNOWN;
import static dev.maestro.policy.CandidateFeatures.NO_ANSWER;
import static dev.maestro.policy.CandidateFeatures.PRICE;
import static dev.maestro.policy.CandidateFeatures.PRIOR;
import static dev.maestro.policy.CandidateFeatures.PRIOR_UNKNOWN;
import static dev.maestro.policy.CandidateFeatures.ROUTER;
import static dev.maestro.policy.CandidateFeatures.SCALE;
import static dev.maestro.policy.CandidateFeatures.SHARE;
import static dev.maestro.policy.CandidateFeatures.SIM_MODEL;
import static dev.maestro.policy.CandidateFeatures.SIM_SKILL;
import static dev.maestro.policy.CandidateFeatures.SPENT;
import static dev.maestro.policy.CandidateFeatures.SUPPORT;
import static dev.maestro.policy.CandidateFeatures.TURN;
import static dev.maestro.policy.CandidateFeatures.WEIGHTED;
import static dev.maestro.policy.CandidateFeatures.WIDE;
import static dev.maestro.policy.CandidateFeatures.WITH_FOLLOW_UP;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.AnswerKey;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a decision's candidates and their {@link CandidateFeatures} from what the episode has seen: the calls
 * still possible, the distinct answers so far with their (weighted) support, and the numbers known about each
 * pair. Pure bookkeeping over the episode view; all learning is in the network that scores the rows.
 */
final class Featurizer {
    /**
     * What the policy knows about pairs and about the trade-off it is asked to make.
     *
     * @param priors     training-split accuracy per pair
     * @param priorMean  used for pairs without one
     * @param costs      mean cost per training task per pair (US$)
     * @param costRef    reference cost: the best training pair's mean cost per task (the unit of the cost weight)
     * @param history    neighbourhood estimates, if any
     * @param hidden     models whose numbers are hidden (training: history dropout)
     * @param costWeight the cost weight of this episode
     * @param minCalls   no answer is offered before this many calls (training's exploration; 0 at evaluation)
     */
    record Numbers(Map<Pair, Double> priors, double priorMean, Map<Pair, Double> costs, double costRef,
                   Optional<PairHistory> history, Set<String> hidden, double costWeight, int minCalls) {
    }

    private Featurizer() {
    }

    static void fill(EpisodeView view, RegistryEncoding enc, DecisionScratch s, Numbers n, float[] question) {
        Task task = view.task();
        if (s.simTask != task || s.simEncoding != enc || s.simHistory != n.history()) {
            s.sims = enc.similarities(question);
            s.simTask = task;
            s.simEncoding = enc;
            s.simHistory = n.history();
            s.near = n.history().map(h -> h.estimates(task, question)).orElse(Map.of());
        }
        List<Observation> obs = view.observations();
        Registry reg = view.registry();
        s.rowsFor(task, enc, n, reg, enc.pairs().size());
        double wrong = task.answerType() == AnswerType.CHOICE && !task.options().isEmpty()
                ? Math.max(1, task.options().size() - 1) : 9;
        int errors = 0;
        int noAnswer = 0;
        int answered = 0;
        double spent = 0;
        double bestCalledNear = 0;
        boolean anyCalled = false;
        for (Observation o : obs) {
            spent += o.costUsd();
            if (!o.ok()) {
                errors++;
                continue;
            }
            Pair p = o.call().pair();
            int pr = enc.row(p);
            if (pr >= 0) {
                ensureRow(s, pr, p, reg, n);
            }
            double near = pr >= 0 ? s.rowNear[pr] : near(p, s, n);
            double votingAccuracy = pr >= 0 ? s.rowVoting[pr] : votingAccuracy(p, s, n);
            bestCalledNear = anyCalled ? Math.max(bestCalledNear, near) : near;
            anyCalled = true;
            Optional<String> a = o.answer().filter(x -> !x.isBlank());
            if (a.isPresent()) {
                answered++;
            } else {
                noAnswer++;
            }
            // outputs without an answer are each their own candidate (replayed flags are graded by the flag)
            String key = a.map(x -> AnswerKey.of(task, x)).orElse("\u0000#" + o.index());
            int b = find(s, key);
            if (b < 0) {
                b = s.bin(key);
            }
            s.binCount[b]++;
            s.binWeight[b] += a.isPresent() ? vote(votingAccuracy, wrong) : 0;
            if (near > s.binBestNear[b]) {
                s.binBestNear[b] = near;
                s.binBest[b] = o;
                s.binAccuracy[b] = votingAccuracy;
            }
        }
        // posteriors: e^W over the text answers plus one unit of weight per option nobody chose; an output without an
        // answer cannot be compared with the others, so its posterior is its supporter's accuracy
        double norm = Math.max(0, wrong + 1 - countTextBins(s));
        for (int b = 0; b < s.bins; b++) {
            if (s.binKey[b].charAt(0) != '\u0000') {
                norm += Math.exp(s.binWeight[b]);
            }
        }
        for (int b = 0; b < s.bins; b++) {
            s.binPosterior[b] = s.binKey[b].charAt(0) != '\u0000' ? Math.exp(s.binWeight[b]) / norm : s.binAccuracy[b];
        }
        int lead = -1;
        double leadW = 0;
        double secondW = 0;
        double leadPosterior = 0;
        int maxCount = 0;
        int textBins = 0;
        for (int b = 0; b < s.bins; b++) {
            double w = s.binWeight[b];
            if (lead < 0 || w > leadW) {
                secondW = lead < 0 ? 0 : leadW;
                leadW = w;
                lead = b;
            } else if (w > secondW) {
                secondW = w;
            }
            if (s.binKey[b].charAt(0) != '\u0000') {
                maxCount = Math.max(maxCount, s.binCount[b]);
                textBins++;
            }
            leadPosterior = Math.max(leadPosterior, s.binPosterior[b]);
        }
        // one answer ahead (Lookahead): the text answers' e^W, and the best posterior among outputs without text;
        // when every output so far is without text (replayed flags), a new one cannot be compared with them either
        int textCount = 0;
        double floor = 0;
        for (int b = 0; b < s.bins; b++) {
            if (s.binKey[b].charAt(0) != '\u0000') {
                s.binExp[textCount++] = Math.exp(s.binWeight[b]);
            } else {
                floor = Math.max(floor, s.binPosterior[b]);
            }
        }
        boolean comparable = textCount > 0 || noAnswer == 0;
        double unchosen = Math.max(0, wrong + 1 - textCount);
        int calls = obs.size();
        double turnFrac = view.turn() / (double) view.maxTurns();
        double callsLeft = view.callsLeft() / (double) Math.max(1, calls + view.callsLeft());
        double budgetLeft = view.costLeft() / Math.max(1e-12, view.costLeft() + spent);
        boolean last = view.lastTurn();
        boolean images = task.hasImages();
        // dollars → reward units (the cost weight over the reference cost) → the scale accuracies are given at
        double costUnit = SCALE * n.costWeight() / n.costRef();
        double weightInput = Math.log10(Math.max(1e-4, n.costWeight())) + 1.5;

        // the follow-up the look-ahead may add after a call: the callable pair of best accuracy net of its cost (and
        // the runner-up, for when the call is that pair itself), if the episode has a call and a turn to spare for it
        int follow1 = -1;
        int follow2 = -1;
        double net1 = 0;
        double net2 = 0;
        double lookCost = n.costWeight() / n.costRef();
        boolean followUp = comparable && !last && view.callsLeft() >= 2 && view.turn() + 2 < view.maxTurns();
        if (followUp) {
            for (Pair p : view.callablePairs()) {
                int row = enc.row(p);
                if (row < 0 || calledBefore(obs, p)) {
                    continue;
                }
                ensureRow(s, row, p, reg, n);
                double net = s.rowVoting[row] - lookCost * s.rowCost[row];
                if (follow1 < 0 || net > net1) {
                    follow2 = follow1;
                    net2 = net1;
                    follow1 = row;
                    net1 = net;
                } else if (follow2 < 0 || net > net2) {
                    follow2 = row;
                    net2 = net;
                }
            }
        }
        if (s.binExp.length <= textCount) {
            s.binExp = Arrays.copyOf(s.binExp, textCount + 1);
        }
        boolean callsOffered = false;
        if (!last && view.callsLeft() > 0) {
            for (Pair p : view.callablePairs()) {
                int row = enc.row(p);
                if (row < 0 || calledBefore(obs, p)) {
                    continue;
                }
                ensureRow(s, row, p, reg, n);
                int o = s.next(row, p, null);
                double[] f = s.features;
                common(f, o, turnFrac, calls, callsLeft, budgetLeft, last, answered, textBins, maxCount, noAnswer, errors,
                        leadPosterior, leadW - secondW, spent * costUnit, weightInput, images, s.rowSees[row]);
                int r = row * DecisionScratch.ROW_FEATURES;
                double[] rf = s.rowFeatures;
                f[o + IS_CALL] = 1;
                f[o + PRICE] = rf[r + ROW_PRICE];
                f[o + EXPECTED_COST] = costUnit * s.rowCost[row];
                f[o + MODEL_CALLED] = obs.isEmpty() ? 0 : calledModel(obs, p.model()) ? 1 : 0;
                f[o + ROUTER] = rf[r + ROW_ROUTER];
                f[o + GAIN] = anyCalled ? SCALE * (s.rowNear[row] - bestCalledNear) : 0;
                f[o + PRIOR] = rf[r + ROW_PRIOR];
                f[o + PRIOR_UNKNOWN] = rf[r + ROW_PRIOR_UNKNOWN];
                f[o + NEAR] = rf[r + ROW_NEAR];
                f[o + NEAR_UNKNOWN] = rf[r + ROW_NEAR_UNKNOWN];
                f[o + WIDE] = rf[r + ROW_WIDE];
                f[o + SIM_MODEL] = rf[r + ROW_SIM_MODEL];
                f[o + SIM_SKILL] = rf[r + ROW_SIM_SKILL];
                double q = s.rowVoting[row];
                int follow = follow1 == row ? follow2 : follow1;
                double ahead = comparable ? Lookahead.expectedPosterior(s.binExp, textCount, unchosen, floor, q, wrong)
                        : Math.max(leadPosterior, q);
                double twoAhead = follow < 0 ? ahead : Lookahead.expectedWithFollowUp(s.binExp, textCount, unchosen,
                        floor, q, wrong, s.rowVoting[follow], lookCost * s.rowCost[follow]);
                f[o + EXPECTED_POSTERIOR] = SCALE * ahead;
                f[o + INFORMATION] = SCALE * Math.max(0, ahead - leadPosterior);
                f[o + WITH_FOLLOW_UP] = SCALE * twoAhead;
                callsOffered = true;
            }
        }
        if (callsOffered && calls < n.minCalls()) {
            return; // exploration: this episode must call again before it may answer
        }
        for (int b = 0; b < s.bins; b++) {
            Observation best = s.binBest[b];
            int row = enc.row(best.call().pair());
            if (row < 0) {
                continue;
            }
            ensureRow(s, row, best.call().pair(), reg, n);
            int o = s.next(row, null, best);
            double[] f = s.features;
            common(f, o, turnFrac, calls, callsLeft, budgetLeft, last, answered, textBins, maxCount, noAnswer, errors,
                    leadPosterior, leadW - secondW, spent * costUnit, weightInput, images, s.rowSees[row]);
            f[o + IS_ANSWER] = 1;
            f[o + SUPPORT] = s.binCount[b] / 4.0;
            f[o + SHARE] = s.binCount[b] / (double) Math.max(1, answered + noAnswer);
            f[o + HAS_TEXT] = s.binKey[b].charAt(0) != '\u0000' ? 1 : 0;
            f[o + WEIGHTED] = s.binWeight[b] / 4.0;
            f[o + MARGIN] = (s.binWeight[b] - (b == lead ? secondW : leadW)) / 4.0;
            f[o + LEADING] = b == lead ? 1 : 0;
            f[o + LENGTH] = Math.log1p(best.usage().outputTokens()) / 6.0;
            f[o + POSTERIOR] = SCALE * s.binPosterior[b];
            f[o + SUPPORTER_NEAR] = SCALE * s.binBestNear[b];
            f[o + SIM_MODEL] = s.sims[2 * row];
            f[o + SIM_SKILL] = s.sims[2 * row + 1];
        }
    }

    private static void common(double[] f, int o, double turnFrac, int calls, double callsLeft, double budgetLeft, boolean last,
                               int answered, int distinct, int maxCount, int noAnswer, int errors, double leadPosterior,
                               double leadMargin, double spent, double weightInput, boolean images, boolean sees) {
        f[o + TURN] = turnFrac;
        f[o + CALLS_MADE] = calls / 4.0;
        f[o + CALLS_LEFT] = callsLeft;
        f[o + BUDGET_LEFT] = budgetLeft;
        f[o + LAST_TURN] = last ? 1 : 0;
        f[o + ANSWERED] = answered / 4.0;
        f[o + DISTINCT] = distinct / 4.0;
        f[o + AGREEMENT] = answered == 0 ? 0 : maxCount / (double) answered;
        f[o + NO_ANSWER] = noAnswer / 4.0;
        f[o + ERRORS] = errors / 4.0;
        f[o + LEAD_POSTERIOR] = SCALE * leadPosterior;
        f[o + LEAD_MARGIN] = leadMargin / 4.0;
        f[o + SPENT] = spent;
        f[o + COST_WEIGHT] = weightInput;
        f[o + IMAGE_SEES] = images && sees ? 1 : 0;
        f[o + IMAGE_BLIND] = images && !sees ? 1 : 0;
    }

    // the per-row numbers of DecisionScratch.rowFeatures
    private static final int ROW_PRICE = 0;
    private static final int ROW_ROUTER = 1;
    private static final int ROW_PRIOR = 2;
    private static final int ROW_PRIOR_UNKNOWN = 3;
    private static final int ROW_NEAR = 4;
    private static final int ROW_NEAR_UNKNOWN = 5;
    private static final int ROW_WIDE = 6;
    private static final int ROW_SIM_MODEL = 7;
    private static final int ROW_SIM_SKILL = 8;

    /**
     * Computes, once per task and policy settings, the numbers about a pair that do not change within an episode:
     * price, router flag, training-split accuracy, the two neighbourhood estimates, description similarity, the
     * accuracy estimates used for gains and votes, the expected cost and whether the model sees images.
     */
    private static void ensureRow(DecisionScratch s, int row, Pair p, Registry reg, Numbers n) {
        if (s.rowStamp[row] == s.rowsEpoch) {
            return;
        }
        ModelCard m = reg.model(p.model()).orElseThrow();
        double[] f = s.rowFeatures;
        int r = row * DecisionScratch.ROW_FEATURES;
        f[r + ROW_PRICE] = Math.log1p(m.price().inputPerMillion() + m.price().outputPerMillion()) / 3.0;
        f[r + ROW_ROUTER] = reg.skill(p.skill()).map(sk -> sk.isRouter() ? 1.0 : 0.0).orElse(0.0);
        boolean hide = n.hidden().contains(p.model());
        Double v = hide ? null : n.priors().get(p);
        f[r + ROW_PRIOR] = SCALE * (v == null ? n.priorMean() : v);
        f[r + ROW_PRIOR_UNKNOWN] = v == null ? 1 : 0;
        PairHistory.Estimate e = hide ? null : s.near.get(p);
        f[r + ROW_NEAR] = SCALE * (e == null ? n.priorMean() : e.near());
        f[r + ROW_NEAR_UNKNOWN] = e == null ? 1 : 0;
        f[r + ROW_WIDE] = SCALE * (e == null ? n.priorMean() : e.wide());
        f[r + ROW_SIM_MODEL] = s.sims[2 * row];
        f[r + ROW_SIM_SKILL] = s.sims[2 * row + 1];
        s.rowNear[row] = near(p, s, n);
        s.rowVoting[row] = votingAccuracy(p, s, n);
        s.rowCost[row] = expectedCost(p, m, n);
        s.rowSees[row] = m.modalities().contains(Modality.IMAGE);
        s.rowStamp[row] = s.rowsEpoch;
    }

    /** The best accuracy estimate known for a pair on this task: near history, else training accuracy, else the mean. */
    private static double near(Pair p, DecisionScratch s, Numbers n) {
        if (n.hidden().contains(p.model())) {
            return n.priorMean();
        }
        PairHistory.Estimate e = s.near.get(p);
        if (e != null) {
            return e.near();
        }
        Double v = n.priors().get(p);
        return v == null ? n.priorMean() : v;
    }

    /** The accuracy a supporter's vote is weighed with: the mean of its near and wide estimates (else as {@link #near}). */
    private static double votingAccuracy(Pair p, DecisionScratch s, Numbers n) {
        if (!n.hidden().contains(p.model())) {
            PairHistory.Estimate e = s.near.get(p);
            if (e != null) {
                return (e.near() + e.wide()) / 2;
            }
        }
        return near(p, s, n);
    }

    private static int countTextBins(DecisionScratch s) {
        int c = 0;
        for (int b = 0; b < s.bins; b++) {
            if (s.binKey[b].charAt(0) != '\u0000') {
                c++;
            }
        }
        return c;
    }

    /** A supporter's vote: log-odds that an expert this accurate is right rather than picking a wrong answer by chance. */
    static double vote(double accuracy, double wrongAnswers) {
        double p = Lookahead.clip(accuracy);
        return Math.max(0, Math.log(p * wrongAnswers / (1 - p)));
    }

    private static double expectedCost(Pair p, ModelCard m, Numbers n) {
        Double c = n.costs().get(p);
        if (c != null) {
            return c;
        }
        // no training cost (a model added later): its price for a mid-sized call (1,000 tokens in, 250 out)
        return (1000 * m.price().inputPerMillion() + 250 * m.price().outputPerMillion()) / 1e6;
    }

    private static int find(DecisionScratch s, String key) {
        for (int b = 0; b < s.bins; b++) {
            if (s.binKey[b].equals(key)) {
                return b;
            }
        }
        return -1;
    }

    private static boolean calledBefore(List<Observation> obs, Pair p) {
        for (Observation o : obs) {
            if (o.call().model().equals(p.model()) && o.call().skill().equals(p.skill())) {
                return true;
            }
        }
        return false;
    }

    private static boolean calledModel(List<Observation> obs, String model) {
        for (Observation o : obs) {
            if (o.call().model().equals(model)) {
                return true;
            }
        }
        return false;
    }
}
