package dev.maestro.expert;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The secret strings configured for an expert (its API key, header values taken from the environment), and the
 * one place that removes them from text. Every piece of text an expert hands back (a 200 completion as much as an
 * error body) passes through {@link #redact} before it is stored, traced, logged or returned: an endpoint may echo
 * what it was sent, and from the reply the text travels to traces, caches, reports and serve clients.
 *
 * <p>Values shorter than {@link #MIN_LENGTH} characters are not treated as secrets: replacing every "ab" in a
 * completion would garble it and protect nothing (such a key is guessable anyway). Longer secrets are replaced
 * first, so a secret containing another is removed whole.
 */
public final class Secrets {
    /** Shorter values are not redacted. */
    public static final int MIN_LENGTH = 4;
    /** What a secret becomes. */
    public static final String MASK = "***";

    private static final Secrets NONE = new Secrets(List.of());

    private final List<String> values; // longest first

    private Secrets(List<String> values) {
        this.values = values;
    }

    /** No secrets: {@link #redact} returns its input. */
    public static Secrets none() {
        return NONE;
    }

    /** The given values (blank and too-short ones are ignored). */
    public static Secrets of(Collection<String> values) {
        Set<String> kept = new LinkedHashSet<>();
        for (String v : values) {
            if (v != null && v.strip().length() >= MIN_LENGTH) {
                kept.add(v);
                kept.add(v.strip());
            }
        }
        return kept.isEmpty() ? NONE
                : new Secrets(kept.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList());
    }

    public static Secrets of(String... values) {
        return of(List.of(values));
    }

    /** These secrets and {@code more}'s. */
    public Secrets and(Secrets more) {
        if (more.values.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(values);
        all.addAll(more.values);
        return of(all);
    }

    /** {@code text} with every secret replaced by {@link #MASK}. */
    public String redact(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String t = text;
        for (String v : values) {
            if (t.contains(v)) {
                t = t.replace(v, MASK);
            }
        }
        return t;
    }

    /** {@link #redact} applied inside an Optional. */
    public Optional<String> redact(Optional<String> text) {
        return values.isEmpty() ? text : text.map(this::redact);
    }

    /** Whether {@code text} holds any of the secrets. */
    public boolean foundIn(String text) {
        return text != null && values.stream().anyMatch(text::contains);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public int size() {
        return values.size();
    }

    /** Never the values. */
    @Override
    public String toString() {
        return "Secrets[" + values.size() + " values]";
    }
}
