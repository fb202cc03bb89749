/**
 * OpenTelemetry for Maestro: spans of episodes, turns and expert calls with the GenAI semantic conventions
 * ({@link dev.maestro.otel.OtelTelemetry}), exported over OTLP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set
 * ({@link dev.maestro.otel.OtlpTelemetryProvider}, found by {@link dev.maestro.episode.Telemetry#fromEnvironment}).
 * Depends on maestro-core; nothing in the core depends on it.
 */
package dev.maestro.otel;
