package dev.maestro.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Policy;
import dev.maestro.episode.Telemetry;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.runtime.Answer;
import dev.maestro.runtime.Maestro;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Spans of a real episode (two parallel calls to a fake endpoint, one failing, then an answer). */
class OtelTelemetryTest {
    /** Turn 0: call both pairs; turn 1: answer. */
    static final Policy BOTH_THEN_ANSWER = new Policy() {
        @Override
        public String name() {
            return "both-then-answer";
        }

        @Override
        public Action decide(EpisodeView view, RandomGenerator rng) {
            return view.turn() == 0
                    ? new Action.Search(List.of(new Call("good", "direct", "q"), new Call("bad", "direct", "q")))
                    : new Action.Answer("42", Optional.empty());
        }
    };

    static Registry registry(String url) {
        SkillCard direct = SkillCard.simple("direct", "Answer directly.", "{question}");
        ModelCard good = ModelCard.builder("good", Backend.OPENAI).description("a good model").baseUrl(url + "/good/v1")
                .modelName("good-model").price(new Price(3.0, 15.0)).timeout(Duration.ofSeconds(5)).build();
        ModelCard bad = ModelCard.builder("bad", Backend.OPENAI).description("a broken model").baseUrl(url + "/bad/v1")
                .modelName("bad-model").timeout(Duration.ofSeconds(5)).build();
        return Registry.of("otel-test", List.of(good, bad), List.of(direct));
    }

    static Maestro maestro(String url, Telemetry telemetry, Map<String, String> env) {
        return Maestro.builder().registry(registry(url)).policy(BOTH_THEN_ANSWER).env(env).telemetry(telemetry)
                .build();
    }

    @Test
    void should_trace_episode_turns_and_calls_with_genai_attributes() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        SdkTracerProvider tracers = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
        try (FakeEndpoint endpoint = new FakeEndpoint();
             Maestro m = Maestro.builder().registry(registry(endpoint.url())).policy(BOTH_THEN_ANSWER).env(Map.of())
                     .telemetry(OtelTelemetry.create(OpenTelemetrySdk.builder().setTracerProvider(tracers).build()))
                     .build()) {
            Answer a = m.answer("What is 6 * 7?");
            assertThat(a.text()).isEqualTo("42");
        }
        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData episode = one(all, "invoke_agent maestro");
        List<SpanData> turns = all.stream().filter(s -> s.getName().equals("maestro.turn")).toList();
        SpanData good = one(all, "chat good-model");
        SpanData bad = one(all, "chat bad-model");

        assertThat(episode.getParentSpanContext().isValid()).isFalse();
        assertThat(episode.getAttributes().get(OtelTelemetry.OPERATION)).isEqualTo("invoke_agent");
        assertThat(episode.getAttributes().get(OtelTelemetry.CALLS)).isEqualTo(2L);
        assertThat(episode.getAttributes().get(OtelTelemetry.COST)).isCloseTo(100 * 3e-6 + 20 * 15e-6, within());
        assertThat(episode.getAttributes().get(OtelTelemetry.ANSWERED)).isTrue();
        assertThat(turns).hasSize(2).allSatisfy(t -> assertThat(t.getParentSpanId()).isEqualTo(episode.getSpanId()));
        SpanData searchTurn = turns.stream().filter(t -> t.getAttributes().get(OtelTelemetry.TURN) == 0L).findFirst().orElseThrow();
        assertThat(searchTurn.getAttributes().get(OtelTelemetry.ACTION)).isEqualTo("search");
        assertThat(turns).anySatisfy(t -> assertThat(t.getAttributes().get(OtelTelemetry.ACTION)).isEqualTo("answer"));

        assertThat(good.getParentSpanId()).isEqualTo(searchTurn.getSpanId());
        assertThat(bad.getParentSpanId()).isEqualTo(searchTurn.getSpanId());
        assertThat(good.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(good.getAttributes().get(OtelTelemetry.SYSTEM)).isEqualTo("openai");
        assertThat(good.getAttributes().get(OtelTelemetry.REQUEST_MODEL)).isEqualTo("good-model");
        assertThat(good.getAttributes().get(OtelTelemetry.INPUT_TOKENS)).isEqualTo(100L);
        assertThat(good.getAttributes().get(OtelTelemetry.OUTPUT_TOKENS)).isEqualTo(20L);
        assertThat(good.getAttributes().get(OtelTelemetry.COST)).isCloseTo(100 * 3e-6 + 20 * 15e-6, within());
        assertThat(good.getAttributes().get(OtelTelemetry.ERROR_TYPE)).isNull();
        assertThat(good.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(bad.getAttributes().get(OtelTelemetry.ERROR_TYPE)).isEqualTo("http_status");
        assertThat(bad.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(bad.getStatus().getDescription()).startsWith("500");
        assertThat(good.getTraceId()).isEqualTo(episode.getTraceId());
    }

    @Test
    void should_export_over_otlp_http_when_the_endpoint_variable_is_set() throws Exception {
        try (FakeEndpoint endpoint = new FakeEndpoint()) {
            Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.url(), "OTEL_SERVICE_NAME", "otel-test");
            try (Maestro m = Maestro.builder().registry(registry(endpoint.url())).policy(BOTH_THEN_ANSWER).env(env).build()) {
                assertThat(m.runtime().telemetry()).isInstanceOf(OtelTelemetry.class);
                m.answer("What is 6 * 7?");
            } // closing the runtime flushes the batch
            assertThat(endpoint.received).anySatisfy(r -> {
                assertThat(r.path()).isEqualTo("/v1/traces");
                assertThat(r.contentType()).isEqualTo("application/x-protobuf");
                assertThat(r.bytes()).isPositive();
            });
        }
    }

    @Test
    void should_cost_nothing_when_no_endpoint_is_set() {
        assertThat(Telemetry.fromEnvironment(Map.of())).isSameAs(Telemetry.NONE);
        assertThat(Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
                "OTEL_SDK_DISABLED", "true"))).isSameAs(Telemetry.NONE);
    }

    @Test
    void should_read_the_standard_variables_and_refuse_bad_ones_in_one_line() {
        OtlpTelemetryProvider.Config c = OtlpTelemetryProvider.config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://collector:4318/", "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cr%3Dt,team=ml")).orElseThrow();
        assertThat(c.endpoint()).isEqualTo("http://collector:4318/v1/traces");
        assertThat(c.protocol()).isEqualTo("http/protobuf");
        assertThat(c.headers()).containsEntry("x-api-key", "s3cr=t").containsEntry("team", "ml");
        assertThat(c.toString()).doesNotContain("s3cr");
        assertThat(OtlpTelemetryProvider.config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")).orElseThrow().endpoint()).isEqualTo("http://c:4317");
        assertThatThrownBy(() -> OtlpTelemetryProvider.config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "thrift"))).isInstanceOf(MaestroException.class)
                .hasMessageContaining("valid: http/protobuf, grpc");
        assertThatThrownBy(() -> OtlpTelemetryProvider.config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")))
                .isInstanceOf(MaestroException.class).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> OtlpTelemetryProvider.config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c",
                "OTEL_EXPORTER_OTLP_HEADERS", "tokenwithoutequals"))).isInstanceOf(MaestroException.class)
                .hasMessageNotContaining("tokenwithoutequals");
    }

    private static SpanData one(List<SpanData> spans, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(found).as(name).hasSize(1);
        return found.get(0);
    }

    private static Offset<Double> within() {
        return Offset.offset(1e-12);
    }
}
