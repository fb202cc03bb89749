/**
 * Experiments built on training and evaluation: a {@link dev.maestro.experiment.Suite} (tasks, registry, split),
 * the {@link dev.maestro.experiment.Workbench} that opens one (its experts and environment come from
 * {@link dev.maestro.runtime.MaestroRuntime}), the main job per suite
 * ({@link dev.maestro.experiment.SuiteEvaluation}: fit baselines, train, score on the test split), and the
 * generalization and calibration experiments. This is the only core package that uses both {@code train} and
 * {@code eval}; running a trained policy needs neither.
 */
package dev.maestro.experiment;
