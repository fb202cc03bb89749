package dev.maestro.onboard;

import dev.maestro.registry.ModelFacts;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A zero-shot prior of a new expert's ability from its card, learned across the known experts: its skill's mean
 * ability (shrunk toward the mean of all known experts), plus a ridge regression of the rest on the model's card
 * facts and price (log size, release date, tuning, open weights, log price; a card that lacks some of them is
 * placed by a regression on the ones it has, see {@code reduced}).
 * Group offsets get the skill's mean offsets. How good the card regression is, is measured by leaving each known
 * <em>model</em> out (all its pairs) and predicting it from the others; the prior uses the regression only when that
 * error is below the error of predicting the mean alone (a choice made on the known experts, never on the new one),
 * and its variance is the measured leave-one-out error, so the prior is as uncertain as it has been.
 */
public final class CardPrior {
    /** Ridge penalty on standardised card features: with ~20 known experts, a handful of features, strong shrinkage. */
    static final double RIDGE = 4.0;
    /** Fewest known models for which a regression is attempted at all. */
    static final int MIN_MODELS = 5;

    /**
     * How well ability is predicted, leaving each known model out.
     *
     * @param models            known models
     * @param cardRmse          root mean squared error of θ predicted from the card (NaN if too few models)
     * @param meanRmse          the same for predicting the mean of the other models (the no-card baseline)
     * @param cardAccuracyMae   mean absolute error of the predicted overall accuracy, card prior
     * @param meanAccuracyMae   the same, no-card baseline
     * @param usesCard          whether the prior uses the card regression (its error is the lower one)
     */
    public record Quality(int models, double cardRmse, double meanRmse, double cardAccuracyMae,
                          double meanAccuracyMae, boolean usesCard) {
    }

    private final ItemResponseModel model;
    private final List<ExpertCard> known;
    private final double[] theta;
    private final Quality quality;
    /** The card regression per set of dropped columns: the full one under none, fewer facts fitted when first needed. */
    private final Map<String, Reduced> reduced = new HashMap<>();
    /** Per feature column, whether some known card has the fact behind it. */
    private final boolean[] knownHave = new boolean[FEATURES];
    private final AbilityPrior.GroupRegression groups;
    private final Map<String, double[]> skillDelta;

    private record Reduced(Fit fit, Quality quality) {
    }

    private CardPrior(ItemResponseModel model, List<ExpertCard> known, double[] theta, Fit fit, Quality quality) {
        this.model = model;
        this.known = List.copyOf(known);
        this.theta = theta;
        for (ExpertCard c : known) {
            boolean[] missing = missingFacts(c);
            for (int j = 0; j < FEATURES; j++) {
                knownHave[j] |= !missing[j];
            }
        }
        this.quality = quality;
        reduced.put(Arrays.toString(new boolean[FEATURES]), new Reduced(fit, quality));
        this.groups = AbilityPrior.GroupRegression.fit(model, AbilityPrior.all(known.size()));
        this.skillDelta = skillDeltas(model, known, groups);
    }

    /**
     * @param model the item-response model fitted on the known experts
     * @param known the card of each of its experts, in the model's expert order
     */
    public static CardPrior fit(ItemResponseModel model, List<ExpertCard> known) {
        List<String> ids = model.data().experts();
        if (known.size() != ids.size()) {
            throw new IllegalArgumentException(known.size() + " cards for " + ids.size() + " experts");
        }
        for (int e = 0; e < ids.size(); e++) {
            if (!known.get(e).expert().equals(ids.get(e))) {
                throw new IllegalArgumentException("card " + e + " is " + known.get(e).expert() + ", expected " + ids.get(e));
            }
        }
        double[] theta = new double[known.size()];
        for (int e = 0; e < theta.length; e++) {
            theta[e] = model.ability(e);
        }
        boolean[] none = new boolean[FEATURES];
        return new CardPrior(model, known, theta, Fit.of(known, theta, all(known.size()), none),
                quality(model, known, theta, none));
    }

