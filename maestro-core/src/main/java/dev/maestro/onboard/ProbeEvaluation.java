package dev.maestro.onboard;

import dev.maestro.Progress;
import dev.maestro.onboard.AbilityPosterior.Interval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Offline measurement of onboarding on recorded outcomes: each expert in turn is the "new" one. The item-response
 * model and the card prior are fitted on the other experts' training outcomes only; the new expert is probed on
 * training questions (its recorded outcome is the answer; a missing record is a failed call); its estimated
 * accuracy per group is compared with its accuracy on the held-out test questions, which nothing here saw.
 * Adaptive and random probing are each run {@code randomRuns} times with different seeds (adaptive probes break
 * near-ties by a seeded draw, so each run is another sequence);
 * a third estimator, {@code random-raw}, is the plain share of random probes answered right (per group where the
 * group was probed, else overall) — what calibration without a model does.
 */
public final class ProbeEvaluation {
    /**
     * Mean errors at one number of probes for one estimator, over the left-out experts (and random runs).
     *
     * @param overallError      mean |estimated − test| overall accuracy
     * @param overallBias       mean (estimated − test) overall accuracy: below 0 when estimates run low
     * @param groupError        mean over experts of the test-share-weighted mean |estimated − test| per group
     * @param overallCoverage   share of experts whose test overall accuracy lies in the 95% interval (NaN for raw)
     * @param groupCoverage     share of (expert, group) test accuracies inside their 95% intervals (NaN for raw)
     */
    public record Row(String estimator, int probes, double overallError, double overallBias, double groupError,
                      double overallCoverage, double groupCoverage) {
    }

    /**
     * Per left-out expert: its test accuracy, the zero-probe (card) estimate, the card prior's quality, and its
     * overall estimate per estimator and N ({@code "adaptive|30"}; random: the mean over its runs).
     */
    public record ExpertRow(String expert, double testAccuracy, double cardEstimate, double populationEstimate,
                            boolean cardUsed, Map<String, Double> estimates) {
        public ExpertRow {
            estimates = Map.copyOf(estimates);
        }

        /** The overall estimate of one estimator at one N (NaN when not measured). */
        public double estimate(String estimator, int n) {
            return estimates.getOrDefault(estimator + "|" + n, Double.NaN);
        }
    }

    /** Everything measured. */
    public record Report(List<Row> rows, List<ExpertRow> experts, List<Integer> probes, int randomRuns) {
        public Report {
            rows = List.copyOf(rows);
            experts = List.copyOf(experts);
            probes = List.copyOf(probes);
        }

        /** A plain-text table: one line per estimator and N. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-11s %5s %15s %9s %15s %10s %10s%n", "estimator", "N", "overall |err|",
                    "bias", "group |err|", "cover all", "cover grp"));
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "%-11s %5d %15.4f %+9.4f %15.4f %10s %10s%n", r.estimator(),
                        r.probes(), r.overallError(), r.overallBias(), r.groupError(), pct(r.overallCoverage()),
                        pct(r.groupCoverage())));
            }
            return sb.toString();
        }

        private static String pct(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
        }

        /** The row of one estimator at one N. */
        public Row row(String estimator, int n) {
            return rows.stream().filter(r -> r.estimator().equals(estimator) && r.probes() == n).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no row " + estimator + " at N=" + n));
        }
    }

    private ProbeEvaluation() {
    }

