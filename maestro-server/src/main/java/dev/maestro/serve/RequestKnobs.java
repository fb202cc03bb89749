package dev.maestro.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.maestro.episode.EpisodeConfig;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Maestro's own per-request settings, from the {@code maestro} object of the body or from {@code X-Maestro-*}
 * headers (for clients that cannot add body fields); a body field wins over its header. Invalid values are a 400
 * naming the field or header.
 *
 * <table>
 *   <caption>knobs</caption>
 *   <tr><th>body</th><th>header</th><th>meaning</th></tr>
 *   <tr><td>{@code max_calls}</td><td>{@code X-Maestro-Max-Calls}</td><td>expert calls allowed</td></tr>
 *   <tr><td>{@code max_cost} ({@code max_cost_usd})</td><td>{@code X-Maestro-Max-Cost}</td><td>dollars allowed</td></tr>
 *   <tr><td>{@code max_turns}</td><td>{@code X-Maestro-Max-Turns}</td><td>turns allowed (1-16)</td></tr>
 *   <tr><td>{@code cost_weight}</td><td>{@code X-Maestro-Cost-Weight}</td><td>the policy's weight on cost</td></tr>
 *   <tr><td>{@code cache}</td><td>{@code X-Maestro-Cache}</td><td>{@code on} / {@code off} (or true/false)</td></tr>
 * </table>
 */
record RequestKnobs(EpisodeConfig budget, Optional<Double> costWeight, boolean cache) {
    static final List<String> FIELDS = List.of("max_calls", "max_cost", "max_cost_usd", "max_turns", "cost_weight", "cache");
    /** Largest cost weight accepted. */
    static final double MAX_COST_WEIGHT = 1000;

    static RequestKnobs parse(JsonNode m, Function<String, Optional<String>> headers, ChatRequest.Limits limits) {
        if (!ChatRequest.absent(m) && !m.isObject()) {
            throw ApiError.badParam("invalid_budget", "maestro", "'maestro' must be an object like {\"max_calls\": 4, \"max_cost\": 0.05}");
        }
        JsonNode body = ChatRequest.absent(m) ? JsonNodeFactory.instance.objectNode() : m;
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                String name = ImageInputs.abbreviate(f);
                throw ApiError.unsupported("maestro." + name, "maestro." + name + " is not a setting; valid: "
                        + String.join(", ", FIELDS));
            }
        }
        if (!ChatRequest.absent(body.get("max_cost")) && !ChatRequest.absent(body.get("max_cost_usd"))) {
            throw ApiError.badParam("invalid_budget", "maestro.max_cost", "give maestro.max_cost or its old name max_cost_usd, not both");
        }
        EpisodeConfig c = limits.defaults();
        Optional<Knob> calls = knob(body, headers, "max_calls", "X-Maestro-Max-Calls");
        if (calls.isPresent()) {
            c = c.withMaxCalls((int) integer(calls.get(), 0, limits.maxCallsCap()));
        }
        Optional<Knob> cost = knob(body, headers, body.has("max_cost_usd") ? "max_cost_usd" : "max_cost", "X-Maestro-Max-Cost");
        if (cost.isPresent()) {
            c = c.withMaxCost(number(cost.get(), limits.maxCostCap()));
        }
        Optional<Knob> turns = knob(body, headers, "max_turns", "X-Maestro-Max-Turns");
        if (turns.isPresent()) {
            c = c.withMaxTurns((int) integer(turns.get(), 1, 16));
        }
        Optional<Double> weight = knob(body, headers, "cost_weight", "X-Maestro-Cost-Weight").map(k -> number(k, MAX_COST_WEIGHT));
        boolean cache = knob(body, headers, "cache", "X-Maestro-Cache").map(RequestKnobs::onOff).orElse(true);
        return new RequestKnobs(c, weight, cache);
    }

    /** A value from the body (JSON) or a header (text), with the name to report. */
    private record Knob(String name, Optional<JsonNode> json, Optional<String> header) {
    }

    private static Optional<Knob> knob(JsonNode body, Function<String, Optional<String>> headers, String field, String header) {
        JsonNode v = body.get(field);
        if (!ChatRequest.absent(v)) {
            return Optional.of(new Knob("maestro." + field, Optional.of(v), Optional.empty()));
        }
        return headers.apply(header).map(h -> new Knob(header, Optional.empty(), Optional.of(h.strip())));
    }

    private static long integer(Knob k, long min, long max) {
        String msg = k.name() + " must be an integer in [" + min + ", " + max + "]";
        long v;
        if (k.json().isPresent()) {
            JsonNode j = k.json().get();
            if (!j.isIntegralNumber() || !j.canConvertToLong()) {
                throw bad(k, msg);
            }
            v = j.asLong();
        } else {
            try {
                v = Long.parseLong(k.header().get());
            } catch (NumberFormatException e) {
                throw bad(k, msg + ", got '" + ImageInputs.abbreviate(k.header().get()) + "'");
            }
        }
        if (v < min || v > max) {
            throw bad(k, msg + ", got " + v);
        }
        return v;
    }

    private static double number(Knob k, double max) {
        String msg = k.name() + " must be a number in [0, " + Metrics.num(max) + "]";
        double v;
        if (k.json().isPresent()) {
            if (!k.json().get().isNumber()) {
                throw bad(k, msg);
            }
            v = k.json().get().asDouble();
        } else {
            try {
                v = Double.parseDouble(k.header().get());
            } catch (NumberFormatException e) {
                throw bad(k, msg + ", got '" + ImageInputs.abbreviate(k.header().get()) + "'");
            }
        }
        if (!(v >= 0) || !(v <= max)) {
            throw bad(k, msg + ", got " + v);
        }
        return v;
    }

    private static boolean onOff(Knob k) {
        if (k.json().isPresent() && k.json().get().isBoolean()) {
            return k.json().get().asBoolean();
        }
        String v = k.json().map(j -> j.isTextual() ? j.asText() : "?").orElseGet(() -> k.header().get()).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw bad(k, k.name() + " must be on or off (or true/false), got '" + ImageInputs.abbreviate(v) + "'");
        };
    }

    private static ApiError bad(Knob k, String message) {
        String code = k.name().contains("max_") || k.name().contains("-Max-") ? "invalid_budget" : "invalid_parameter";
        return ApiError.badParam(code, k.name(), message);
    }
}
