package dev.maestro.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML value that remembers the line it started on, so validation can point at the line of a
 * bad value and not only at the file. Jackson's tree model drops locations, hence this small tree.
 *
 * @param value a {@code Map<String, YamlNode>} (insertion order), {@code List<YamlNode>}, {@code String},
 *              {@code Number}, {@code Boolean}, or {@code null} for an explicit YAML null
 * @param line  1-based line where the value starts
 */
record YamlNode(Object value, int line) {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    /** A syntax error in a YAML text; {@code line} is 1-based within that text (0 if unknown). */
    static final class SyntaxError extends Exception {
        final int line;

        SyntaxError(String message, int line) {
            super(message);
            this.line = line;
        }
    }

    boolean isMap() { return value instanceof Map; }
    boolean isList() { return value instanceof List; }
    boolean isNull() { return value == null; }
    boolean isScalar() { return !isMap() && !isList() && value != null; }

    @SuppressWarnings("unchecked")
    Map<String, YamlNode> map() { return (Map<String, YamlNode>) value; }

    @SuppressWarnings("unchecked")
    List<YamlNode> list() { return (List<YamlNode>) value; }

    /** Scalar as text (numbers and booleans as written by Jackson). */
    String text() { return String.valueOf(value); }

    /** What kind of value this is, for messages ("a list", "a number", ...). */
    String kind() {
        if (value == null) return "null";
        if (isMap()) return "a mapping";
        if (isList()) return "a list";
        if (value instanceof Number) return "a number";
        if (value instanceof Boolean) return "a boolean";
        return "a string";
    }

    /** Plain Java value (maps, lists, strings, numbers, booleans) for {@link ModelCard#settings()}. */
    Object toPlain() {
        if (isMap()) {
            Map<String, Object> out = new LinkedHashMap<>();
            map().forEach((k, v) -> out.put(k, v.toPlain()));
            return Collections.unmodifiableMap(out);
        }
        if (isList()) {
            return list().stream().map(YamlNode::toPlain).toList();
        }
        return value == null ? "" : value;
    }

    /** Like {@link #toPlain()}, but a YAML null stays null (a JSON null in a tool argument or a request's extra body). */
    Object toPlainKeepingNulls() {
        if (isMap()) {
            Map<String, Object> out = new LinkedHashMap<>();
            map().forEach((k, v) -> out.put(k, v.toPlainKeepingNulls()));
            return Collections.unmodifiableMap(out);
        }
        if (isList()) {
            List<Object> out = new ArrayList<>();
            list().forEach(v -> out.add(v.toPlainKeepingNulls()));
            return Collections.unmodifiableList(out);
        }
        return value;
    }

    /**
     * Parses one YAML document. An empty document gives a null node on line 1.
     *
     * @param lineOffset added to every line (for front matter that starts inside a larger file)
     * @param duplicate  told (key, line) for every repeated mapping key; the later value wins
     */
    static YamlNode parse(String text, int lineOffset, BiConsumer<String, Integer> duplicate) throws SyntaxError {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlNode(null, 1 + lineOffset);
            }
            return read(p, lineOffset, duplicate);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
                // SnakeYAML knows both what it was parsing and what it found; Jackson keeps only the first line.
                String what = Stream.of(y.getContext(), y.getProblem()).filter(Objects::nonNull)
                        .collect(Collectors.joining(": "));
                throw new SyntaxError("malformed YAML: " + what, y.getProblemMark().getLine() + 1 + lineOffset);
            }
            JsonLocation loc = e.getLocation();
            int line = loc == null || loc.getLineNr() < 1 ? 0 : loc.getLineNr() + lineOffset;
            String msg = e.getOriginalMessage() == null ? "malformed YAML" : e.getOriginalMessage();
            // SnakeYAML messages span several lines with a caret drawing; the first line is the reason.
            msg = msg.lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse("malformed YAML");
            throw new SyntaxError("malformed YAML: " + msg, line);
        } catch (IOException e) {
            throw new SyntaxError("unreadable YAML: " + e.getMessage(), 0);
        }
    }

    private static YamlNode read(JsonParser p, int off, BiConsumer<String, Integer> duplicate) throws IOException {
        int line = p.currentTokenLocation().getLineNr() + off;
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, YamlNode> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr() + off;
                    p.nextToken();
                    YamlNode v = read(p, off, duplicate);
                    if (m.put(key, v) != null) {
                        duplicate.accept(key, keyLine);
                    }
                }
                return new YamlNode(m, line);
            }
            case START_ARRAY -> {
                List<YamlNode> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p, off, duplicate));
                }
                return new YamlNode(l, line);
            }
            case VALUE_STRING -> { return new YamlNode(p.getText(), line); }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> { return new YamlNode(p.getNumberValue(), line); }
            case VALUE_TRUE -> { return new YamlNode(Boolean.TRUE, line); }
            case VALUE_FALSE -> { return new YamlNode(Boolean.FALSE, line); }
            case VALUE_NULL -> { return new YamlNode(null, line); }
            default -> { return new YamlNode(p.getText(), line); }
        }
    }
}
