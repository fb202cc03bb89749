/**
 * Maestro for the JVM: orchestrates frozen expert models and a two-tier skill library with a learned policy.
 *
 * <p>Packages, each with one job; dependencies go one way (left needs right, never back):
 * {@code experiment → runtime → eval → policy → episode → skill → expert → (registry, task)}, with
 * {@code train → policy} beside {@code eval} (train runs the evaluator for validation; eval never imports train), {@code collect → runtime},
 * {@code protocol → registry} used by episode and policy; every package may use {@code io} (bounded reads of
 * files, lines, gzip streams and HTTP bodies) and {@code store} (the SQL database location and connections), which
 * need nothing but this one. This package itself is the base all of them may use: {@link dev.maestro.MaestroException}
 * for user-facing errors, {@link dev.maestro.AtomicFiles}, {@link dev.maestro.Progress}, {@link dev.maestro.Parallel}
 * (indexed work over worker threads) and {@link dev.maestro.Seeds} (the one seed mixer). The picture, and where to
 * add a backend, tool, policy, baseline or report section, is in {@code docs/architecture.md}.
 */
package dev.maestro;
