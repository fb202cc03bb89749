package dev.maestro.onboard;

import dev.maestro.registry.ModelCard;
import dev.maestro.registry.ModelFacts;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What is known about an expert before any call: its id in the outcomes ({@code model@@skill}), its model, its
 * skill, its model's card facts and its model's price (US$ per 1M input plus 1M output tokens; empty when free or
 * unknown, since a zero price says nothing about the model).
 */
public record ExpertCard(String expert, String model, String skill, ModelFacts facts, OptionalDouble price) {
    public ExpertCard {
        Objects.requireNonNull(expert);
        Objects.requireNonNull(model);
        Objects.requireNonNull(skill);
        Objects.requireNonNull(facts);
        Objects.requireNonNull(price);
    }

    /** A card without a price. */
    public ExpertCard(String expert, String model, String skill, ModelFacts facts) {
        this(expert, model, skill, facts, OptionalDouble.empty());
    }

    /** The card of pair {@code expert} (model {@code m}, skill {@code skill}): its facts and its price. */
    public static ExpertCard of(String expert, String skill, ModelCard m) {
        double p = m.price().inputPerMillion() + m.price().outputPerMillion();
        return new ExpertCard(expert, m.id(), skill, m.facts(), p > 0 ? OptionalDouble.of(p) : OptionalDouble.empty());
    }
}
