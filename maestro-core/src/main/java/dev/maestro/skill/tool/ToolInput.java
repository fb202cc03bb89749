package dev.maestro.skill.tool;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a tool receives.
 *
 * @param images   the task's image files (may be empty for text-only tools)
 * @param argument the tool's text argument: an expression, a box {@code "x0,y0,x1,y1"}, a grid cell
 *                 {@code "r2c3"}, a variant name, or empty
 * @param question the task's question text, or empty; tools whose answer depends on the question
 *                 (which shape to count, "touching" versus "overlapping") read it when the argument is empty
 */
public record ToolInput(List<Path> images, String argument, String question) {

    public ToolInput {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(question, "question");
        images = List.copyOf(images);
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
        return new ToolInput(images, argument, newQuestion);
    }

    /** The argument if not blank, else the question: where tools look for a shape or variant word. */
    String argumentOrQuestion() {
        return argument.isBlank() ? question : argument;
    }
}
