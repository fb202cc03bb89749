package dev.maestro.registry;

import dev.maestro.registry.Fields.Ctx;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the optional model-card facts of a {@code models.yaml} entry ({@link ModelFacts}): {@code size-b},
 * {@code released}, {@code family}, {@code tuning}, {@code open-weights}. A bad value is one problem naming what
 * would be valid; the model then loads without that fact only if nothing else is wrong (an error still fails the
 * registry, as for any key).
 */
final class ModelFactsReader {
    private static final Pattern YEAR_MONTH = Pattern.compile("(\\d{4})-(\\d{1,2})");
    /** Larger than any model published so far by two orders of magnitude: a bigger value is a unit mistake. */
    static final double MAX_SIZE_B = 100_000;

    private final ReadContext ctx;
    private final Fields fields;

    ModelFactsReader(ReadContext ctx, Fields fields) {
        this.ctx = ctx;
        this.fields = fields;
    }

    ModelFacts read(Ctx c, Map<String, YamlNode> m) {
        ModelFacts f = ModelFacts.NONE;
        YamlNode size = m.get("size-b");
        if (size != null && !size.isNull()) {
            Optional<Double> v = number(size);
            if (v.isEmpty() || !(v.get() > 0 && v.get() <= MAX_SIZE_B)) {
                error(c, size, "size-b", "size-b must be the number of parameters in billions, a number > 0 and <= "
                        + (long) MAX_SIZE_B + " (e.g. 7, 70 or 0.5), got " + fields.show(size));
            } else {
                f = f.withSizeB(v.get());
            }
        }
        YamlNode rel = m.get("released");
        if (rel != null && !rel.isNull()) {
            Optional<YearMonth> ym = yearMonth(rel);
            if (ym.isEmpty()) {
                error(c, rel, "released", "released must be a year and month YYYY-MM from 1950-01 to 2100-12 "
                        + "(e.g. 2024-07), got " + fields.show(rel));
            } else {
                f = f.withReleased(ym.get());
            }
        }
        YamlNode fam = m.get("family");
        if (fam != null && !fam.isNull()) {
            if (!fam.isScalar() || !(fam.value() instanceof String s) || s.isBlank() || s.strip().length() > 64
                    || s.contains("\n")) {
                error(c, fam, "family", "family must be a short name on one line (at most 64 characters, e.g. llama,"
                        + " mistral, gemini, or simulated), got " + fields.show(fam));
            } else {
                f = f.withFamily(s.strip());
            }
        }
        YamlNode tun = m.get("tuning");
        if (tun != null && !tun.isNull()) {
            try {
                if (!tun.isScalar() || !(tun.value() instanceof String s)) {
                    throw new IllegalArgumentException();
                }
                f = f.withTuning(ModelFacts.Tuning.parse(s));
            } catch (IllegalArgumentException e) {
                error(c, tun, "tuning", "tuning must be one of base, instruct, chat, got " + fields.show(tun));
            }
        }
        YamlNode open = m.get("open-weights");
        if (open != null && !open.isNull()) {
            if (open.value() instanceof Boolean b) {
                f = f.withOpenWeights(b);
            } else if (open.value() instanceof String s && (s.strip().equals("true") || s.strip().equals("false"))) {
                f = f.withOpenWeights(Boolean.parseBoolean(s.strip())); // a ${VAR} substituted into the value
            } else {
                error(c, open, "open-weights", "open-weights must be true or false, got " + fields.show(open));
            }
        }
        return f;
    }

    private void error(Ctx c, YamlNode n, String key, String message) {
        ctx.error(c.file(), n.line(), c.field(key), message);
    }

    /** A number, or a string holding one (a {@code ${VAR}} substituted into the value). */
    private static Optional<Double> number(YamlNode n) {
        if (n.value() instanceof Number num) {
            return Optional.of(num.doubleValue());
        }
        if (n.value() instanceof String s) {
            try {
                return Optional.of(Double.parseDouble(s.strip()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** YYYY-MM as a string; YAML may also hand over a full date (2024-07-23) as a Date, which is refused too. */
    static Optional<YearMonth> yearMonth(YamlNode n) {
        if (!n.isScalar() || !(n.value() instanceof String s)) {
            return Optional.empty();
        }
        Matcher mm = YEAR_MONTH.matcher(s.strip());
        if (!mm.matches()) {
            return Optional.empty();
        }
        try {
            YearMonth ym = YearMonth.of(Integer.parseInt(mm.group(1)), Integer.parseInt(mm.group(2)));
            return ym.getYear() < 1950 || ym.getYear() > 2100 ? Optional.empty() : Optional.of(ym);
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
