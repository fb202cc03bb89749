/**
 * Serving: an OpenAI-compatible chat endpoint backed by an orchestrator ({@link dev.maestro.serve.MaestroServer}),
 * the verl-tool {@code /get_observation} bridge ({@link dev.maestro.serve.VerlBridge}), Prometheus metrics
 * ({@link dev.maestro.serve.Metrics}) and the SQLite trace store with its HTML viewer ({@link dev.maestro.serve.TraceStore}).
 */
package dev.maestro.serve;
