package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.episode.EpisodeConfig;
import java.io.IOException;
import java.util.Optional;

/**
 * A parsed {@code POST /v1/chat/completions} body. Parsing is separate from HTTP so it can be fuzzed directly:
 * any body gives a request or an {@link ApiError} (400, or 404 for another model) whose message names the field;
 * never another exception, which the server would turn into a 500.
 *
 * @param stream   {@code "stream": true}
 * @param budget   the episode limits, the server defaults overridden by {@code maestro.{max_calls, max_cost_usd,
 *                 max_turns}} within the caps
 * @param question text of the last user message (images of every message went to the batch)
 * @param seed     {@code "seed"} when it is an integer
 */
record ChatRequest(boolean stream, EpisodeConfig budget, String question, Optional<Long> seed) {

    /** What the server allows; {@code model} is the one name served. */
    record Limits(String model, EpisodeConfig defaults, int maxCallsCap, double maxCostCap) {
    }

    static ChatRequest parse(byte[] body, Limits limits, ImageInputs.Batch imgs) {
        JsonNode n = json(body);
        JsonNode model = n.path("model");
        if (!model.isTextual()) {
            throw ApiError.badRequest("missing_model", "field 'model' is required");
        }
        if (!model.asText().equals(limits.model())) {
            throw ApiError.notFound("model_not_found", "The model '" + ImageInputs.abbreviate(model.asText())
                    + "' does not exist; available: " + limits.model());
        }
        boolean stream = n.path("stream").asBoolean(false);
        EpisodeConfig budget = budget(n.path("maestro"), limits);
        String question = question(n.path("messages"), imgs);
        JsonNode seed = n.path("seed");
        return new ChatRequest(stream, budget, question,
                seed.canConvertToLong() ? Optional.of(seed.asLong()) : Optional.empty());
    }

    /** The body as a JSON object, or 400 {@code invalid_json} naming where it broke. */
    static JsonNode json(byte[] body) {
        try {
            JsonNode n = EpisodeJson.MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("invalid_json", "request body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            // limits such as nesting depth come without a location
            JsonLocation at = e.getLocation();
            throw ApiError.badRequest("invalid_json", "request body is not valid JSON"
                    + (at == null ? " (" + ImageInputs.abbreviate(e.getOriginalMessage()) + ")"
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw ApiError.badRequest("invalid_json", "request body is not valid JSON");
        }
    }

    private static EpisodeConfig budget(JsonNode m, Limits limits) {
        EpisodeConfig c = limits.defaults();
        if (m.isMissingNode() || m.isNull()) {
            return c;
        }
        if (!m.isObject()) {
            throw ApiError.badRequest("invalid_budget", "'maestro' must be an object like {\"max_calls\": 4, \"max_cost_usd\": 0.05}");
        }
        JsonNode calls = m.path("max_calls");
        if (!calls.isMissingNode()) {
            if (!calls.isIntegralNumber() || !calls.canConvertToInt() || calls.asInt() < 0 || calls.asInt() > limits.maxCallsCap()) {
                throw ApiError.badRequest("invalid_budget", "maestro.max_calls must be an integer in [0, " + limits.maxCallsCap() + "]");
            }
            c = c.withMaxCalls(calls.asInt());
        }
        JsonNode cost = m.path("max_cost_usd");
        if (!cost.isMissingNode()) {
            if (!cost.isNumber() || !(cost.asDouble() >= 0) || cost.asDouble() > limits.maxCostCap()) {
                throw ApiError.badRequest("invalid_budget", "maestro.max_cost_usd must be a number in [0, " + limits.maxCostCap() + "]");
            }
            c = c.withMaxCost(cost.asDouble());
        }
        JsonNode turns = m.path("max_turns");
        if (!turns.isMissingNode()) {
            if (!turns.isIntegralNumber() || !turns.canConvertToInt() || turns.asInt() < 1 || turns.asInt() > 16) {
                throw ApiError.badRequest("invalid_budget", "maestro.max_turns must be an integer in [1, 16]");
            }
            c = c.withMaxTurns(turns.asInt());
        }
        return c;
    }

    /** The text of the last user message; images of every message are added to {@code imgs}. */
    private static String question(JsonNode messages, ImageInputs.Batch imgs) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("invalid_messages", "'messages' must be a non-empty array of {role, content}");
        }
        String question = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText("");
            if (role.isEmpty()) {
                throw ApiError.badRequest("invalid_messages", "messages[" + i + "].role is required");
            }
            JsonNode content = m.path("content");
            StringBuilder text = new StringBuilder();
            if (content.isTextual()) {
                text.append(content.asText());
            } else if (content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    JsonNode part = content.get(j);
                    String field = "messages[" + i + "].content[" + j + "]";
                    String type = part.path("type").asText("");
                    if (type.equals("text")) {
                        if (text.length() > 0) {
                            text.append('\n');
                        }
                        text.append(part.path("text").asText(""));
                    } else if (type.equals("image_url")) {
                        JsonNode u = part.path("image_url");
                        String url = u.isTextual() ? u.asText() : u.path("url").asText("");
                        if (url.isEmpty()) {
                            throw ApiError.badRequest("invalid_image_url", field + ".image_url.url is required");
                        }
                        imgs.add(url, field);
                    } else {
                        throw ApiError.badRequest("unsupported_content", field + ": content part type '" + ImageInputs.abbreviate(type)
                                + "' is not supported; use 'text' or 'image_url'");
                    }
                }
            } else if (!content.isNull() && !content.isMissingNode()) {
                throw ApiError.badRequest("invalid_messages", "messages[" + i + "].content must be a string or an array of parts");
            }
            if (role.equals("user")) {
                question = text.toString();
            }
        }
        if (question == null || question.isBlank()) {
            throw ApiError.badRequest("invalid_messages", "no user message with text: the last user message is the question");
        }
        return question;
    }
}
