package dev.maestro.expert;

import java.util.Map;
import java.util.Optional;

/**
 * Reads environment variables. Injectable so tests (and servers holding keys elsewhere) never need
 * to touch the real process environment.
 */
@FunctionalInterface
public interface EnvLookup {
    Optional<String> get(String name);

    /** The process environment. */
    static EnvLookup system() {
        return name -> Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }

    /** A fixed map (tests). */
    static EnvLookup of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return name -> Optional.ofNullable(copy.get(name)).filter(v -> !v.isBlank());
    }
}
