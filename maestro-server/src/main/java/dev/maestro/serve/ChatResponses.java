package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shapes of a chat completion: the JSON response, the SSE chunks of a stream, and the text answered when the
 * episode produced no answer. An empty string is never the answer: a client would take it for one. When the policy
 * committed to nothing (or to a blank answer) the content says so and why, e.g. {@code No answer: every expert
 * call failed (Chart-R1@@cot: invalid_request: task ... has no gold answer; the simulated backend needs one)}, and
 * {@code maestro.no_answer} holds the reason.
 */
final class ChatResponses {
    private ChatResponses() {
    }

    /** What one served episode produced, with the request settings that shaped it. */
    record Served(String id, String model, EpisodeResult result, ObjectNode settings, double wallMs) {
        boolean answered() {
            return result.answer().filter(a -> !a.isBlank()).isPresent();
        }

        String content() {
            return answered() ? result.answer().get() : "No answer: " + noAnswerReason(result);
        }

        String finishReason() {
            return result.answer().isPresent() ? "stop" : "length";
        }
    }

    /** Why an episode has no usable answer, in one line for the client. */
    static String noAnswerReason(EpisodeResult r) {
        List<Observation> obs = new ArrayList<>();
        for (Step s : r.steps()) {
            obs.addAll(s.observations());
        }
        String ending = r.answer().isPresent() ? "the policy's answer was empty" : "the policy ran out of turns ("
                + r.steps().size() + ") without answering";
        if (obs.isEmpty()) {
            Optional<String> err = r.steps().stream().map(Step::error).filter(e -> !e.isBlank()).reduce((a, b) -> b);
            return ending + " and called no expert" + err.map(e -> " (" + cut(e) + ")").orElse("");
        }
        List<Observation> failed = obs.stream().filter(o -> !o.ok()).toList();
        if (failed.size() == obs.size()) {
            StringBuilder sb = new StringBuilder(failed.size() == 1 ? "the expert call failed (" : "every expert call failed (");
            for (int i = 0; i < Math.min(2, failed.size()); i++) {
                Observation o = failed.get(i);
                sb.append(i > 0 ? "; " : "").append(o.call().pair().id()).append(": ").append(o.error().orElseThrow());
            }
            if (failed.size() > 2) {
                sb.append("; and ").append(failed.size() - 2).append(" more");
            }
            return cut(sb.append(")").toString());
        }
        boolean anyAnswer = obs.stream().anyMatch(o -> o.answer().filter(a -> !a.isBlank()).isPresent());
        return ending + (anyAnswer ? "" : "; no expert gave an answer (" + (obs.size() - failed.size()) + " replied, "
                + failed.size() + " failed)");
    }

    private static String cut(String s) {
        return s.length() <= 400 ? s : s.substring(0, 400) + "…";
    }

    /**
     * The response of a served episode whose {@code steps} ({@link EpisodeJson#steps}) were built already, as a tree:
     * the reference shape. The server writes the same JSON without the tree ({@link ChatJson#completion}).
     */
    static ObjectNode completion(Served s, ArrayNode steps, long created) {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("id", s.id());
        n.put("object", "chat.completion");
        n.put("created", created);
        n.put("model", s.model());
        ObjectNode choice = n.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", "assistant");
        msg.put("content", s.content());
        choice.put("finish_reason", s.finishReason());
        n.set("usage", usage(s.result()));
        ObjectNode m = EpisodeJson.maestro(s.id(), s.result(), steps);
        extras(m, s);
        n.set("maestro", m);
        return n;
    }

    static ObjectNode usage(EpisodeResult r) {
        ObjectNode u = EpisodeJson.MAPPER.createObjectNode();
        u.put("prompt_tokens", r.usage().inputTokens());
        u.put("completion_tokens", r.usage().outputTokens());
        u.put("total_tokens", r.usage().total());
        return u;
    }

    /** The request settings and, when there is no answer, why. */
    static void extras(ObjectNode m, Served s) {
        m.set("settings", s.settings());
        // the episode's wall time here; totals.latency_ms adds up each turn's slowest call as the call measured it
        m.put("wall_ms", Math.round(s.wallMs() * 10) / 10.0);
        if (!s.answered()) {
            m.put("no_answer", noAnswerReason(s.result()));
        }
    }

    static ObjectNode chunk(String id, String model, long createdAt) {
        ObjectNode c = EpisodeJson.MAPPER.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", createdAt);
        c.put("model", model);
        c.putArray("choices");
        return c;
    }

    /** The last chunks of a stream: the answer, then the finish reason with usage and the ledger's totals. */
    static void finish(Sse sse, Served s, long createdAt) {
        ObjectNode answer = chunk(s.id(), s.model(), createdAt);
        answer.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                .put("content", s.content());
        sse.send(answer);
        ObjectNode last = chunk(s.id(), s.model(), createdAt);
        last.withArray("choices").addObject().put("index", 0).put("finish_reason", s.finishReason()).putObject("delta");
        last.set("usage", usage(s.result()));
        ObjectNode m = EpisodeJson.MAPPER.createObjectNode();
        m.put("episode_id", s.id());
        m.put("policy", s.result().policy());
        m.set("calls", EpisodeJson.calls(s.result()));
        m.set("totals", EpisodeJson.totals(s.result()));
        extras(m, s);
        last.set("maestro", m);
        sse.send(last);
        sse.done();
    }

    /** Writes SSE frames; after the client went away it stops writing (the episode still finishes and is traced). */
    static final class Sse {
        private final OutputStream out;
        private boolean broken;

        Sse(OutputStream out) {
            this.out = out;
        }

        synchronized void send(JsonNode n) {
            try {
                write("data: " + EpisodeJson.MAPPER.writeValueAsString(n) + "\n\n");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        synchronized void done() {
            write("data: [DONE]\n\n");
        }

        private void write(String s) {
            if (broken) {
                return;
            }
            try {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                broken = true;
            }
        }
    }
}
