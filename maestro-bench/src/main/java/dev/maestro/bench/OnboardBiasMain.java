package dev.maestro.bench;

import dev.maestro.onboard.AbilityPosterior;
import dev.maestro.onboard.AbilityPosterior.Observation;
import dev.maestro.onboard.AbilityPrior;
import dev.maestro.onboard.CardPrior;
import dev.maestro.onboard.ExpertCard;
import dev.maestro.onboard.ItemResponseModel;
import dev.maestro.onboard.ProbeSelector;
import dev.maestro.onboard.ProbeSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a left-out model's onboarding estimate loses its points (docs/onboarding.md, "Bias per left-out model"), on
 * the TRAIN split only: its card prior, its estimate from all its training outcomes (what the item model can say at
 * best), adaptive and random probes at N = 10 and 30 with the card's ability prior and with a flat one, and how many
 * of the probes it got right against what the item model expects at its full-information ability. Then, pooled over
 * every model left out in turn, how well the item model's predictions hold for a model it was not fitted on, by
 * predicted chance, on all questions and on high-discrimination ones (log a more than 0.5 above the mean, where
 * adaptive probes go). {@code SUITE_DIR [EXPERT] [SEED]}, e.g. {@code data/mmlupro gemini-1.5-pro-002@@cot-5shot 7}.
 */
public final class OnboardBiasMain {
    /** Probing runs per selector and N; both selectors draw with the seed (adaptive among nearly-best questions). */
    private static final int RUNS = 10;
    private static final double[] BIN_LOW = {0, 0.02, 0.05, 0.1, 0.3, 0.7, 0.9, 0.95, 0.98};

    private OnboardBiasMain() {
    }

    /** The item model and priors for one model left out of the known ones. */
    private record LeftOut(int expert, ItemResponseModel irt, AbilityPrior card, AbilityPosterior full) {
        static LeftOut of(OnboardEvalMain.Recorded rec, int e) {
            List<String> known = new ArrayList<>(rec.train().experts());
            known.remove(e);
            List<ExpertCard> cards = new ArrayList<>(rec.cards());
            cards.remove(e);
            ItemResponseModel irt = ItemResponseModel.fit(rec.train().onlyExperts(known),
                    ItemResponseModel.Config.defaults());
            AbilityPrior card = CardPrior.fit(irt, cards).prior(rec.cards().get(e));
            List<Observation> all = new ArrayList<>();
            for (int i = 0; i < irt.itemCount(); i++) {
                double g = rec.train().grade(e, i);
                if (!Double.isNaN(g)) {
                    all.add(new Observation(i, g));
                }
            }
            // a flat ability prior: what every training outcome says, with as little of the card as possible
            AbilityPosterior full = AbilityPosterior.of(irt, flat(card), all);
            return new LeftOut(e, irt, card, full);
        }

        ProbeSession.Result probe(OnboardEvalMain.Recorded rec, String selector, int n, long seed) {
            ProbeSession.Oracle oracle = item -> {
                double g = rec.train().grade(expert, item);
                return Double.isNaN(g) ? ProbeSession.Answer.failed("not recorded", 0) : ProbeSession.Answer.graded(g, 0);
            };
            return ProbeSession.run(irt, card, ProbeSelector.named(selector), oracle,
                    ProbeSession.Settings.of(n, seed).withTolerance(0), (k, p) -> { });
        }
    }

    /**
     * Per group, the left-out model's offset from all its outcomes against the prior's pattern at that ability
     * (δ_g = m_g + s_g θ, the regression over the known models), in logits and as accuracy, next to the best known
     * model's accuracy there: how much of its subject profile the known models' pattern predicts.
     */
    private static void profile(LeftOut lo) {
        ItemResponseModel m = lo.irt();
        AbilityPosterior f = lo.full();
        double[] dm = lo.card().deltaMean();
        double[] ds = lo.card().deltaSlope();
        double[] dv = lo.card().deltaVar();
        System.out.printf("%-22s %7s %8s %6s %9s %9s %9s%n", "group", "delta", "pattern", "z", "acc", "acc(pat)",
                "best known");
        for (int g = 0; g < m.groups().size(); g++) {
            double pattern = dm[g] + ds[g] * f.theta();
            System.out.printf("%-22s %7.2f %8.2f %6.2f %8.1f%% %8.1f%% %8.1f%%%n", m.groups().get(g), f.delta(g), pattern,
                    (f.delta(g) - pattern) / Math.sqrt(dv[g]), 100 * m.groupAccuracy(g, f.eta(g)),
                    100 * m.groupAccuracy(g, f.theta() + pattern), 100 * m.bestKnownAccuracy(g));
        }
    }

