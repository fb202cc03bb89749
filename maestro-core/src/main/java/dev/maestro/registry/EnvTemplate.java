package dev.maestro.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with {@code ${NAME}} / {@code ${NAME:-default}} references to environment variables, resolved late.
 * The registry loader substitutes most values when it reads a file; header values of a model card are kept as
 * templates instead and resolved only when the expert is wired, because a value read from the environment there is
 * a secret (a token): it must not sit in a card that may be printed, logged or hashed into a cache key.
 */
public final class EnvTemplate {
    /** The registry's reference syntax: {@code ${NAME}} or {@code ${NAME:-default}}. */
    public static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private EnvTemplate() {
    }

    /**
     * A resolved template.
     *
     * @param value   the text with every reference replaced
     * @param secrets the values that came from the environment (to redact wherever expert text is shown)
     * @param missing variables that are not set and have no default (then {@code value} is unusable)
     */
    public record Resolved(String value, List<String> secrets, List<String> missing) {
        public Resolved {
            secrets = List.copyOf(secrets);
            missing = List.copyOf(missing);
        }
    }

    /** Whether the text holds at least one reference. */
    public static boolean hasReference(String template) {
        return REF.matcher(template).find();
    }

    /** The variables a template names, in order. */
    public static List<String> variables(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = REF.matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** A {@code ${} that does not start a well-formed reference, if any (the text from there). */
    public static Optional<String> malformed(String template) {
        String rest = REF.matcher(template).replaceAll("");
        int at = rest.indexOf("${");
        return at < 0 ? Optional.empty() : Optional.of(rest.substring(at));
    }

    public static Resolved resolve(String template, Function<String, Optional<String>> env) {
        StringBuilder sb = new StringBuilder();
        List<String> secrets = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Matcher m = REF.matcher(template);
        int last = 0;
        while (m.find()) {
            sb.append(template, last, m.start());
            Optional<String> v = env.apply(m.group(1));
            if (v.isPresent()) {
                sb.append(v.get());
                secrets.add(v.get());
            } else if (m.group(2) != null) {
                sb.append(m.group(2));
            } else {
                missing.add(m.group(1));
            }
            last = m.end();
        }
        sb.append(template.substring(last));
        return new Resolved(sb.toString(), secrets, missing);
    }
}
