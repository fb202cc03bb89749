package dev.maestro.onboard;

import dev.maestro.registry.ModelFacts;

/**
 * What is known about an expert before any call: its id in the outcomes ({@code model@@skill}), its model, its
 * skill and its model's card facts.
 */
public record ExpertCard(String expert, String model, String skill, ModelFacts facts) {
    public ExpertCard {
        java.util.Objects.requireNonNull(expert);
        java.util.Objects.requireNonNull(model);
        java.util.Objects.requireNonNull(skill);
        java.util.Objects.requireNonNull(facts);
    }
}
