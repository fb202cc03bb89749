package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The routes over the {@link TraceStore}: {@code GET /traces?limit=N}, {@code GET /traces/{id}} and
 * {@code POST /v1/feedback {"id", "score": 0..1, "correct": bool, "comment"}}, a grade of a served completion stored
 * with its trace (a later one replaces it). For feedback, {@code id} is the completion id ({@code chatcmpl-…}) and at
 * least one of {@code score} and {@code correct} is required; 400 names the bad field, 404 an unknown id. All are
 * authenticated like every other route (the server's before-filter).
 */
final class TraceRoutes {
    static final String FEEDBACK = "/v1/feedback";
    private static final String NO_STORE = "no trace store configured (--store or --traces FILE)";
    private static final Set<String> FIELDS = Set.of("id", "score", "correct", "comment");
    private static final String VALID = "valid: {\"id\": \"chatcmpl-…\", \"score\": 0..1, \"correct\": true|false, \"comment\": \"…\"}";

    private TraceRoutes() {
    }

    /** {@code GET /traces}: the most recent episodes (default 50, at most 1000). */
    static JsonNode list(Optional<TraceStore> store, String limitParam) {
        TraceStore t = store.orElseThrow(() -> ApiError.notFound("not_found", NO_STORE));
        int limit = 50;
        if (limitParam != null) {
            try {
                limit = Math.max(1, Math.min(1000, Integer.parseInt(limitParam)));
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("invalid_limit", "limit must be an integer");
            }
        }
        return t.recent(limit);
    }

    /** {@code GET /traces/{id}}: one episode with its steps and feedback. */
    static JsonNode one(Optional<TraceStore> store, String id) {
        TraceStore t = store.orElseThrow(() -> ApiError.notFound("not_found", NO_STORE));
        return t.get(id).orElseThrow(() -> ApiError.notFound("trace_not_found", "no trace with id '" + ImageInputs.abbreviate(id) + "'"));
    }

    /** {@code POST /v1/feedback}: validates the body, stores the feedback and returns the response body. */
    static ObjectNode feedback(byte[] body, Optional<TraceStore> store) {
        TraceStore traces = store.orElseThrow(() -> ApiError.notFound("not_found",
                "no trace store configured: start the server with --store (or --traces FILE) to accept feedback"));
        JsonNode n;
        try {
            n = EpisodeJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("invalid_json", "request body is not JSON: " + e.getOriginalMessage() + "; " + VALID);
        } catch (IOException e) {
            throw ApiError.badRequest("invalid_json", "request body is not JSON; " + VALID);
        }
        if (n == null || !n.isObject()) {
            throw ApiError.badRequest("invalid_json", "request body must be a JSON object; " + VALID);
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw bad(ImageInputs.abbreviate(f), "unknown field; " + VALID);
            }
        }
        JsonNode id = n.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw bad("id", "required: the id of a chat completion this server returned (\"chatcmpl-…\")");
        }
        Optional<Double> score = Optional.empty();
        JsonNode s = n.get("score");
        if (s != null && !s.isNull()) {
            if (!s.isNumber() || !(s.asDouble() >= 0 && s.asDouble() <= 1)) {
                throw bad("score", "must be a number from 0 to 1, got " + ImageInputs.abbreviate(s.toString()));
            }
            score = Optional.of(s.asDouble());
        }
        Optional<Boolean> correct = Optional.empty();
        JsonNode c = n.get("correct");
        if (c != null && !c.isNull()) {
            if (!c.isBoolean()) {
                throw bad("correct", "must be true or false, got " + ImageInputs.abbreviate(c.toString()));
            }
            correct = Optional.of(c.asBoolean());
        }
        if (score.isEmpty() && correct.isEmpty()) {
            throw bad("score", "give a grade: \"score\" (0..1) or \"correct\" (true/false), or both");
        }
        Optional<String> comment = Optional.empty();
        JsonNode m = n.get("comment");
        if (m != null && !m.isNull()) {
            if (!m.isTextual()) {
                throw bad("comment", "must be a string");
            }
            if (m.asText().length() > Feedback.MAX_COMMENT) {
                throw bad("comment", "longer than " + Feedback.MAX_COMMENT + " characters");
            }
            comment = Optional.of(m.asText());
        }
        Feedback f = new Feedback(score, correct, comment, System.currentTimeMillis());
        String key = id.asText();
        if (!traces.feedback(key, f)) {
            throw ApiError.notFound("trace_not_found", "no served completion with id '" + ImageInputs.abbreviate(key)
                    + "' in the trace store");
        }
        ObjectNode out = EpisodeJson.MAPPER.createObjectNode();
        out.put("id", key);
        out.put("object", "feedback");
        out.put("stored", true);
        return out;
    }

    private static ApiError bad(String field, String problem) {
        return new ApiError(400, "invalid_request_error", "invalid_feedback", "feedback field '" + field + "': " + problem);
    }
}
