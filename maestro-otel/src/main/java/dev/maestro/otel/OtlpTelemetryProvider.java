package dev.maestro.otel;

import dev.maestro.MaestroException;
import dev.maestro.episode.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Builds {@link OtelTelemetry} with an OTLP exporter from the standard OpenTelemetry variables, found by
 * {@link Telemetry#fromEnvironment} through {@link java.util.ServiceLoader}:
 * <ul>
 *   <li>{@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (used as it is) or {@code OTEL_EXPORTER_OTLP_ENDPOINT} (with
 *       {@code /v1/traces} appended for http/protobuf) — tracing is on when one is set;</li>
 *   <li>{@code OTEL_EXPORTER_OTLP_TRACES_PROTOCOL} / {@code OTEL_EXPORTER_OTLP_PROTOCOL}: {@code http/protobuf}
 *       (default, as the specification recommends) or {@code grpc};</li>
 *   <li>{@code OTEL_EXPORTER_OTLP_HEADERS}: {@code key=value,key2=value2} (e.g. a collector's API key);</li>
 *   <li>{@code OTEL_SERVICE_NAME} (default {@code maestro}); {@code OTEL_SDK_DISABLED=true} turns tracing off.</li>
 * </ul>
 * One SDK per configuration and process: every runtime of a CLI run shares it, runtimes flush it when they close,
 * and a shutdown hook exports what is left when the JVM exits.
 */
public final class OtlpTelemetryProvider implements Telemetry.Provider {
    private static final Map<Config, OtelTelemetry> SHARED = new ConcurrentHashMap<>();

    /** What an exporter is built from. */
    record Config(String endpoint, String protocol, Map<String, String> headers, String serviceName) {
        @Override
        public String toString() { // headers may hold credentials: never shown
            return "Config[" + endpoint + ", " + protocol + ", " + headers.size() + " headers, " + serviceName + "]";
        }
    }

    @Override
    public Optional<Telemetry> fromEnvironment(Map<String, String> env) {
        return config(env).map(c -> SHARED.computeIfAbsent(c, OtlpTelemetryProvider::build));
    }

    /** The exporter configuration the variables ask for, or empty when tracing is off. */
    static Optional<Config> config(Map<String, String> env) {
        if ("true".equalsIgnoreCase(get(env, "OTEL_SDK_DISABLED").orElse(""))) {
            return Optional.empty();
        }
        String protocol = get(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").or(() -> get(env, "OTEL_EXPORTER_OTLP_PROTOCOL"))
                .orElse("http/protobuf").strip();
        if (!protocol.equals("http/protobuf") && !protocol.equals("grpc")) {
            throw new MaestroException("OTEL_EXPORTER_OTLP_PROTOCOL is '" + protocol + "'; valid: http/protobuf, grpc");
        }
        Optional<String> traces = get(env, Telemetry.TRACES_ENDPOINT_VARIABLE);
        Optional<String> base = get(env, Telemetry.ENDPOINT_VARIABLE);
        if (traces.isEmpty() && base.isEmpty()) {
            return Optional.empty();
        }
        String endpoint = traces.orElseGet(() -> {
            String b = base.get().strip().replaceAll("/+$", "");
            return protocol.equals("grpc") ? b : b + "/v1/traces";
        });
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new MaestroException("the OTLP endpoint must be an http(s) URL such as http://127.0.0.1:4318, got '"
                    + endpoint + "' (" + (traces.isPresent() ? Telemetry.TRACES_ENDPOINT_VARIABLE : Telemetry.ENDPOINT_VARIABLE) + ")");
        }
        return Optional.of(new Config(endpoint, protocol, headers(get(env, "OTEL_EXPORTER_OTLP_HEADERS").orElse("")),
                get(env, "OTEL_SERVICE_NAME").orElse("maestro")));
    }

    static Map<String, String> headers(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                // the value may be a credential: name the position, not the text
                throw new MaestroException("OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas; an "
                        + "entry has no '=' (value not shown)");
            }
            out.put(URLDecoder.decode(part.substring(0, eq).strip(), StandardCharsets.UTF_8),
                    URLDecoder.decode(part.substring(eq + 1).strip(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static OtelTelemetry build(Config c) {
        SpanExporter exporter;
        if (c.protocol().equals("grpc")) {
            OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setEndpoint(c.endpoint());
            c.headers().forEach(b::addHeader);
            exporter = b.build();
        } else {
            OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(c.endpoint());
            c.headers().forEach(b::addHeader);
            exporter = b.build();
        }
        Resource resource = Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), c.serviceName())));
        SdkTracerProvider tracers = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracers).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> sdk.shutdown().join(10, TimeUnit.SECONDS),
                "maestro-otel-shutdown"));
        return OtelTelemetry.create(sdk, () -> tracers.forceFlush().join(10, TimeUnit.SECONDS));
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }
}
