package dev.maestro.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.task.ChatContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI sampling fields of a chat request ({@code temperature}, {@code top_p}, {@code max_tokens} /
 * {@code max_completion_tokens}, {@code stop}, {@code seed}), validated; they are passed to every expert call of the
 * episode, and a value the model's card in models.yaml sets wins over them (docs/serve.md).
 */
final class SamplingParams {
    /** Largest {@code max_tokens} accepted. */
    static final int MAX_TOKENS = 1_000_000;

    private SamplingParams() {
    }

    static ChatContext.Sampling parse(JsonNode n) {
        Optional<Double> temperature = number(n, "temperature", 0, 2, true);
        Optional<Double> topP = number(n, "top_p", 0, 1, false);
        Optional<Integer> maxTokens = tokens(n, "max_tokens");
        Optional<Integer> maxCompletion = tokens(n, "max_completion_tokens");
        if (maxTokens.isPresent() && maxCompletion.isPresent() && !maxTokens.equals(maxCompletion)) {
            throw ApiError.badParam("invalid_parameter", "max_completion_tokens", "'max_tokens' (" + maxTokens.get()
                    + ") and 'max_completion_tokens' (" + maxCompletion.get() + ") disagree; send one of them");
        }
        Optional<Long> seed = Optional.empty();
        JsonNode s = n.path("seed");
        if (!ChatRequest.absent(s)) {
            if (!s.isIntegralNumber() || !s.canConvertToInt()) {
                throw ApiError.badParam("invalid_parameter", "seed", "'seed' must be an integer from " + Integer.MIN_VALUE
                        + " to " + Integer.MAX_VALUE + " (the experts' seed is 32-bit)");
            }
            seed = Optional.of(s.asLong());
        }
        return new ChatContext.Sampling(temperature, topP, maxTokens.or(() -> maxCompletion), seed, stop(n));
    }

    private static Optional<Double> number(JsonNode n, String field, double min, double max, boolean minInclusive) {
        JsonNode v = n.path(field);
        if (ChatRequest.absent(v)) {
            return Optional.empty();
        }
        double d = v.asDouble();
        if (!v.isNumber() || !(minInclusive ? d >= min : d > min) || !(d <= max)) {
            throw ApiError.badParam("invalid_parameter", field, "'" + field + "' must be a number in " + (minInclusive ? "[" : "(")
                    + fmt(min) + ", " + fmt(max) + "]");
        }
        return Optional.of(d);
    }

    private static Optional<Integer> tokens(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (ChatRequest.absent(v)) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > MAX_TOKENS) {
            throw ApiError.badParam("invalid_parameter", field, "'" + field + "' must be an integer from 1 to " + MAX_TOKENS
                    + " (the token limit of each expert call)");
        }
        return Optional.of(v.asInt());
    }

    private static List<String> stop(JsonNode n) {
        JsonNode v = n.path("stop");
        if (ChatRequest.absent(v)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray() && v.size() <= 4) {
            v.forEach(x -> out.add(x.isTextual() ? x.asText() : ""));
        } else {
            out.add("");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiError.badParam("invalid_parameter", "stop", "'stop' must be a non-empty string or an array of up to 4 of them");
        }
        return out;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
