/**
 * Bounded reading: every byte that comes from outside (files, gzip streams, JSONL lines, HTTP bodies) is read
 * against a cap and, for the network, one deadline, so a hostile or broken input ends in one clear error naming
 * the limit and how to raise it, in bounded time and memory.
 *
 * <p>{@link dev.maestro.io.Limit} lists the limits, their defaults and the environment variables that change them
 * (the same table is in {@code docs/reliability.md}). The package depends on nothing but {@link
 * dev.maestro.MaestroException}, so every other package may use it.
 */
package dev.maestro.io;
