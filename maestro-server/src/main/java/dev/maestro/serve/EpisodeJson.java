package dev.maestro.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import java.util.List;
import java.util.Locale;

/**
 * JSON views of episodes shared by the chat response ({@code maestro} object), the stream and the trace store.
 * Grading data of replayed outputs (recorded correctness) is never part of them.
 */
public final class EpisodeJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private EpisodeJson() {
    }

    public static ObjectNode call(Observation o) {
        ObjectNode n = F.objectNode();
        n.put("index", o.index());
        n.put("turn", o.turn());
        n.put("model", o.call().model());
        n.put("skill", o.call().skill());
        n.put("input", o.call().input());
        if (o.text().isPresent()) {
            n.put("text", o.text().get());
        } else {
            n.putNull("text");
        }
        if (o.answer().isPresent()) {
            n.put("answer", o.answer().get());
        } else {
            n.putNull("answer");
        }
        ObjectNode tokens = n.putObject("tokens");
        tokens.put("input", o.usage().inputTokens());
        tokens.put("output", o.usage().outputTokens());
        n.put("cost_usd", o.costUsd());
        n.put("latency_ms", o.latencyMs());
        if (o.error().isPresent()) {
            ObjectNode e = n.putObject("error");
            e.put("kind", o.error().get().kind().name().toLowerCase(Locale.ROOT));
            e.put("message", o.error().get().message());
        } else {
            n.putNull("error");
        }
        if (o.fallback().isPresent()) {
            // the model called failed: who answered instead (null: nobody) and who failed, why
            ObjectNode f = n.putObject("fallback");
            f.put("requested", o.fallback().get().requested());
            if (o.fallback().get().answeredBy().isPresent()) {
                f.put("answered_by", o.fallback().get().answeredBy().get());
            } else {
                f.putNull("answered_by");
            }
            ArrayNode failed = f.putArray("failed");
            o.fallback().get().failed().forEach(x -> failed.addObject().put("model", x.model())
                    .put("kind", x.error().kind().name().toLowerCase(Locale.ROOT)).put("message", x.error().message()));
        }
        return n;
    }

    public static ObjectNode step(int turn, String action, List<Observation> observations, String error, long decisionNanos) {
        ObjectNode n = F.objectNode();
        n.put("turn", turn);
        n.put("action", action);
        n.put("error", error);
        n.put("decision_ms", decisionNanos / 1e6);
        ArrayNode obs = n.putArray("observations");
        observations.forEach(o -> obs.add(call(o)));
        return n;
    }

    public static ObjectNode step(Step s) {
        return step(s.turn(), s.action(), s.observations(), s.error(), s.decisionNanos());
    }

    public static ArrayNode steps(EpisodeResult r) {
        ArrayNode a = F.arrayNode();
        r.steps().forEach(s -> a.add(step(s)));
        return a;
    }

    public static ArrayNode calls(EpisodeResult r) {
        ArrayNode a = F.arrayNode();
        r.steps().forEach(s -> s.observations().forEach(o -> a.add(call(o))));
        return a;
    }

    public static ObjectNode totals(EpisodeResult r) {
        ObjectNode n = F.objectNode();
        n.put("calls", r.calls());
        n.put("errors", r.errors());
        n.put("malformed", r.malformed());
        n.put("turns", r.steps().size());
        n.put("cost_usd", r.costUsd());
        n.put("latency_ms", r.latencyMs());
        n.put("input_tokens", r.usage().inputTokens());
        n.put("output_tokens", r.usage().outputTokens());
        // a blank answer is no answer: the chat response then says why instead of sending an empty string
        n.put("answered", r.answer().filter(a -> !a.isBlank()).isPresent());
        n.put("simulated", r.simulated());
        return n;
    }

    /** The {@code maestro} object of a chat completion. */
    public static ObjectNode maestro(String episodeId, EpisodeResult r) {
        return maestro(episodeId, r, steps(r));
    }

    /**
     * The {@code maestro} object of a chat completion around {@code steps} ({@link #steps} of {@code r}). Its
     * {@code calls} are the steps' own call objects, not copies: the tree is only written out, never changed.
     */
    static ObjectNode maestro(String episodeId, EpisodeResult r, ArrayNode steps) {
        ObjectNode n = F.objectNode();
        n.put("episode_id", episodeId);
        n.put("policy", r.policy());
        ArrayNode calls = n.putArray("calls");
        steps.forEach(s -> calls.addAll((ArrayNode) s.get("observations")));
        n.set("totals", totals(r));
        n.set("steps", steps);
        return n;
    }
}
