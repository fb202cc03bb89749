/**
 * Serving: an OpenAI-compatible chat endpoint backed by an orchestrator ({@link dev.maestro.serve.MaestroServer}),
 * the verl-tool {@code /get_observation} bridge ({@link dev.maestro.serve.VerlBridge}) and the export of tasks and
 * rollouts in the shape verl trains on ({@link dev.maestro.serve.VerlExport}); Prometheus metrics
 * ({@link dev.maestro.serve.Metrics}) and the SQLite trace store with its HTML viewer ({@link dev.maestro.serve.TraceStore}).
 */
package dev.maestro.serve;
