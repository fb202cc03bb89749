package dev.maestro.io;

import dev.maestro.MaestroException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The byte limits of everything Maestro reads from outside, each with a documented default and an environment
 * variable that changes it (a whole number of bytes, or with a binary suffix: {@code 64k}, {@code 32m},
 * {@code 4g}). Readers take the current value through {@link #bytes()}; APIs that read also accept an explicit
 * cap, so a library user can set one without the environment.
 *
 * <p>Defaults are far above any real file or reply seen so far (the largest shipped JSONL line is 7.8 kB, the
 * largest decompressed replay file 12 MB, the largest {@code models.yaml} 5 kB) and far below what would take the
 * process down.
 */
public enum Limit {
    /** One line of any JSONL file: recorded outputs, tasks, traces, training logs, grading flags. */
    LINE("MAESTRO_MAX_LINE_BYTES", 16L << 20, "a JSONL line"),
    /** What a gzip stream (recorded.jsonl.gz, ...) may inflate to. */
    INFLATED("MAESTRO_MAX_INFLATED_BYTES", 2L << 30, "decompressed gzip data"),
    /** A registry or suite file: models.yaml, SKILL.md, suite.yaml, extra models files. */
    CONFIG_FILE("MAESTRO_MAX_CONFIG_BYTES", 1L << 20, "a registry or suite file"),
    /** One HTTP response body from an expert or an orchestrator endpoint (per model: {@code max-response-bytes}). */
    RESPONSE("MAESTRO_MAX_RESPONSE_BYTES", 16L << 20, "a response body"),
    /** One image file sent to an expert or read by a tool. */
    IMAGE("MAESTRO_MAX_IMAGE_BYTES", 64L << 20, "an image file");

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([kmg]i?b?|b)?");

    private final String variable;
    private final long defaultBytes;
    private final String what;

    Limit(String variable, long defaultBytes, String what) {
        this.variable = variable;
        this.defaultBytes = defaultBytes;
        this.what = what;
    }

    /** The environment variable that changes this limit. */
    public String variable() {
        return variable;
    }

    public long defaultBytes() {
        return defaultBytes;
    }

    /** What is limited, as a noun phrase for messages ("a JSONL line"). */
    public String what() {
        return what;
    }

    /**
     * The limit now: the environment variable if set, else the default.
     *
     * @throws MaestroException if the variable is set to something that is not a positive size
     */
    public long bytes() {
        return bytes(name -> Optional.ofNullable(System.getenv(name)));
    }

    /** The limit with variables from {@code env} (tests, embedders with their own configuration). */
    public long bytes(Function<String, Optional<String>> env) {
        Optional<String> v = env.apply(variable).filter(s -> !s.isBlank());
        return v.isEmpty() ? defaultBytes : parse(variable, v.get());
    }

    /** "set MAESTRO_MAX_LINE_BYTES to raise it (now 16 MiB)": the second half of every limit message. */
    public String raiseHint(long current) {
        return "set " + variable + " (bytes, or e.g. 64m) to raise it (now " + human(current) + ")";
    }

    /**
     * Parses a size: a whole number of bytes, or with a binary suffix k, m, g (kb, kib, ... also accepted).
     *
     * @param name named in the error message
     */
    public static long parse(String name, String value) {
        Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "b" : m.group(2);
                int shift = switch (unit.charAt(0)) {
                    case 'k' -> 10;
                    case 'm' -> 20;
                    case 'g' -> 30;
                    default -> 0;
                };
                if (n > 0 && n <= (Long.MAX_VALUE >> shift)) {
                    return n << shift;
                }
            } catch (NumberFormatException tooLong) {
                // reported below
            }
        }
        throw new MaestroException(name + " must be a positive number of bytes, optionally with k, m or g "
                + "(e.g. 16777216 or 16m), got '" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
    }

    /** A size for people: "16 MiB" for whole units, "1999 bytes" below 1 MiB, else "1.5 GiB". */
    public static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        for (int u = units.length - 1; u >= 0; u--) {
            long unit = 1L << (10 * (u + 1));
            if (bytes >= unit && bytes % unit == 0) {
                return bytes / unit + " " + units[u];
            }
        }
        if (bytes < (1 << 20)) {
            return bytes + " bytes";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f", v) + " " + units[u];
    }
}