    /**
     * @param train      outcomes on the training questions (every expert; the new one's are its probe answers)
     * @param test       outcomes on held-out questions (the truth the estimates are scored against)
     * @param cards      the card of every expert of {@code train}, in its order
     * @param probes     the numbers of probes to measure at (0 = the card prior alone)
     * @param randomRuns probing runs per expert and selector (different seeds)
     */
    public static Report run(Outcomes train, Outcomes test, List<ExpertCard> cards, List<Integer> probes,
                             int randomRuns, long seed, ItemResponseModel.Config config, Progress progress) {
        List<Integer> ns = new ArrayList<>(new TreeSet<>(probes));
        int maxN = ns.isEmpty() ? 0 : ns.get(ns.size() - 1);
        // key estimator|N → [overallErr, groupErr, covAll, covGrp, nAll, nGrp, overallSignedErr]
        Map<String, double[]> sums = new LinkedHashMap<>();
        List<ExpertRow> experts = new ArrayList<>();
        progress.start("left-out experts", train.experts().size());
        for (int e = 0; e < train.experts().size(); e++) {
            String id = train.experts().get(e);
            List<String> known = new ArrayList<>(train.experts());
            known.remove(id);
            List<ExpertCard> knownCards = new ArrayList<>(cards);
            knownCards.remove(e);
            ItemResponseModel irt = ItemResponseModel.fit(train.onlyExperts(known), config);
            CardPrior cp = CardPrior.fit(irt, knownCards);
            AbilityPrior prior = cp.prior(cards.get(e));
            int te = test.expertIndex(id);
            Truth truth = Truth.of(test, te, irt);
            Map<String, Double> mine = new LinkedHashMap<>();
            final int expert = e;
            ProbeSession.Oracle oracle = item -> {
                double g = train.grade(expert, item);
                return Double.isNaN(g) ? ProbeSession.Answer.failed("not recorded", 0) : ProbeSession.Answer.graded(g, 0);
            };
            if (ns.contains(0)) {
                AbilityPosterior p0 = AbilityPosterior.of(irt, prior, List.of());
                mine.put("adaptive|0", score(sums, "adaptive", 0, p0, truth, seed));
                mine.put("random|0", score(sums, "random", 0, p0, truth, seed));
            }
            ProbeSession.Settings s = ProbeSession.Settings.of(maxN, seed).withTolerance(0);
            for (ProbeSelector selector : List.of(ProbeSelector.adaptive(), ProbeSelector.random())) {
                String name = selector.name();
                for (int r = 0; r < randomRuns; r++) {
                    // both draw with the seed (adaptive breaks near-ties by a seeded draw, AdaptiveProbes.TIE)
                    ProbeSession.Result res = ProbeSession.run(irt, prior, selector, oracle,
                            s.withSeed(seed + 1000L * (r + 1)), (n, post) -> {
                                if (ns.contains(n) && n > 0) {
                                    mine.merge(name + "|" + n, score(sums, name, n, post, truth, seed) / randomRuns,
                                            Double::sum);
                                }
                            });
                    for (int n : ns) {
                        if (name.equals("random") && n > 0 && n <= res.probes().size()) {
                            raw(sums, n, res.probes().subList(0, n), irt, truth);
                        }
                    }
                }
            }
            experts.add(new ExpertRow(id, truth.overall,
                    AbilityPosterior.of(irt, prior, List.of()).overallAccuracy(400, seed).estimate(),
                    AbilityPosterior.of(irt, AbilityPrior.population(irt), List.of()).overallAccuracy(400, seed).estimate(),
                    cp.quality().usesCard(), mine));
            progress.advance(1);
        }
        progress.finish();
        List<Row> rows = new ArrayList<>();
        for (String est : List.of("adaptive", "random", "random-raw")) {
            for (int n : ns) {
                double[] v = sums.get(est + "|" + n);
                if (v == null) {
                    continue;
                }
                rows.add(new Row(est, n, v[0] / v[4], v[6] / v[4], v[1] / v[4], v[5] == 0 ? Double.NaN : v[2] / v[4],
                        v[5] == 0 ? Double.NaN : v[3] / v[5]));
            }
        }
        return new Report(rows, experts, ns, randomRuns);
    }

    /** The left-out expert's test accuracy, overall and per group of the model (NaN where it has no test data). */
    private record Truth(double overall, double[] byGroup, double[] share) {
        static Truth of(Outcomes test, int expert, ItemResponseModel irt) {
            int ng = irt.groups().size();
            double[] acc = new double[ng];
            double[] share = new double[ng];
            Map<String, Double> byName = test.accuracyByGroup(expert);
            Map<String, Double> shares = test.groupShares();
            for (int g = 0; g < ng; g++) {
                String name = irt.groups().get(g);
                acc[g] = byName.getOrDefault(name, Double.NaN);
                share[g] = Double.isNaN(acc[g]) ? 0 : shares.getOrDefault(name, 0.0);
            }
            return new Truth(test.accuracy(expert, -1), acc, share);
        }
    }

    /** Adds one estimate's errors to the sums; returns its overall estimate. */
    private static double score(Map<String, double[]> sums, String est, int n, AbilityPosterior post, Truth t,
                                long seed) {
        double[] v = sums.computeIfAbsent(est + "|" + n, k -> new double[7]);
        Interval all = post.overallAccuracy(400, seed);
        v[0] += Math.abs(all.estimate() - t.overall());
        v[6] += all.estimate() - t.overall();
        double err = 0;
        double w = 0;
        for (int g = 0; g < t.byGroup().length; g++) {
            if (t.share()[g] > 0) {
                Interval gi = post.groupAccuracy(g);
                err += t.share()[g] * Math.abs(gi.estimate() - t.byGroup()[g]);
                w += t.share()[g];
                v[3] += gi.contains(t.byGroup()[g]) ? 1 : 0;
                v[5]++;
            }
        }
        v[1] += w == 0 ? 0 : err / w;
        v[2] += all.contains(t.overall()) ? 1 : 0;
        v[4]++;
        return all.estimate();
    }

    private static void raw(Map<String, double[]> sums, int n, List<ProbeSession.Probe> probes, ItemResponseModel irt,
                            Truth t) {
        double[] v = sums.computeIfAbsent("random-raw|" + n, k -> new double[7]);
        int ng = irt.groups().size();
        double[] s = new double[ng];
        double[] c = new double[ng];
        double sa = 0;
        double ca = 0;
        for (ProbeSession.Probe p : probes) {
            if (p.grade().isPresent()) {
                int g = irt.groupOf(p.item());
                s[g] += p.grade().getAsDouble();
                c[g]++;
                sa += p.grade().getAsDouble();
                ca++;
            }
        }
        double overall = ca == 0 ? 0.5 : sa / ca;
        v[0] += Math.abs(overall - t.overall());
        v[6] += overall - t.overall();
        double err = 0;
        double w = 0;
        for (int g = 0; g < ng; g++) {
            if (t.share()[g] > 0) {
                double est = c[g] > 0 ? s[g] / c[g] : overall;
                err += t.share()[g] * Math.abs(est - t.byGroup()[g]);
                w += t.share()[g];
            }
        }
        v[1] += w == 0 ? 0 : err / w;
        v[4]++;
    }
}
