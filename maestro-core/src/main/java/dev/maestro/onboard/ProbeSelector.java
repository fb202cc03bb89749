package dev.maestro.onboard;

import dev.maestro.MaestroException;
import java.util.BitSet;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/** Chooses the next training question to probe a new expert on. */
public interface ProbeSelector {
    /**
     * @param posterior what is known about the expert so far (its model lists the candidate questions)
     * @param used      questions already probed (never chosen again)
     * @return the next question's index in the model, or empty when no candidate is left
     */
    OptionalInt next(AbilityPosterior posterior, BitSet used, SplittableRandom rng);

    /** {@code adaptive}, {@code informative} or {@code random}, for reports. */
    String name();

    /** Uniformly random among the questions not yet probed: the baseline. */
    static ProbeSelector random() {
        return new ProbeSelector() {
            @Override
            public OptionalInt next(AbilityPosterior posterior, BitSet used, SplittableRandom rng) {
                int n = posterior.model().itemCount();
                int free = n - used.cardinality();
                if (free <= 0) {
                    return OptionalInt.empty();
                }
                int k = rng.nextInt(free);
                for (int i = used.nextClearBit(0); i < n; i = used.nextClearBit(i + 1)) {
                    if (k-- == 0) {
                        return OptionalInt.of(i);
                    }
                }
                return OptionalInt.empty();
            }

            @Override
            public String name() {
                return "random";
            }
        };
    }

    /** {@link AdaptiveProbes} without question vectors. */
    static ProbeSelector adaptive() {
        return new AdaptiveProbes(null, true);
    }

    /**
     * {@link AdaptiveProbes} that also weighs each question by its own fitted discrimination (the adaptive selector
     * before branch onboard4), for comparison.
     */
    static ProbeSelector informative() {
        return new AdaptiveProbes(null, false);
    }

    /**
     * {@link AdaptiveProbes} that also spreads probes over the embedding space.
     *
     * @param itemVectors one unit vector per question of the model, in its item order
     */
    static ProbeSelector adaptive(float[][] itemVectors) {
        return new AdaptiveProbes(itemVectors, true);
    }

    /** {@code adaptive}, {@code informative} or {@code random}. */
    static ProbeSelector named(String name) {
        return switch (name) {
            case "adaptive" -> adaptive();
            case "informative" -> informative();
            case "random" -> random();
            default -> throw new MaestroException("unknown probe selector '" + name
                    + "'; valid: adaptive, informative, random");
        };
    }
}