    private static AbilityPrior flat(AbilityPrior p) {
        return p.withTheta(p.thetaMean(), 100, "flat");
    }

    public static void main(String[] args) throws IOException {
        Path suite = Path.of(args.length > 0 ? args[0] : "data/mmlupro");
        String who = args.length > 1 ? args[1] : "gemini-1.5-pro-002@@cot-5shot";
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 7;
        OnboardEvalMain.Recorded rec = OnboardEvalMain.load(suite);
        int e = rec.train().experts().indexOf(who);
        if (e < 0) {
            throw new IllegalArgumentException("no expert " + who + "; known: " + rec.train().experts());
        }
        LeftOut lo = LeftOut.of(rec, e);
        System.out.printf("%s: TRAIN accuracy %.4f, TEST %.4f%n", who, rec.train().accuracy(e, -1),
                rec.test().accuracy(e, -1));
        System.out.printf("card prior: theta %.2f (SD %.2f), estimate %.4f%n", lo.card().thetaMean(),
                Math.sqrt(lo.card().thetaVar()), AbilityPosterior.of(lo.irt(), lo.card(), List.of())
                        .overallAccuracy(400, seed).estimate());
        System.out.printf("all %d training outcomes: theta %.2f, estimate %.4f%n", lo.full().observations().size(),
                lo.full().theta(), lo.full().overallAccuracy(400, seed).estimate());
        System.out.printf("%-9s %4s %9s %7s %11s %12s %14s%n", "selector", "N", "estimate", "theta", "flat prior",
                "share right", "expected(full)");
        for (String sel : List.of("adaptive", "random")) {
            for (int n : new int[] {10, 30}) {
                double est = 0;
                double theta = 0;
                double flat = 0;
                double right = 0;
                double expected = 0;
                for (int r = 0; r < RUNS; r++) {
                    AbilityPosterior post = lo.probe(rec, sel, n, seed + 1000L * r).posterior();
                    est += post.overallAccuracy(400, seed).estimate() / RUNS;
                    theta += post.theta() / RUNS;
                    flat += AbilityPosterior.of(lo.irt(), flat(lo.card()), post.observations())
                            .overallAccuracy(400, seed).estimate() / RUNS;
                    for (Observation o : post.observations()) {
                        right += o.grade() / post.observations().size() / RUNS;
                        expected += lo.full().probability(o.item()) / post.observations().size() / RUNS;
                    }
                }
                System.out.printf("%-9s %4d %9.4f %7.2f %11.4f %12.3f %14.3f%n", sel, n, est, theta, flat, right,
                        expected);
            }
        }
        profile(lo);
        calibration(rec);
    }

    private static void add(double[] bin, double p, double grade) {
        bin[0] += p;
        bin[1] += grade;
        bin[2]++;
    }

    /** Predicted against observed for each model left out in turn, pooled, by predicted chance. */
    private static void calibration(OnboardEvalMain.Recorded rec) {
        int nb = BIN_LOW.length;
        double[][] all = new double[nb][3];
        double[][] high = new double[nb][3];
        for (int e = 0; e < rec.train().experts().size(); e++) {
            LeftOut lo = LeftOut.of(rec, e);
            ItemResponseModel irt = lo.irt();
            double meanLogA = 0;
            for (int i = 0; i < irt.itemCount(); i++) {
                meanLogA += Math.log(irt.discrimination(i)) / irt.itemCount();
            }
            for (Observation o : lo.full().observations()) {
                double p = irt.probability(o.item(), lo.full().eta(irt.groupOf(o.item())));
                int b = nb - 1;
                while (b > 0 && p < BIN_LOW[b]) {
                    b--;
                }
                add(all[b], p, o.grade());
                if (Math.log(irt.discrimination(o.item())) > meanLogA + 0.5) {
                    add(high[b], p, o.grade());
                }
            }
        }
        System.out.println("left-out models, every training outcome, by the item model's chance at the model's ability:");
        System.out.printf("%-13s %8s %9s %9s | %8s %9s %9s  (high discrimination)%n", "predicted", "n",
                "predicted", "observed", "n", "predicted", "observed");
        for (int b = 0; b < nb; b++) {
            String bin = String.format("[%.2f, %.2f)", BIN_LOW[b], b + 1 < nb ? BIN_LOW[b + 1] : 1.0);
            System.out.printf("%-13s %8.0f %9.4f %9.4f | %8.0f %9.4f %9.4f%n", bin, all[b][2], all[b][0] / all[b][2],
                    all[b][1] / all[b][2], high[b][2], high[b][0] / high[b][2], high[b][1] / high[b][2]);
        }
    }
}
