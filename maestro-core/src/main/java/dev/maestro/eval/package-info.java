/**
 * Evaluation: run a policy over tasks and write what it scored.
 *
 * <p>{@link dev.maestro.eval.Evaluator} runs one episode per task with a seed derived from the run seed and the
 * task id; {@link dev.maestro.eval.PairMatrix} scores every single (model, skill) pair, the raw material that
 * {@link dev.maestro.eval.Baselines} fits on the training split (best single pair, keyword routes, majority vote)
 * and the upper bounds are computed from (labelled as such, never as a result). Each system becomes a
 * {@link dev.maestro.eval.SystemResult} with confidence intervals ({@link dev.maestro.eval.Stats}) in a
 * {@link dev.maestro.eval.Report}, written as {@code report.json}, {@code report.html} and PNG plots by
 * {@link dev.maestro.eval.ReportWriter} and {@link dev.maestro.eval.Plots}. {@link dev.maestro.eval.JudgeGrader}
 * grades with an LLM judge where a suite has no gold.
 *
 * <p>Depends on registry, task, expert, episode and policy; imports nothing from {@code train}.
 */
package dev.maestro.eval;
