/**
 * Collect once, train offline: {@link dev.maestro.collect.Collector} calls every selected (model, skill) pair of a
 * live registry once per task, within a dollar budget and each model's concurrency, logging every finished call to
 * an append-only journal so a killed run resumes without paying twice; {@link dev.maestro.collect.CollectedSuite}
 * writes the result as a replay suite (recorded outputs, a {@code backend: replay} registry, tasks and suite.yaml)
 * that {@code train}, {@code eval} and {@code generalize} then run offline for free.
 *
 * <p>Depends on runtime (the experts, their cache and the skill runner come from a
 * {@link dev.maestro.runtime.MaestroRuntime}), registry, task and expert.
 */
package dev.maestro.collect;
