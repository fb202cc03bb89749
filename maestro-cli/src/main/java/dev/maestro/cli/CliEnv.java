package dev.maestro.cli;

import dev.maestro.runtime.Embedders;
import dev.maestro.runtime.MaestroHome;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The environment variables the commands read (API keys by {@code api-key-env}, {@code ${VAR}} in models.yaml,
 * {@code MAESTRO_HOME}). Always the process environment, except inside {@link #with}: Java cannot set environment
 * variables in-process, so this is the seam that lets a test run real commands with a planted key.
 */
final class CliEnv {
    private static volatile Map<String, String> override;

    private CliEnv() {
    }

    static Map<String, String> all() {
        Map<String, String> o = override;
        return o != null ? o : System.getenv();
    }

    /** The home folder ({@code MAESTRO_HOME}) names and caches resolve against. */
    static MaestroHome home() {
        return MaestroHome.fromEnv(all());
    }

    /** Embedders by name, cached under the home. */
    static Embedders embedders() {
        return Embedders.of(home());
    }

    static Optional<String> get(String name) {
        return Optional.ofNullable(all().get(name)).filter(v -> !v.isBlank());
    }

    /** Runs {@code body} with {@code env} in place of the process environment (tests; not re-entrant). */
    static <T> T with(Map<String, String> env, Supplier<T> body) {
        override = Map.copyOf(env);
        try {
            return body.get();
        } finally {
            override = null;
        }
    }
}
