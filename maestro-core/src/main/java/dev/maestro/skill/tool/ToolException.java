package dev.maestro.skill.tool;

/** Internal signal for a bad input inside a tool; {@link BaseTool} turns it into a failure result. */
final class ToolException extends RuntimeException {
    ToolException(String message) {
        super(message, null, false, false);
    }
}
