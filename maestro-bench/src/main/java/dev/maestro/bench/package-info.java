/** Benchmarks: JMH micro-benchmarks and {@link dev.maestro.bench.ServeLoad}, the HTTP load generator for the server. */
package dev.maestro.bench;
