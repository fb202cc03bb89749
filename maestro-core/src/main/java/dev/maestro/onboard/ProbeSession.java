package dev.maestro.onboard;

import dev.maestro.onboard.AbilityPosterior.Interval;
import dev.maestro.onboard.AbilityPosterior.Observation;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * Probes one new expert: asks it training questions chosen by a {@link ProbeSelector}, updates its
 * {@link AbilityPosterior} after each answer, and stops at the first of: {@code maxProbes} calls made, the budget
 * reached (a probe is not started when the next one, priced like the dearest so far or the expected cost, would pass
 * it; a probe dearer than that can still pass it by the difference), the estimate
 * tight (overall 95% half-width ≤ tolerance and every group's ≤ 3 × tolerance), or no question left. A failed call
 * counts as a call (it was made and may have cost something) but carries no information: it is recorded with its
 * cause and the posterior is unchanged.
 */
public final class ProbeSession {
    /** Asks the expert one question of the model (by index). */
    @FunctionalInterface
    public interface Oracle {
        Answer ask(int item);
    }

    /** What one call gave: a grade in [0, 1], or a failure with its cause; and what it cost. */
    public record Answer(OptionalDouble grade, double costUsd, Optional<String> failure) {
        public static Answer graded(double grade, double costUsd) {
            return new Answer(OptionalDouble.of(grade), costUsd, Optional.empty());
        }

        public static Answer failed(String cause, double costUsd) {
            return new Answer(OptionalDouble.empty(), costUsd, Optional.of(cause));
        }
    }

    /** One probe as made: the question, its group, the grade or the failure, the cost. */
    public record Probe(int item, String question, String group, OptionalDouble grade, double costUsd,
                        Optional<String> failure) {
    }

    /** Why probing stopped. */
    public enum Stop {
        PROBES("probe limit reached"), BUDGET("budget reached"), TIGHT("estimate tight"),
        EXHAUSTED("no question left");

        private final String text;

        Stop(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** The outcome: the posterior after all probes, the probes, their cost, why it stopped. */
    public record Result(AbilityPosterior posterior, List<Probe> probes, double costUsd, Stop stop) {
        public Result {
            probes = List.copyOf(probes);
        }

        /** Probes that were answered and graded. */
        public long graded() {
            return probes.stream().filter(p -> p.grade().isPresent()).count();
        }
    }

    /**
     * The settings of a session.
     *
     * @param expectedCostUsd what a probe is expected to cost before any was made (the budget check prices the next
     *                        probe like the dearest so far, and at least like this)
     */
    public record Settings(int maxProbes, double budgetUsd, double tolerance, long seed, double expectedCostUsd) {
        public Settings {
            if (maxProbes < 0) {
                throw new IllegalArgumentException("probes must be >= 0, got " + maxProbes);
            }
            if (!(budgetUsd >= 0)) {
                throw new IllegalArgumentException("budget must be >= 0 US dollars, got " + budgetUsd);
            }
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
            }
            if (!(expectedCostUsd >= 0)) {
                throw new IllegalArgumentException("expected probe cost must be >= 0, got " + expectedCostUsd);
            }
        }

        public Settings(int maxProbes, double budgetUsd, double tolerance, long seed) {
            this(maxProbes, budgetUsd, tolerance, seed, 0);
        }

        public Settings withExpectedCost(double usd) {
            return new Settings(maxProbes, budgetUsd, tolerance, seed, usd);
        }

        /** At most {@code maxProbes} probes, no budget limit, early stop at a 3-point overall half-width. */
        public static Settings of(int maxProbes, long seed) {
            return new Settings(maxProbes, Double.POSITIVE_INFINITY, DEFAULT_TOLERANCE, seed);
        }

        public Settings withBudget(double usd) {
            return new Settings(maxProbes, usd, tolerance, seed, expectedCostUsd);
        }

        public Settings withSeed(long s) {
            return new Settings(maxProbes, budgetUsd, tolerance, s, expectedCostUsd);
        }

        public Settings withTolerance(double t) {
            return new Settings(maxProbes, budgetUsd, t, seed, expectedCostUsd);
        }
    }

    /** Default early-stop half-width of the overall accuracy (3 points). */
    public static final double DEFAULT_TOLERANCE = 0.03;
    private static final double Z95 = 1.959963985;

    private ProbeSession() {
    }

    /**
     * @param afterEach called after every probe with the number of probes made so far and the posterior (for
     *                  progress bars and for measuring the estimate at several N in one run)
     */
    public static Result run(ItemResponseModel model, AbilityPrior prior, ProbeSelector selector, Oracle oracle,
                             Settings settings, BiConsumer<Integer, AbilityPosterior> afterEach) {
        AbilityPosterior post = AbilityPosterior.of(model, prior, List.of());
        SplittableRandom rng = new SplittableRandom(settings.seed());
        BitSet used = new BitSet(model.itemCount());
        List<Probe> probes = new ArrayList<>();
        double spent = 0;
        double dearest = settings.expectedCostUsd();
        Stop stop = Stop.PROBES;
        while (true) {
            if (probes.size() >= settings.maxProbes()) {
                stop = Stop.PROBES;
                break;
            }
            if (spent + dearest > settings.budgetUsd() || (settings.budgetUsd() == 0 && settings.maxProbes() > 0)) {
                stop = Stop.BUDGET;
                break;
            }
            if (!probes.isEmpty() && tight(post, settings.tolerance())) {
                stop = Stop.TIGHT;
                break;
            }
            var next = selector.next(post, used, rng);
            if (next.isEmpty()) {
                stop = Stop.EXHAUSTED;
                break;
            }
            int item = next.getAsInt();
            used.set(item);
            Answer ans = oracle.ask(item);
            spent += ans.costUsd();
            dearest = Math.max(dearest, ans.costUsd());
            probes.add(new Probe(item, model.items().get(item), model.groups().get(model.groupOf(item)), ans.grade(),
                    ans.costUsd(), ans.failure()));
            if (ans.grade().isPresent()) {
                post = post.with(new Observation(item, Math.max(0, Math.min(1, ans.grade().getAsDouble()))));
            }
            afterEach.accept(probes.size(), post);
        }
        return new Result(post, probes, spent, stop);
    }

    static boolean tight(AbilityPosterior post, double tolerance) {
        if (tolerance <= 0 || Z95 * post.overallAccuracySd() > tolerance) {
            return false;
        }
        for (int g = 0; g < post.model().groups().size(); g++) {
            if (Z95 * post.groupAccuracySd(g) > 3 * tolerance) {
                return false;
            }
        }
        return true;
    }

    /** Per group (by name), the accuracy estimate with its interval. */
    public static Map<String, Interval> byGroup(AbilityPosterior post) {
        Map<String, Interval> out = new LinkedHashMap<>();
        for (int g = 0; g < post.model().groups().size(); g++) {
            out.put(post.model().groups().get(g), post.groupAccuracy(g));
        }
        return out;
    }
}
