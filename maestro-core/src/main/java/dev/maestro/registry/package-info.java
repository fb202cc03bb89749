/**
 * Expert models, skills and the (model, skill) pairs a policy may call.
 *
 * <p>A registry is a folder: {@code models.yaml} plus {@code skills/<name>/SKILL.md}. {@link
 * dev.maestro.registry.RegistryLoader} reads and validates it, collecting every problem as a {@link
 * dev.maestro.registry.RegistryProblem}; {@link dev.maestro.registry.Registry} is the validated, immutable
 * result. The file format and every rule are described in {@code docs/registry.md}. Behind the loader, one
 * package-private class per part of the folder: {@code SkillsReader} and {@code SkillWorkflowReader} (SKILL.md),
 * {@code ModelsReader} (models.yaml), {@code RegistryGraphCheck} (links across files) and {@code Fields} (typed
 * values, {@code ${ENV}} substitution), all reporting into one {@code ReadContext}.
 */
package dev.maestro.registry;
