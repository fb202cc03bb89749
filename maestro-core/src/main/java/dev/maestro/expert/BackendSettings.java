package dev.maestro.expert;

import dev.maestro.MaestroException;
import dev.maestro.registry.ModelCard;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;

/** Typed reads of {@link ModelCard#settings()} with messages that name the model and the key. */
final class BackendSettings {
    private BackendSettings() {
    }

    static Optional<String> string(ModelCard model, String key) {
        Object v = model.settings().get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s && !s.isBlank()) {
            return Optional.of(s);
        }
        if (v instanceof Path p) {
            return Optional.of(p.toString());
        }
        throw new MaestroException("model '" + model.id() + "': setting '" + key + "' must be a non-empty string, got "
                + v.getClass().getSimpleName() + " " + v);
    }

    static Optional<Path> path(ModelCard model, String key) {
        Object v = model.settings().get(key);
        if (v instanceof Path p) {
            return Optional.of(p);
        }
        return string(model, key).map(Path::of);
    }

    static Optional<Double> number(ModelCard model, String key) {
        Object v = model.settings().get(key);
        if (v == null) {
            return Optional.empty();
        }
        OptionalDouble parsed = asDouble(v);
        if (parsed.isEmpty()) {
            throw new MaestroException("model '" + model.id() + "': setting '" + key + "' must be a number >= 0, got "
                    + (v instanceof String s ? "'" + s + "'" : v.getClass().getSimpleName()));
        }
        double d = parsed.getAsDouble();
        if (!Double.isFinite(d) || d < 0) {
            throw new MaestroException("model '" + model.id() + "': setting '" + key + "' must be a number >= 0, got " + d);
        }
        return Optional.of(d);
    }

    /** A YAML scalar as a double: numbers as they are, strings parsed; empty for anything else. */
    static OptionalDouble asDouble(Object v) {
        if (v instanceof Number n) {
            return OptionalDouble.of(n.doubleValue());
        }
        if (v instanceof String s) {
            try {
                return OptionalDouble.of(Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        }
        return OptionalDouble.empty();
    }
}
