package dev.maestro.skill.tool;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Timing and error handling shared by the built-in tools: bad input becomes a failure result. */
abstract class BaseTool implements Tool {

    private final String name;
    private final String description;

    BaseTool(String name, String description) {
        this.name = name;
        this.description = description;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final ToolResult run(ToolInput in) {
        long t0 = System.nanoTime();
        try {
            Outcome o = execute(in);
            double ms = (System.nanoTime() - t0) / 1e6;
            return new ToolResult(o.text(), o.answer(), o.images(), ms, Optional.empty());
        } catch (ToolException e) {
            return ToolResult.failure(name + ": " + e.getMessage(), (System.nanoTime() - t0) / 1e6);
        } catch (RuntimeException | OutOfMemoryError e) {
            // A tool bug must not kill an episode; report it as a failed call naming the cause.
            return ToolResult.failure(name + ": internal error " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                    (System.nanoTime() - t0) / 1e6);
        }
    }

    abstract Outcome execute(ToolInput in);

    /** The single image of the input, or a ToolException saying how many are needed. */
    static Path oneImage(ToolInput in) {
        if (in.images().isEmpty()) {
            throw new ToolException("needs one image, the task has none");
        }
        return in.images().get(0);
    }

    record Outcome(Optional<String> text, Optional<String> answer, List<Path> images) {
        static Outcome answer(String answer, String text) {
            return new Outcome(Optional.of(text), Optional.of(answer), List.of());
        }

        static Outcome text(String text) {
            return new Outcome(Optional.of(text), Optional.empty(), List.of());
        }

        static Outcome images(List<Path> images, String text) {
            return new Outcome(Optional.of(text), Optional.empty(), images);
        }
    }
}
