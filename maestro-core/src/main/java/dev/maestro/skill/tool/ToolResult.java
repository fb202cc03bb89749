package dev.maestro.skill.tool;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a tool returns. A failure has an {@code error} and no answer; a success has no error.
 *
 * @param text   human-readable output (OCR text, a measurement summary) shown to the policy
 * @param answer a short answer in the benchmark's gold format, when the tool produces one
 * @param images output images (PNG files in a temporary folder)
 * @param millis wall time of the run in milliseconds
 * @param error  what went wrong and what would be valid, when the tool failed
 */
public record ToolResult(Optional<String> text, Optional<String> answer, List<Path> images, double millis,
                         Optional<String> error) {

    public ToolResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(error, "error");
        images = List.copyOf(images);
    }

    public static ToolResult answer(String answer, String text, double millis) {
        return new ToolResult(Optional.of(text), Optional.of(answer), List.of(), millis, Optional.empty());
    }

    public static ToolResult text(String text, double millis) {
        return new ToolResult(Optional.of(text), Optional.empty(), List.of(), millis, Optional.empty());
    }

    public static ToolResult images(List<Path> images, String text, double millis) {
        return new ToolResult(Optional.of(text), Optional.empty(), images, millis, Optional.empty());
    }

    public static ToolResult failure(String error, double millis) {
        return new ToolResult(Optional.empty(), Optional.empty(), List.of(), millis, Optional.of(error));
    }

    public boolean ok() {
        return error.isEmpty();
    }

    /** The text shown to a policy: the error, or the text, or the answer. */
    public String observation() {
        return error.map(e -> "tool error: " + e).orElseGet(() -> text.orElseGet(() -> answer.orElse("")));
    }
}
