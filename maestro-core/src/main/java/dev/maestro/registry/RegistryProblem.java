package dev.maestro.registry;

import java.util.Objects;

/**
 * One problem found while reading a registry folder.
 *
 * <p>Problems are collected, not thrown one at a time, so a user fixes a broken registry in one
 * pass. A message never contains a secret: values that came from the environment are not echoed.
 *
 * @param file     path of the offending file relative to the registry folder (e.g. {@code models.yaml},
 *                 {@code skills/ocr-router/SKILL.md}); {@code .} for the folder itself
 * @param field    dotted location of the offending value (e.g. {@code models[Chart-R1].price}); empty when
 *                 the problem concerns the whole file
 * @param message  what is wrong and, where there is a finite set of choices, what would be valid
 * @param severity {@link Severity#ERROR} stops loading; {@link Severity#WARNING} does not (unless strict)
 * @param line     1-based line in {@code file}, or 0 when unknown
 */
public record RegistryProblem(String file, String field, String message, Severity severity, int line) {

    /** How bad a problem is. */
    public enum Severity {
        /** The registry cannot be used as written. */
        ERROR,
        /** The registry loads, but something will probably not work as intended (e.g. an API key is not set). */
        WARNING
    }

    public RegistryProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(severity, "severity");
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0, got " + line);
        }
    }

    /** An error without a known line. */
    public RegistryProblem(String file, String field, String message) {
        this(file, field, message, Severity.ERROR, 0);
    }

    static RegistryProblem error(String file, int line, String field, String message) {
        return new RegistryProblem(file, field, message, Severity.ERROR, line);
    }

    static RegistryProblem warning(String file, int line, String field, String message) {
        return new RegistryProblem(file, field, message, Severity.WARNING, line);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file[:line]}, the way compilers print locations so editors can jump to them. */
    public String location() {
        return line > 0 ? file + ":" + line : file;
    }

    /** {@code file[:line]: field: message}, with {@code warning: } before the message for warnings. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(location()).append(": ");
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        if (severity == Severity.WARNING) {
            sb.append("warning: ");
        }
        return sb.append(message).toString();
    }
}
