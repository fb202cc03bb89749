package dev.maestro.skill.tool;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a tool receives.
 *
 * @param images   the task's image files (may be empty for text-only tools)
 * @param argument the tool's text argument: an expression, a box {@code "x0,y0,x1,y1"}, a grid cell
 *                 {@code "r2c3"}, a variant name, or empty
 * @param question the task's question text, or empty; tools whose answer depends on the question
 *                 (which shape to count, "touching" versus "overlapping") read it when the argument is empty
 * @param arguments named arguments, rendered (the {@code arguments:} of an MCP tool step; empty otherwise): plain
 *                 values (maps, lists, strings, numbers, booleans, nulls)
 */
public record ToolInput(List<Path> images, String argument, String question, Map<String, Object> arguments) {

    public ToolInput {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(question, "question");
        images = List.copyOf(images);
        arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    /** An input without named arguments (every built-in tool). */
    public ToolInput(List<Path> images, String argument, String question) {
        this(images, argument, question, Map.of());
    }

    public static ToolInput of(List<Path> images, String argument) {
        return new ToolInput(images, argument, "");
    }

    public static ToolInput text(String argument) {
        return new ToolInput(List.of(), argument, "");
    }

    public static ToolInput image(Path image, String argument) {
        return new ToolInput(List.of(image), argument, "");
    }

    /** A copy carrying the task's question text. */
    public ToolInput withQuestion(String newQuestion) {
        return new ToolInput(images, argument, newQuestion, arguments);
    }

    /** The argument if not blank, else the question: where tools look for a shape or variant word. */
    String argumentOrQuestion() {
        return argument.isBlank() ? question : argument;
    }
}
