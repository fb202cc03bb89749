package dev.maestro.expert;

import dev.maestro.registry.ModelCard;

/** Creates the expert for a model card; one instance per model, shared by all episodes. */
@FunctionalInterface
public interface ExpertFactory {
    Expert create(ModelCard model);
}
