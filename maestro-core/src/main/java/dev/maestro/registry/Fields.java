package dev.maestro.registry;

import dev.maestro.MaestroException;
import java.text.Normalizer;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Typed reading of YAML fields for the registry readers: each reader names a key and the type it expects, and
 * a missing or ill-typed value becomes a problem at the value's line (or the enclosing entry's line), with the
 * value shown unless it came from the environment. Also {@code ${ENV}} substitution, durations and "did you
 * mean" suggestions for misspelt keys.
 */
final class Fields {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private final ReadContext ctx;

    Fields(ReadContext ctx) {
        this.ctx = ctx;
    }

    /** Where a value sits: file, dotted field prefix, and the line of the enclosing entry. */
    record Ctx(String file, String prefix, int line) {
        String field(String key) {
            if (key.isEmpty()) {
                return prefix;
            }
            return prefix.isEmpty() ? key : prefix + "." + key;
        }
    }

    Optional<Duration> duration(Ctx c, Map<String, YamlNode> m, String key) {
        YamlNode n = m.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        Optional<Duration> d = n.isScalar() ? parseDuration(n.text()) : Optional.empty();
        if (d.isEmpty() || d.get().isNegative() || d.get().isZero()) {
            ctx.error(c.file(), n.line(), c.field(key), key + " must be a positive duration such as 30s, 500ms, "
                    + "2m, 1h or PT2M (a bare number means seconds), got " + show(n));
            return Optional.empty();
        }
        return d;
    }

