package dev.maestro.otel;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Step;
import dev.maestro.episode.Telemetry;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.task.Task;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link Telemetry} on OpenTelemetry, with the GenAI semantic conventions:
 * <ul>
 *   <li>episode: span {@code invoke_agent maestro} (INTERNAL; {@code gen_ai.operation.name=invoke_agent},
 *       {@code gen_ai.agent.name=maestro}, the task id, the policy, and at the end calls, cost, whether it answered,
 *       the grade when graded, token totals);</li>
 *   <li>turn: span {@code maestro.turn} (its index, the action kind, the number of calls, a protocol error);</li>
 *   <li>expert call: span {@code chat MODEL} (CLIENT; {@code gen_ai.operation.name=chat}, {@code gen_ai.system} and
 *       {@code gen_ai.provider.name} from the backend, {@code gen_ai.request.model}, {@code gen_ai.usage.input_tokens},
 *       {@code gen_ai.usage.output_tokens}, {@code maestro.cost_usd}, {@code maestro.skill}; a failed call has
 *       {@code error.type} = the error kind and status ERROR).</li>
 * </ul>
 * Prompts and answers are not recorded (the conventions make content opt-in; questions may be private).
 */
public final class OtelTelemetry implements Telemetry {
    static final String SCOPE = "dev.maestro";
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<Double> COST = AttributeKey.doubleKey("maestro.cost_usd");
    static final AttributeKey<String> MODEL_ID = AttributeKey.stringKey("maestro.model");
    static final AttributeKey<String> SKILL = AttributeKey.stringKey("maestro.skill");
    static final AttributeKey<String> TASK = AttributeKey.stringKey("maestro.task_id");
    static final AttributeKey<String> POLICY = AttributeKey.stringKey("maestro.policy");
    static final AttributeKey<Long> CALLS = AttributeKey.longKey("maestro.calls");
    static final AttributeKey<Long> ERRORS = AttributeKey.longKey("maestro.errors");
    static final AttributeKey<Boolean> ANSWERED = AttributeKey.booleanKey("maestro.answered");
    static final AttributeKey<Double> GRADE = AttributeKey.doubleKey("maestro.grade");
    static final AttributeKey<Long> TURN = AttributeKey.longKey("maestro.turn");
    static final AttributeKey<String> ACTION = AttributeKey.stringKey("maestro.action");
    static final AttributeKey<Double> LATENCY = AttributeKey.doubleKey("maestro.latency_ms");
    static final AttributeKey<Boolean> SIMULATED = AttributeKey.booleanKey("maestro.simulated");

    private final Tracer tracer;
    private final Runnable flush;

    private OtelTelemetry(Tracer tracer, Runnable flush) {
        this.tracer = tracer;
        this.flush = flush;
    }

    /** Spans through the given OpenTelemetry (e.g. one the application configured itself). */
    public static OtelTelemetry create(OpenTelemetry otel) {
        return new OtelTelemetry(otel.getTracer(SCOPE), () -> { });
    }

    static OtelTelemetry create(OpenTelemetry otel, Runnable flush) {
        return new OtelTelemetry(otel.getTracer(SCOPE), flush);
    }

    @Override
    public void flush() {
        flush.run();
    }

    /** The GenAI provider name of a backend (well-known values where the conventions have one). */
    static String provider(Backend b) {
        return switch (b) {
            case OPENAI -> "openai";
            case ANTHROPIC -> "anthropic";
            case GEMINI -> "gcp.gemini";
            case AZURE_OPENAI -> "azure.ai.openai";
            case OLLAMA -> "ollama";
            case REPLAY, SIMULATED, NONE -> "maestro." + b.id();
        };
    }

    @Override
    public EpisodeSpan episode(Task task, String policy) {
        Span span = tracer.spanBuilder("invoke_agent maestro").setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "invoke_agent").setAttribute(AGENT_NAME, "maestro")
                .setAttribute(TASK, task.id()).setAttribute(POLICY, policy).startSpan();
        Context parent = Context.current().with(span);
        return new EpisodeSpan() {
            @Override
            public TurnSpan turn(int index) {
                return new OtelTurn(tracer.spanBuilder("maestro.turn").setParent(parent)
                        .setAttribute(TURN, (long) index).startSpan());
            }

            @Override
            public void end(EpisodeResult r) {
                span.setAttribute(CALLS, (long) r.calls());
                span.setAttribute(ERRORS, (long) r.errors());
                span.setAttribute(COST, r.costUsd());
                span.setAttribute(LATENCY, r.latencyMs());
                span.setAttribute(ANSWERED, r.answer().isPresent());
                span.setAttribute(INPUT_TOKENS, r.usage().inputTokens());
                span.setAttribute(OUTPUT_TOKENS, r.usage().outputTokens());
                if (!r.gradedBy().equals("none")) {
                    span.setAttribute(GRADE, r.grade());
                }
                if (r.simulated()) {
                    span.setAttribute(SIMULATED, true);
                }
                span.end();
            }
        };
    }

    private final class OtelTurn implements TurnSpan {
        private final Span span;
        private final Context context;

        OtelTurn(Span span) {
            this.span = span;
            this.context = Context.current().with(span);
        }

        @Override
        public CallSpan call(ModelCard model, String skill) {
            String name = model.modelName().orElse(model.id());
            Span call = tracer.spanBuilder("chat " + name).setParent(context).setSpanKind(SpanKind.CLIENT)
                    .setAttribute(OPERATION, "chat").setAttribute(SYSTEM, provider(model.backend()))
                    .setAttribute(PROVIDER, provider(model.backend())).setAttribute(REQUEST_MODEL, name)
                    .setAttribute(MODEL_ID, model.id()).setAttribute(SKILL, skill).startSpan();
            return reply -> endCall(call, reply);
        }

        @Override
        public void end(Optional<Step> step) {
            step.ifPresent(s -> {
                span.setAttribute(ACTION, s.action().startsWith("<answer>") || s.action().equals("answer") ? "answer"
                        : s.action().startsWith("<search>") ? "search" : "malformed");
                span.setAttribute(CALLS, (long) s.observations().size());
                if (!s.error().isEmpty()) {
                    span.setStatus(StatusCode.ERROR, s.error().length() > 300 ? s.error().substring(0, 300) : s.error());
                }
            });
            span.end();
        }
    }

    private static void endCall(Span call, ExpertReply reply) {
        call.setAttribute(INPUT_TOKENS, reply.usage().inputTokens());
        call.setAttribute(OUTPUT_TOKENS, reply.usage().outputTokens());
        call.setAttribute(COST, reply.costUsd());
        call.setAttribute(LATENCY, reply.latencyMs());
        if (reply.simulated()) {
            call.setAttribute(SIMULATED, true);
        }
        reply.error().ifPresent(e -> {
            call.setAttribute(ERROR_TYPE, e.kind().name().toLowerCase(Locale.ROOT));
            call.setStatus(StatusCode.ERROR, message(e));
        });
        call.end();
    }

    private static String message(ExpertError e) {
        String m = e.message();
        return m.length() > 300 ? m.substring(0, 300) : m;
    }

    @Override
    public String toString() {
        return "OtelTelemetry";
    }
}
