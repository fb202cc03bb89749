package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.expert.Fallback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The chat completion and the trace's steps written straight to bytes with a streaming generator: the same JSON as the
 * {@link EpisodeJson} / {@link ChatResponses} trees (same fields, order and values; ChatJsonTest compares them), without
 * building a tree first. The profile of a cache hit showed building and serialising the response tree at about a
 * quarter of the chat handler's CPU. Numbers use Jackson's shortest round-trip double writer, which reads back as the
 * same double as the tree's {@code Double.toString}.
 */
final class ChatJson {
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    /** A response buffer per server thread; one that grew beyond this is not kept, so a huge answer is not held forever. */
    private static final int KEEP_BYTES = 256 << 10;
    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    private ChatJson() {
    }

    /** A reusable byte buffer whose content is written out in one piece; it knows where the steps are in it. */
    static final class Buffer extends ByteArrayOutputStream {
        private int stepsFrom;
        private int stepsTo;

        Buffer() {
            super(4096);
        }

        /** The {@code steps} array of the completion in it, as UTF-8 JSON text ({@link #steps} of the episode). */
        byte[] steps() {
            return Arrays.copyOfRange(buf, stepsFrom, stepsTo);
        }

        /** Writes what it holds to {@code out}, then forgets it. */
        void writeTo(OutputStream out, boolean keep) throws IOException {
            out.write(buf, 0, count);
            reset();
            if (!keep) {
                buf = new byte[4096];
            }
        }

        boolean small() {
            return buf.length <= KEEP_BYTES;
        }
    }

    /** The steps of an episode as UTF-8 JSON text: what {@link EpisodeJson#steps} serialises to. */
    static byte[] steps(EpisodeResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 + 512 * r.steps().size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            steps(g, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory buffer does not fail
        }
        return out.toByteArray();
    }

    private static void steps(JsonGenerator g, EpisodeResult r) throws IOException {
        g.writeStartArray();
        for (Step s : r.steps()) {
            g.writeStartObject();
            g.writeNumberField("turn", s.turn());
            g.writeStringField("action", s.action());
            g.writeStringField("error", s.error());
            g.writeNumberField("decision_ms", s.decisionNanos() / 1e6);
            g.writeArrayFieldStart("observations");
            for (Observation o : s.observations()) {
                call(g, o);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * The chat completion of a served episode ({@link ChatResponses#completion}) in this thread's buffer, which also
     * holds where its steps are ({@link Buffer#steps}, for the trace): write it out with {@link Buffer#writeTo} before
     * the thread serves another request.
     */
    static Buffer completion(ChatResponses.Served s, long created) {
        Buffer out = BUFFERS.get();
        out.reset();
        EpisodeResult r = s.result();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", s.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", s.model());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", s.content());
            g.writeEndObject();
            g.writeStringField("finish_reason", s.finishReason());
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", r.usage().inputTokens());
            g.writeNumberField("completion_tokens", r.usage().outputTokens());
            g.writeNumberField("total_tokens", r.usage().total());
            g.writeEndObject();
            g.writeObjectFieldStart("maestro");
            g.writeStringField("episode_id", s.id());
            g.writeStringField("policy", r.policy());
            g.writeArrayFieldStart("calls");
            for (Step st : r.steps()) {
                for (Observation o : st.observations()) {
                    call(g, o);
                }
            }
            g.writeEndArray();
            g.writeFieldName("totals");
            totals(g, r);
            g.writeFieldName("steps");
            g.flush();
            // the generator writes the ':' with the value; the steps start right after it
            out.stepsFrom = out.size() + 1;
            steps(g, r);
            g.flush();
            out.stepsTo = out.size();
            g.writeFieldName("settings");
            object(g, s.settings());
            g.writeNumberField("wall_ms", Math.round(s.wallMs() * 10) / 10.0);
            if (!s.answered()) {
                g.writeStringField("no_answer", ChatResponses.noAnswerReason(r));
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory buffer does not fail
        }
        return out;
    }

    /** One call as {@link EpisodeJson#call} shapes it. */
    private static void call(JsonGenerator g, Observation o) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", o.index());
        g.writeNumberField("turn", o.turn());
        g.writeStringField("model", o.call().model());
        g.writeStringField("skill", o.call().skill());
        g.writeStringField("input", o.call().input());
        g.writeStringField("text", o.text().orElse(null));
        g.writeStringField("answer", o.answer().orElse(null));
        g.writeObjectFieldStart("tokens");
        g.writeNumberField("input", o.usage().inputTokens());
        g.writeNumberField("output", o.usage().outputTokens());
        g.writeEndObject();
        g.writeNumberField("cost_usd", o.costUsd());
        g.writeNumberField("latency_ms", o.latencyMs());
        if (o.error().isPresent()) {
            g.writeObjectFieldStart("error");
            g.writeStringField("kind", o.error().get().kind().name().toLowerCase(Locale.ROOT));
            g.writeStringField("message", o.error().get().message());
            g.writeEndObject();
        } else {
            g.writeNullField("error");
        }
        if (o.fallback().isPresent()) {
            Fallback f = o.fallback().get();
            g.writeObjectFieldStart("fallback");
            g.writeStringField("requested", f.requested());
            g.writeStringField("answered_by", f.answeredBy().orElse(null));
            g.writeArrayFieldStart("failed");
            for (Fallback.Failure x : f.failed()) {
                g.writeStartObject();
                g.writeStringField("model", x.model());
                g.writeStringField("kind", x.error().kind().name().toLowerCase(Locale.ROOT));
                g.writeStringField("message", x.error().message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /**
     * A small tree of scalars and objects (the request settings) as Jackson would write it, without the serializer
     * lookup of {@code ObjectMapper.writeTree} (3 % of the handler's CPU samples).
     */
    private static void object(JsonGenerator g, JsonNode n) throws IOException {
        g.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            g.writeFieldName(e.getKey());
            if (v.isObject()) {
                object(g, v);
            } else if (v.isTextual()) {
                g.writeString(v.textValue());
            } else if (v.isBoolean()) {
                g.writeBoolean(v.booleanValue());
            } else if (v.isInt() || v.isLong()) {
                g.writeNumber(v.longValue());
            } else if (v.isDouble()) {
                g.writeNumber(v.doubleValue());
            } else {
                EpisodeJson.MAPPER.writeTree(g, v); // nothing else is put in the settings; written correctly all the same
            }
        }
        g.writeEndObject();
    }

    /** {@link EpisodeJson#totals}. */
    private static void totals(JsonGenerator g, EpisodeResult r) throws IOException {
        g.writeStartObject();
        g.writeNumberField("calls", r.calls());
        g.writeNumberField("errors", r.errors());
        g.writeNumberField("malformed", r.malformed());
        g.writeNumberField("turns", r.steps().size());
        g.writeNumberField("cost_usd", r.costUsd());
        g.writeNumberField("latency_ms", r.latencyMs());
        g.writeNumberField("input_tokens", r.usage().inputTokens());
        g.writeNumberField("output_tokens", r.usage().outputTokens());
        g.writeBooleanField("answered", r.answer().filter(a -> !a.isBlank()).isPresent());
        g.writeBooleanField("simulated", r.simulated());
        g.writeEndObject();
    }
}
