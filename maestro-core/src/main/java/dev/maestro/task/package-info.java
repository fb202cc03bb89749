/**
 * Tasks and grading: the {@link dev.maestro.task.Task} record, dataset readers ({@link dev.maestro.task.TaskReader}
 * for JSONL suites, {@link dev.maestro.task.ParquetTaskReader} / {@link dev.maestro.task.ParquetTaskWriter} for the
 * Maestro/verl parquet schema), deterministic splits ({@link dev.maestro.task.Split}), answer extraction
 * ({@link dev.maestro.task.AnswerExtractor}) and grading ({@link dev.maestro.task.Grader},
 * {@link dev.maestro.task.AnswerGrader}, {@link dev.maestro.task.GradingAgreement}).
 *
 * <p>Gold answers and {@link dev.maestro.task.Task#metadata()} may reveal the answer: they are for graders and
 * reports, never policy features. The BlindTest {@code params} field is not read at all for the same reason.
 */
package dev.maestro.task;
