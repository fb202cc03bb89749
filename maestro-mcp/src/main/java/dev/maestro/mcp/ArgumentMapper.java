package dev.maestro.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * How a workflow step's inputs become the arguments of an MCP tool call, read against the tool's input schema
 * (docs/mcp.md, "Arguments"):
 * <ol>
 *   <li>{@code arguments:} (name: value) gives the arguments by name; strings are templates, already rendered;</li>
 *   <li>{@code argument: TEXT} fills the tool's only property (or its only required one); for a tool with several,
 *       text that is a JSON object is taken as the whole arguments object;</li>
 *   <li>neither: no arguments ({@code {}}).</li>
 * </ol>
 * Each value is then matched to its property's JSON-schema {@code type}: text becomes an integer, number or
 * boolean when the schema says so, and a JSON array or object when it says {@code array} / {@code object}; a value
 * that does not fit is a failed call naming the argument. {@link #check} finds at load what can be known before a
 * call: unknown names, missing required arguments, a single argument for a tool that takes several.
 */
final class ArgumentMapper {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The part of an input schema that mapping needs. */
    record Schema(Map<String, Map<String, Object>> properties, List<String> required) {
        @SuppressWarnings("unchecked")
        static Schema of(Map<String, Object> inputSchema) {
            Map<String, Map<String, Object>> props = new LinkedHashMap<>();
            Object p = inputSchema == null ? null : inputSchema.get("properties");
            if (p instanceof Map<?, ?> m) {
                m.forEach((k, v) -> props.put(String.valueOf(k), v instanceof Map<?, ?> vm ? (Map<String, Object>) vm : Map.of()));
            }
            List<String> req = new ArrayList<>();
            Object r = inputSchema == null ? null : inputSchema.get("required");
            if (r instanceof List<?> l) {
                l.forEach(x -> req.add(String.valueOf(x)));
            }
            return new Schema(props, req);
        }

        /** The property a single {@code argument:} fills: the only one, else the only required one. */
        Optional<String> single() {
            if (properties.size() == 1) {
                return Optional.of(properties.keySet().iterator().next());
            }
            return required.size() == 1 ? Optional.of(required.get(0)) : Optional.empty();
        }

        /** The argument names, sorted: a server may send its schema's properties in any order. */
        String names() {
            return properties.isEmpty() ? "(none declared)" : String.join(", ", new TreeSet<>(properties.keySet()));
        }
    }

    /** The arguments of one call, or why there are none. */
    record Mapped(Map<String, Object> arguments, Optional<String> error) {
        static Mapped ok(Map<String, Object> a) {
            return new Mapped(a, Optional.empty());
        }

        static Mapped fail(String why) {
            return new Mapped(Map.of(), Optional.of(why));
        }
    }

    private ArgumentMapper() {
    }

    /**
     * What is wrong with a step's inputs for this tool, known before any call ({@code argument} and {@code arguments}
     * as written in SKILL.md, not rendered).
     */
    static List<String> check(String tool, Schema s, String argument, Map<String, Object> arguments) {
        List<String> out = new ArrayList<>();
        if (!arguments.isEmpty()) {
            for (String k : arguments.keySet()) {
                if (!s.properties().isEmpty() && !s.properties().containsKey(k)) {
                    out.add("tool '" + tool + "' takes no argument '" + k + "'; it takes: " + s.names());
                }
            }
            List<String> missing = s.required().stream().filter(r -> !arguments.containsKey(r)).toList();
            if (!missing.isEmpty()) {
                out.add("tool '" + tool + "' requires " + String.join(", ", missing) + "; add "
                        + (missing.size() == 1 ? "it" : "them") + " to 'arguments:'");
            }
            return out;
        }
        if (!argument.isBlank()) {
            Optional<String> one = s.single();
            if (one.isEmpty() && jsonObject(argument)) {
                return out; // a JSON object of every argument, read at call time
            }
            if (one.isEmpty()) {
                out.add("tool '" + tool + "' takes " + (s.properties().isEmpty() ? "no declared arguments"
                        : "the arguments " + s.names()) + ", so one 'argument: TEXT' cannot be placed; write 'arguments:' "
                        + "with name: value for each");
            } else {
                List<String> others = s.required().stream().filter(r -> !r.equals(one.get())).toList();
                if (!others.isEmpty()) {
                    out.add("tool '" + tool + "' also requires " + String.join(", ", others) + "; write 'arguments:' "
                            + "with name: value for each");
                }
            }
            return out;
        }
        if (!s.required().isEmpty()) {
            out.add("tool '" + tool + "' requires " + String.join(", ", s.required()) + "; give "
                    + (s.single().isPresent() ? "'argument: TEXT' or " : "") + "'arguments:' in the step");
        }
        return out;
    }

    /** The arguments of a call from the rendered step inputs. */
    static Mapped map(String tool, Schema s, String argument, Map<String, Object> arguments) {
        Map<String, Object> raw;
        if (!arguments.isEmpty()) {
            raw = arguments;
        } else if (!argument.isBlank()) {
            String t = argument.strip();
            Optional<String> one = s.single();
            if (one.isPresent()) {
                raw = Map.of(one.get(), argument);
            } else if (jsonObject(t)) {
                try {
                    Object v = JSON.readValue(t, Object.class);
                    if (!(v instanceof Map<?, ?>)) {
                        return Mapped.fail("argument of tool '" + tool + "' must be a JSON object, got " + abbreviate(t));
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) v;
                    raw = m;
                } catch (JsonProcessingException e) {
                    return Mapped.fail("argument of tool '" + tool + "' starts with '{' but is not a JSON object: "
                            + e.getOriginalMessage());
                }
            } else {
                return Mapped.fail("tool '" + tool + "' takes the arguments " + s.names() + "; one text argument cannot be "
                        + "placed (write 'arguments:' in the step)");
            }
        } else {
            raw = Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            Map<String, Object> prop = s.properties().getOrDefault(e.getKey(), Map.of());
            Object v;
            try {
                v = coerce(e.getValue(), type(prop));
            } catch (IllegalArgumentException bad) {
                return Mapped.fail("argument '" + e.getKey() + "' of tool '" + tool + "' " + bad.getMessage());
            }
            out.put(e.getKey(), v);
        }
        List<String> missing = s.required().stream().filter(r -> !out.containsKey(r)).toList();
        if (!missing.isEmpty()) {
            return Mapped.fail("tool '" + tool + "' requires " + String.join(", ", missing));
        }
        return Mapped.ok(out);
    }

    /** Whether text is meant as a JSON object: {@code {"} or {@code {}}, not a placeholder such as {@code {input}}. */
    static boolean jsonObject(String text) {
        return text.strip().matches("(?s)\\{\\s*(\"|}).*");
    }

    /** The first non-null JSON type a property declares ({@code "integer"}, or from {@code ["string", "null"]}). */
    static String type(Map<String, Object> prop) {
        Object t = prop == null ? null : prop.get("type");
        if (t instanceof String s) {
            return s;
        }
        if (t instanceof List<?> l) {
            for (Object x : l) {
                if (x != null && !"null".equals(x)) {
                    return String.valueOf(x);
                }
            }
        }
        return "";
    }

    /** A value as the schema type wants it; text is parsed, other values are kept when they already fit. */
    static Object coerce(Object v, String type) {
        if (v == null) {
            return null;
        }
        switch (type) {
            case "integer" -> {
                if (v instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0) {
                    return new BigDecimal(n.toString()).toBigIntegerExact();
                }
                String t = String.valueOf(v).strip();
                try {
                    return new BigDecimal(t).toBigIntegerExact();
                } catch (NumberFormatException | ArithmeticException e) {
                    throw new IllegalArgumentException("must be an integer (schema type integer), got " + abbreviate(t));
                }
            }
            case "number" -> {
                if (v instanceof Number) {
                    return v;
                }
                String t = String.valueOf(v).strip();
                try {
                    return new BigDecimal(t);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("must be a number (schema type number), got " + abbreviate(t));
                }
            }
            case "boolean" -> {
                if (v instanceof Boolean) {
                    return v;
                }
                String t = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
                if (t.equals("true") || t.equals("false")) {
                    return Boolean.parseBoolean(t);
                }
                throw new IllegalArgumentException("must be true or false (schema type boolean), got " + abbreviate(t));
            }
            case "array", "object" -> {
                if (v instanceof String s) {
                    try {
                        Object parsed = JSON.readValue(s.strip(), Object.class);
                        boolean fits = type.equals("array") ? parsed instanceof List<?> : parsed instanceof Map<?, ?>;
                        if (fits) {
                            return parsed;
                        }
                    } catch (JsonProcessingException e) {
                        // reported below
                    }
                    throw new IllegalArgumentException("must be a JSON " + type + " (schema type " + type + "), got "
                            + abbreviate(s));
                }
                return v;
            }
            case "string" -> {
                return v instanceof String ? v : (v instanceof Map<?, ?> || v instanceof List<?> ? toJson(v) : String.valueOf(v));
            }
            default -> {
                return v;
            }
        }
    }

    private static String toJson(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v);
        }
    }

    static String abbreviate(String s) {
        String t = s.replaceAll("\\s+", " ");
        return "'" + (t.length() > 60 ? t.substring(0, 57) + "..." : t) + "'";
    }
}