    /** How well the card regression on the features not in {@code drop} predicts each known model left out. */
    private static Quality quality(ItemResponseModel model, List<ExpertCard> known, double[] theta, boolean[] drop) {
        Set<String> models = new LinkedHashSet<>();
        known.forEach(c -> models.add(c.model()));
        if (models.size() < MIN_MODELS) {
            return new Quality(models.size(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);
        }
        double cardSq = 0;
        double meanSq = 0;
        double cardAcc = 0;
        double meanAcc = 0;
        int n = 0;
        for (String m : models) {
            boolean[] use = new boolean[known.size()];
            for (int e = 0; e < use.length; e++) {
                use[e] = !known.get(e).model().equals(m);
            }
            Fit f = Fit.of(known, theta, use, drop);
            AbilityPrior.GroupRegression r = AbilityPrior.GroupRegression.fit(model, use);
            for (int e = 0; e < use.length; e++) {
                if (use[e]) {
                    continue;
                }
                double card = f.predict(known.get(e), true);
                double mean = f.predict(known.get(e), false);
                cardSq += Math.pow(card - theta[e], 2);
                meanSq += Math.pow(mean - theta[e], 2);
                double truth = overall(model, theta[e], model.groupOffsets(e));
                cardAcc += Math.abs(overall(model, card, r.offsets(card)) - truth);
                meanAcc += Math.abs(overall(model, mean, r.offsets(mean)) - truth);
                n++;
            }
        }
        return new Quality(models.size(), Math.sqrt(cardSq / n), Math.sqrt(meanSq / n), cardAcc / n, meanAcc / n,
                cardSq < meanSq);
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    static double overall(ItemResponseModel model, double theta, double[] delta) {
        double[] w = model.groupWeights();
        double s = 0;
        for (int g = 0; g < w.length; g++) {
            s += w[g] * model.groupAccuracy(g, theta + delta[g]);
        }
        return s;
    }

    public Quality quality() {
        return quality;
    }

    /**
     * How far the pairs of one model stray from the model's mean (θ at index 0, then δ per group): the pooled
     * variance over known models with several pairs, at least 0.05; 1.0 (wide) when no known model has two pairs.
     */
    public double[] pairVariance() {
        int ng = model.groups().size();
        Map<String, List<Integer>> byModel = new HashMap<>();
        for (int e = 0; e < known.size(); e++) {
            byModel.computeIfAbsent(known.get(e).model(), k -> new ArrayList<>()).add(e);
        }
        double[] ss = new double[ng + 1];
        int df = 0;
        for (List<Integer> es : byModel.values()) {
            if (es.size() < 2) {
                continue;
            }
            double[] mean = new double[ng + 1];
            for (int e : es) {
                mean[0] += model.ability(e) / es.size();
                double[] d = model.groupOffsets(e);
                for (int g = 0; g < ng; g++) {
                    mean[g + 1] += d[g] / es.size();
                }
            }
            for (int e : es) {
                ss[0] += Math.pow(model.ability(e) - mean[0], 2);
                double[] d = model.groupOffsets(e);
                for (int g = 0; g < ng; g++) {
                    ss[g + 1] += Math.pow(d[g] - mean[g + 1], 2);
                }
            }
            df += es.size() - 1;
        }
        double[] v = new double[ng + 1];
        for (int k = 0; k <= ng; k++) {
            v[k] = df == 0 ? 1.0 : Math.max(0.05, ss[k] / df);
        }
        return v;
    }

    /** The prior for a new expert from its card. */
    public AbilityPrior prior(ExpertCard card) {
        int ng = model.groups().size();
        double[] dm = groups.intercept().clone();
        double[] skill = skillDelta.getOrDefault(card.skill(), new double[ng]);
        for (int g = 0; g < ng; g++) {
            dm[g] += skill[g];
        }
        double var;
        String source;
        boolean[] drop = missingFacts(card);
        for (int j = 0; j < FEATURES; j++) {
            // a fact no known card has is no loss: the full regression cannot use it either
            drop[j] &= knownHave[j];
        }
        Reduced r = reduced(drop);
        Quality q = r.quality();
        double mean = r.fit().predict(card, q.usesCard());
        String lacking = lacking(drop);
        if (Double.isNaN(q.cardRmse())) {
            var = AbilityPrior.population(model).thetaVar();
            source = "mean of " + known.size() + " known experts (too few models to learn from cards)";
        } else if (q.usesCard()) {
            var = Math.max(0.05, q.cardRmse() * q.cardRmse());
            source = String.format(Locale.ROOT, "card prior over %d known models (leave-one-out ability "
                    + "RMSE %.2f vs %.2f without the card)", q.models(), q.cardRmse(), q.meanRmse())
                    + (lacking.isEmpty() ? "" : "; from the facts its card has (it lacks " + lacking + ")");
        } else {
            var = Math.max(0.05, q.meanRmse() * q.meanRmse());
            source = String.format(Locale.ROOT, "mean of %d known models (the card did not predict better:"
                    + " leave-one-out ability RMSE %.2f vs %.2f)", q.models(), q.cardRmse(), q.meanRmse())
                    + (lacking.isEmpty() ? "" : "; its card lacks " + lacking);
        }
        return new AbilityPrior(mean, var, dm, groups.slope(), groups.residualVar(), source);
    }

    /**
     * The regression for a card that lacks some facts is fitted on the facts it has ("reduced models" for missing
     * values at prediction time): imputing a missing fact at the known models' mean predicts the new model as if it
     * were of average size, and the facts it does have then speak only for what they add to size. On MMLU-Pro,
     * gemini-1.5-pro-002 has no published size; imputed, its card placed it at 55% (truth 70%). Its error is the
     * reduced regression's own leave-one-model-out error, measured on the known models as for the full one.
     */
    private synchronized Reduced reduced(boolean[] drop) {
        return reduced.computeIfAbsent(Arrays.toString(drop),
                k -> new Reduced(Fit.of(known, theta, all(known.size()), drop), quality(model, known, theta, drop)));
    }

    /** The feature columns of the facts a card lacks, with their "missing" flags. */
    static boolean[] missingFacts(ExpertCard card) {
        boolean[] drop = new boolean[FEATURES];
        ModelFacts f = card.facts();
        if (f.sizeB().isEmpty()) {
            drop[0] = drop[1] = true;
        }
        if (f.released().isEmpty()) {
            drop[2] = drop[3] = true;
        }
        if (f.tuning().isEmpty()) {
            drop[4] = drop[5] = drop[6] = true;
        }
        if (f.openWeights().isEmpty()) {
            drop[7] = true;
        }
        if (card.price().isEmpty()) {
            drop[8] = drop[9] = true;
        }
        return drop;
    }

    private static String lacking(boolean[] drop) {
        List<String> out = new ArrayList<>();
        String[] names = {"size", null, "release date", null, "tuning", null, null, "open weights", "price", null};
        for (int j = 0; j < FEATURES; j++) {
            if (drop[j] && names[j] != null) {
                out.add(names[j]);
            }
        }
        return String.join(", ", out);
    }

    private static double[] without(double[] x, boolean[] drop) {
        for (int j = 0; j < x.length; j++) {
            if (drop[j]) {
                x[j] = 0;
            }
        }
        return x;
    }

    /**
     * Per skill, the mean residual group offsets of its known pairs (after the regression on ability), shrunk
     * toward 0 by one pseudo-pair: a skill that helps on some group (a medical solver on medical questions) lifts
     * that group for a new model paired with it.
     */
    private static Map<String, double[]> skillDeltas(ItemResponseModel model, List<ExpertCard> known,
                                                     AbilityPrior.GroupRegression reg) {
        Map<String, double[]> sum = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (int e = 0; e < known.size(); e++) {
            double[] d = model.groupOffsets(e);
            for (int g = 0; g < d.length; g++) {
                d[g] -= reg.intercept()[g] + reg.slope()[g] * model.ability(e);
            }
            double[] s = sum.computeIfAbsent(known.get(e).skill(), k -> new double[d.length]);
            for (int g = 0; g < d.length; g++) {
                s[g] += d[g];
            }
            count.merge(known.get(e).skill(), 1, Integer::sum);
        }
        // relative to all known pairs: with a single skill there is no skill effect, whatever the pairs' mean
        int ng = model.groups().size();
        double[] all = new double[ng];
        sum.values().forEach(s -> {
            for (int g = 0; g < ng; g++) {
                all[g] += s[g] / Math.max(1, known.size());
            }
        });
        Map<String, double[]> out = new HashMap<>();
        sum.forEach((k, s) -> {
            double[] m = new double[s.length];
            for (int g = 0; g < s.length; g++) {
                m[g] = (s[g] - count.get(k) * all[g]) / (count.get(k) + 1.0);
            }
            out.put(k, m);
        });
        return out;
    }

    /** A skill-mean plus ridge-on-card predictor, fitted on the rows marked {@code use}. */
    private record Fit(double globalMean, Map<String, Double> skillMean, double[] featureMean, double[] featureSd,
                       double[] beta, double[] impute, boolean[] drop) {

        /** On the card features not in {@code drop} (a dropped column is held at 0, so its β is 0). */
        static Fit of(List<ExpertCard> cards, double[] theta, boolean[] use, boolean[] drop) {
            double gm = 0;
            int n = 0;
            for (int e = 0; e < theta.length; e++) {
                if (use[e]) {
                    gm += theta[e];
                    n++;
                }
            }
            gm = n == 0 ? 0 : gm / n;
            Map<String, double[]> acc = new HashMap<>();
            for (int e = 0; e < theta.length; e++) {
                if (use[e]) {
                    double[] s = acc.computeIfAbsent(cards.get(e).skill(), k -> new double[2]);
                    s[0] += theta[e];
                    s[1]++;
                }
            }
            Map<String, Double> sm = new HashMap<>();
            final double g0 = gm;
            acc.forEach((k, s) -> sm.put(k, (s[0] + g0) / (s[1] + 1)));
            // imputation values: the mean of each raw fact over the rows that have it
            double[] impute = imputation(cards, use);
            List<double[]> rows = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int e = 0; e < theta.length; e++) {
                if (use[e]) {
                    rows.add(without(features(cards.get(e), impute), drop));
                    ys.add(theta[e] - sm.getOrDefault(cards.get(e).skill(), g0));
                }
            }
            int k = FEATURES;
            double[] mu = new double[k];
            double[] sd = new double[k];
            for (double[] r : rows) {
                for (int j = 0; j < k; j++) {
                    mu[j] += r[j] / rows.size();
                }
            }
            for (double[] r : rows) {
                for (int j = 0; j < k; j++) {
                    sd[j] += Math.pow(r[j] - mu[j], 2) / Math.max(1, rows.size() - 1);
                }
            }
            for (int j = 0; j < k; j++) {
                sd[j] = Math.sqrt(sd[j]);
            }
            double[][] xtx = new double[k][k];
            double[] xty = new double[k];
            double ym = ys.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            for (int r = 0; r < rows.size(); r++) {
                double[] z = standardise(rows.get(r), mu, sd);
                for (int i = 0; i < k; i++) {
                    xty[i] += z[i] * (ys.get(r) - ym);
                    for (int j = 0; j < k; j++) {
                        xtx[i][j] += z[i] * z[j];
                    }
                }
            }
            for (int i = 0; i < k; i++) {
                xtx[i][i] += RIDGE;
            }
            double[] beta = rows.isEmpty() ? new double[k] : Dense.solve(xtx, xty);
            // the residual mean (ym) goes into the global mean: a prediction is skill mean + ym + β·z
            Map<String, Double> shifted = new HashMap<>();
            sm.forEach((s, v) -> shifted.put(s, v + ym));
            return new Fit(g0 + ym, shifted, mu, sd, beta, impute, drop.clone());
        }

        double predict(ExpertCard card, boolean useCard) {
            double base = skillMean.getOrDefault(card.skill(), globalMean);
            if (!useCard) {
                return base;
            }
            double[] z = standardise(without(features(card, impute), drop), featureMean, featureSd);
            double s = base;
            for (int j = 0; j < z.length; j++) {
                s += beta[j] * z[j];
            }
            return s;
        }
    }

    static final int FEATURES = 10;

    private static double[] standardise(double[] x, double[] mu, double[] sd) {
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = sd[j] > 1e-9 ? (x[j] - mu[j]) / sd[j] : 0; // a constant feature carries nothing
        }
        return z;
    }

