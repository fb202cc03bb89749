/**
 * Maestro for the JVM: orchestrates frozen expert models and a two-tier skill library with a learned policy.
 *
 * <p>Packages, each with one job; dependencies go one way (left needs right):
 * {@code eval → train → policy → episode → skill → expert → protocol → task → registry}; every package may use
 * {@code io} (bounded reads of files, lines, gzip streams and HTTP bodies), which needs nothing but this one.
 */
package dev.maestro;