    Optional<String> string(Ctx c, Map<String, YamlNode> m, String key, boolean required) {
        YamlNode n = m.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                ctx.error(c.file(), c.line(), c.field(key), "required field '" + key + "' is missing");
            }
            return Optional.empty();
        }
        if (!n.isScalar()) {
            ctx.error(c.file(), n.line(), c.field(key), key + " must be a string, got " + n.kind());
            return Optional.empty();
        }
        String s = n.text().strip();
        if (s.isEmpty()) {
            if (required) {
                ctx.error(c.file(), n.line(), c.field(key), key + " must not be empty");
            }
            return Optional.empty();
        }
        return Optional.of(s);
    }

    Optional<Integer> integer(Ctx c, Map<String, YamlNode> m, String key, boolean required) {
        YamlNode n = m.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                ctx.error(c.file(), c.line(), c.field(key), "required field '" + key + "' is missing");
            }
            return Optional.empty();
        }
        if (n.value() instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
                && Math.abs(num.doubleValue()) < Integer.MAX_VALUE) {
            return Optional.of(num.intValue());
        }
        if (n.value() instanceof String s && s.strip().matches("-?\\d{1,9}")) {
            return Optional.of(Integer.parseInt(s.strip()));
        }
        ctx.error(c.file(), n.line(), c.field(key), key + " must be a whole number, got " + show(n));
        return Optional.empty();
    }

    Optional<Double> number(Ctx c, Map<String, YamlNode> m, String key, boolean required) {
        YamlNode n = m.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                ctx.error(c.file(), c.line(), c.field(key), "required field '" + key + "' is missing");
            }
            return Optional.empty();
        }
        if (n.value() instanceof Number num) {
            return Optional.of(num.doubleValue());
        }
        if (n.value() instanceof String s) {
            try {
                return Optional.of(Double.parseDouble(s.strip()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        ctx.error(c.file(), n.line(), c.field(key), key + " must be a number, got " + show(n));
        return Optional.empty();
    }

    /** A list of strings; a single scalar is accepted as a one-element list. */
    Optional<List<String>> stringList(Ctx c, Map<String, YamlNode> m, String key) {
        YamlNode n = m.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.isScalar() && !(n.value() instanceof Boolean)) {
            return Optional.of(List.of(n.text().strip()));
        }
        if (!n.isList()) {
            ctx.error(c.file(), n.line(), c.field(key), key + " must be a list of names, got " + n.kind());
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (YamlNode e : n.list()) {
            if (!e.isScalar() || e.text().isBlank()) {
                ctx.error(c.file(), e.line(), c.field(key), key + " must be a list of names, got an entry that is "
                        + (e.isScalar() ? "empty" : e.kind()));
                return Optional.empty();
            }
            out.add(e.text().strip());
        }
        return Optional.of(out);
    }

    Optional<Set<Modality>> modalitySet(Ctx c, Map<String, YamlNode> m) {
        Optional<List<String>> names = stringList(c, m, "modalities");
        if (names.isEmpty()) {
            return Optional.empty();
        }
        Set<Modality> out = EnumSet.noneOf(Modality.class);
        for (String s : names.get()) {
            try {
                out.add(Modality.parse(s));
            } catch (MaestroException e) {
                ctx.error(c.file(), line(m, "modalities", c), c.field("modalities"), "unknown modality '" + s
                        + "'; valid: " + Stream.of(Modality.values()).map(Modality::id)
                        .collect(Collectors.joining(", ")));
            }
        }
        if (out.isEmpty() && names.get().isEmpty()) {
            ctx.error(c.file(), line(m, "modalities", c), c.field("modalities"), "modalities must not be "
                    + "empty; valid: text, image");
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    void checkUnique(Ctx c, Map<String, YamlNode> m, String key, List<String> values) {
        Set<String> seen = new HashSet<>();
        for (String v : values) {
            if (!seen.add(v)) {
                ctx.error(c.file(), line(m, key, c), c.field(key), "'" + v + "' is listed twice");
            }
        }
    }

    void checkId(Ctx c, Map<String, YamlNode> m, String key, String v, String what) {
        // Invisible or reordering characters make two ids look alike (or one look like another): refused, and the
        // id is shown escaped so the message itself cannot be reordered by a bidi control.
        int bad = v.codePoints().filter(Fields::invisible).findFirst().orElse(-1);
        if (bad >= 0) {
            ctx.error(c.file(), line(m, key, c), c.field(key), what + " '" + escaped(v) + "' contains "
                    + String.format(Locale.ROOT, "U+%04X", bad) + (Character.getName(bad) == null ? ""
                    : " (" + Character.getName(bad) + ")") + ", a control or format character (NUL, bidi controls,"
                    + " zero-width characters); ids must be visible text");
            return;
        }
        // The paper's protocol writes MODEL@@SKILL: INPUT, so these characters would make calls ambiguous.
        if (v.contains("@@") || v.contains(":") || v.contains("\n") || v.contains("<") || v.contains(">")) {
            ctx.error(c.file(), line(m, key, c), c.field(key), what + " " + show(m.get(key)) + " must not "
                    + "contain '@@', ':', '<', '>' or line breaks (they delimit <search> MODEL@@SKILL: INPUT "
                    + "</search>)");
        }
    }

    /** Unicode control (Cc), format (Cf: bidi controls, zero-width characters, BOM) and line/paragraph separators. */
    static boolean invisible(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR || t == Character.SURROGATE || t == Character.UNASSIGNED;
    }

    /** {@code s} with invisible characters written as \\uXXXX. */
    static String escaped(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (invisible(cp)) {
                sb.append(String.format(Locale.ROOT, "\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    /** Ids are compared and stored in Unicode NFC, so the two spellings of "é" are one id. */
    static String nfc(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }

    /** The form in which ids must be unique: NFC, then case-folded. */
    static String fold(String id) {
        return nfc(id).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    YamlNode substitute(YamlNode n, String file, String field) {
        if (n.isMap()) {
            Map<String, YamlNode> out = new LinkedHashMap<>();
            n.map().forEach((k, v) -> out.put(k, substitute(v, file, field.isEmpty() ? k : field + "." + k)));
            return new YamlNode(out, n.line());
        }
        if (n.isList()) {
            List<YamlNode> out = new ArrayList<>();
            for (int i = 0; i < n.list().size(); i++) {
                out.add(substitute(n.list().get(i), file, field + "[" + i + "]"));
            }
            return new YamlNode(out, n.line());
        }
        if (!(n.value() instanceof String s) || !s.contains("${")) {
            return n;
        }
        StringBuilder sb = new StringBuilder();
        Matcher mt = ENV_REF.matcher(s);
        int last = 0;
        boolean usedEnv = false;
        while (mt.find()) {
            checkNoStrayRef(s.substring(last, mt.start()), file, n.line(), field);
            sb.append(s, last, mt.start());
            String var = mt.group(1);
            String val = ctx.env.get(var);
            if (val != null) {
                sb.append(val);
                usedEnv = true;
            } else if (mt.group(2) != null) {
                sb.append(mt.group(2));
            } else {
                ctx.error(file, n.line(), field, "environment variable " + var + " is not set and has "
                        + "no default; set it, or write ${" + var + ":-default}");
            }
            last = mt.end();
        }
        checkNoStrayRef(s.substring(last), file, n.line(), field);
        sb.append(s.substring(last));
        YamlNode out = new YamlNode(sb.toString(), n.line());
        if (usedEnv) {
            ctx.fromEnv.add(out);
        }
        return out;
    }

    YamlNode substituteMap(YamlNode n, Ctx c) {
        return substitute(n, c.file(), c.prefix());
    }

    void checkNoStrayRef(String segment, String file, int line, String field) {
        if (segment.contains("${")) {
            ctx.error(file, line, field, "malformed environment reference; write ${NAME} or "
                    + "${NAME:-default} (NAME: letters, digits, '_')");
        }
    }

    String show(YamlNode n) {
        if (n == null) {
            return "nothing";
        }
        if (ctx.fromEnv.contains(n)) {
            return "(a value from the environment, not shown)";
        }
        if (!n.isScalar()) {
            return n.kind();
        }
        String t = n.text();
        return "'" + (t.length() > 60 ? t.substring(0, 57) + "..." : t) + "'";
    }

    static int line(Map<String, YamlNode> m, String key, Ctx c) {
        YamlNode n = m.get(key);
        return n == null ? c.line() : n.line();
    }

    static Optional<Duration> parseDuration(String text) {
        String t = text.strip();
        if (t.toUpperCase(Locale.ROOT).startsWith("PT")) {
            try {
                return Optional.of(Duration.parse(t.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            return Optional.empty();
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> v;
            case "m" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> v * 1000;
        };
        return millis > Long.MAX_VALUE / 2 ? Optional.empty() : Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    /** "; did you mean 'x'?" when a key is within two edits of a valid one (typos such as 'descripton'). */
    static String suggestion(String key, List<String> valid) {
        String best = null;
        int bestD = 3;
        for (String v : valid) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), v);
            if (d < bestD) {
                bestD = d;
                best = v;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