    /** Raw means of log2 size, release year and log2 price over the rows that have them. */
    private static double[] imputation(List<ExpertCard> cards, boolean[] use) {
        double s = 0;
        int ns = 0;
        double r = 0;
        int nr = 0;
        double p = 0;
        int np = 0;
        for (int e = 0; e < cards.size(); e++) {
            if (!use[e]) {
                continue;
            }
            ModelFacts f = cards.get(e).facts();
            if (f.sizeB().isPresent()) {
                s += log2(f.sizeB().get());
                ns++;
            }
            if (f.released().isPresent()) {
                r += years(f.released().get());
                nr++;
            }
            if (cards.get(e).price().isPresent()) {
                p += log2(cards.get(e).price().getAsDouble());
                np++;
            }
        }
        return new double[] {ns == 0 ? 0 : s / ns, nr == 0 ? 0 : r / nr, np == 0 ? 0 : p / np};
    }

    /**
     * Card features: log2 size, size missing, release (years since 2020), release missing, tuning base, tuning
     * chat, tuning missing (instruct is the reference), open weights (0.5 when unknown), log2 price, price missing.
     * The price is what the vendor charges per 1M input and 1M output tokens: the one number every registry entry
     * has, and for a closed model whose size is not published the only hint of its scale.
     */
    static double[] features(ExpertCard card, double[] impute) {
        ModelFacts f = card.facts();
        double[] x = new double[FEATURES];
        x[0] = f.sizeB().map(CardPrior::log2).orElse(impute[0]);
        x[1] = f.sizeB().isPresent() ? 0 : 1;
        x[2] = f.released().map(CardPrior::years).orElse(impute[1]);
        x[3] = f.released().isPresent() ? 0 : 1;
        x[4] = f.tuning().filter(t -> t == ModelFacts.Tuning.BASE).isPresent() ? 1 : 0;
        x[5] = f.tuning().filter(t -> t == ModelFacts.Tuning.CHAT).isPresent() ? 1 : 0;
        x[6] = f.tuning().isPresent() ? 0 : 1;
        x[7] = f.openWeights().map(b -> b ? 1.0 : 0.0).orElse(0.5);
        x[8] = card.price().isPresent() ? log2(card.price().getAsDouble()) : impute[2];
        x[9] = card.price().isPresent() ? 0 : 1;
        return x;
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static double years(YearMonth ym) {
        return ym.getYear() - 2020 + (ym.getMonthValue() - 1) / 12.0;
    }
}
