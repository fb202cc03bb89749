package dev.maestro.onboard;

import dev.maestro.registry.ModelFacts;
import java.util.Objects;

/**
 * What is known about an expert before any call: its id in the outcomes ({@code model@@skill}), its model, its
 * skill and its model's card facts.
 */
public record ExpertCard(String expert, String model, String skill, ModelFacts facts) {
    public ExpertCard {
        Objects.requireNonNull(expert);
        Objects.requireNonNull(model);
        Objects.requireNonNull(skill);
        Objects.requireNonNull(facts);
    }
}
