package dev.maestro.registry;

import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Public facts about a model, from the optional {@code models.yaml} keys {@code size-b}, {@code released},
 * {@code family}, {@code tuning} and {@code open-weights}. Nothing at run time depends on them; they exist so that
 * an expert added after training can get a zero-shot estimate of its ability from what is known about it
 * ({@code dev.maestro.onboard.CardPrior}). Every field is optional: unknown facts are left out, never guessed.
 *
 * @param sizeB       parameters in billions (for a mixture of experts: the total)
 * @param released    the month the model (this version of it) was released
 * @param family      the model family, e.g. {@code llama}, {@code mistral}, {@code gemini}; {@code simulated} for
 *                    simulated experts
 * @param tuning      how it was tuned after pre-training
 * @param openWeights whether its weights are published
 */
public record ModelFacts(Optional<Double> sizeB, Optional<YearMonth> released, Optional<String> family,
                         Optional<Tuning> tuning, Optional<Boolean> openWeights) {
    /** No facts known. */
    public static final ModelFacts NONE = new ModelFacts(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    /** The keys, in the order docs and errors list them. */
    public static final List<String> KEYS = List.of("size-b", "released", "family", "tuning",
            "open-weights");

    public ModelFacts {
        Objects.requireNonNull(sizeB);
        Objects.requireNonNull(released);
        Objects.requireNonNull(family);
        Objects.requireNonNull(tuning);
        Objects.requireNonNull(openWeights);
    }

    /** How a model was tuned after pre-training. */
    public enum Tuning {
        BASE, INSTRUCT, CHAT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for anything but base, instruct or chat (any case) */
        public static Tuning parse(String s) {
            for (Tuning t : values()) {
                if (t.id().equalsIgnoreCase(s.strip())) {
                    return t;
                }
            }
            throw new IllegalArgumentException(s);
        }
    }

    /** True when no fact is known. */
    public boolean isEmpty() {
        return this.equals(NONE);
    }

    public ModelFacts withSizeB(double v) {
        return new ModelFacts(Optional.of(v), released, family, tuning, openWeights);
    }

    public ModelFacts withReleased(YearMonth v) {
        return new ModelFacts(sizeB, Optional.of(v), family, tuning, openWeights);
    }

    public ModelFacts withFamily(String v) {
        return new ModelFacts(sizeB, released, Optional.of(v), tuning, openWeights);
    }

    public ModelFacts withTuning(Tuning v) {
        return new ModelFacts(sizeB, released, family, Optional.of(v), openWeights);
    }

    public ModelFacts withOpenWeights(boolean v) {
        return new ModelFacts(sizeB, released, family, tuning, Optional.of(v));
    }

    /** One line such as {@code size-b 70, released 2024-07, family llama, tuning instruct, open-weights true}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sizeB.ifPresent(v -> sb.append(", size-b ").append(v == Math.rint(v) ? String.valueOf((long) (double) v) : String.valueOf(v)));
        released.ifPresent(v -> sb.append(", released ").append(v));
        family.ifPresent(v -> sb.append(", family ").append(v));
        tuning.ifPresent(v -> sb.append(", tuning ").append(v.id()));
        openWeights.ifPresent(v -> sb.append(", open-weights ").append(v));
        return sb.length() == 0 ? "" : sb.substring(2);
    }
}
