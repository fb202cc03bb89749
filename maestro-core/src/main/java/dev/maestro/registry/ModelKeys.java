package dev.maestro.registry;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys a model entry of {@code models.yaml} may have, by backend: the common {@link RegistryLoader#MODEL_KEYS},
 * plus the backend's own. Any other key is an error naming these (docs/registry.md lists them all). A key written
 * in {@code defaults:} that applies to some backend but not to a model's is ignored for that model, so one
 * {@code defaults:} can serve a registry that mixes backends.
 */
public final class ModelKeys {
    /** What every request to an {@code openai} endpoint carries ({@link RequestSettings}). */
    public static final List<String> REQUEST = List.of("temperature", "top-p", "max-tokens", "seed", "stop",
            "system-prompt", "headers", "extra-body");
    /** Retry and circuit-breaker settings of an {@code openai} model ({@link Resilience}). */
    public static final List<String> RESILIENCE = List.of("retry-attempts", "retry-backoff-cap", "breaker-failures",
            "breaker-cool-down");
    /** Byte caps of an {@code openai} model (kept in {@link ModelCard#settings()}; read by the expert). */
    public static final List<String> LIMITS = List.of("max-response-bytes");
    /** Settings of the {@code replay} backend (kept in {@link ModelCard#settings()}). */
    public static final List<String> REPLAY = List.of("recorded", "recorded-model", "input-tokens", "image-tokens", "output-tokens",
            "latency-ms");
    /** Settings of the {@code simulated} backend (kept in {@link ModelCard#settings()}). */
    public static final List<String> SIMULATED = List.of("profile", "seed", "mean-output-tokens", "latency-ms",
            "latency-sigma", "output-tokens-sigma");

    private static final Map<Backend, List<String>> OWN = new EnumMap<>(Backend.class);

    static {
        List<String> openai = new ArrayList<>(REQUEST);
        openai.addAll(RESILIENCE);
        openai.addAll(LIMITS);
        OWN.put(Backend.OPENAI, List.copyOf(openai));
        OWN.put(Backend.REPLAY, REPLAY);
        OWN.put(Backend.SIMULATED, SIMULATED);
        OWN.put(Backend.NONE, List.of());
    }

    private ModelKeys() {
    }

    /** The keys of the backend itself (not the common ones). */
    public static List<String> own(Backend backend) {
        return OWN.get(backend);
    }

    /** Every key a model entry of this backend may have: the common ones, then the backend's. */
    public static List<String> valid(Backend backend) {
        List<String> out = new ArrayList<>(RegistryLoader.MODEL_KEYS);
        out.addAll(own(backend));
        return List.copyOf(out);
    }

    /** Every key valid for some backend. */
    public static List<String> any() {
        Set<String> out = new LinkedHashSet<>(RegistryLoader.MODEL_KEYS);
        OWN.values().forEach(out::addAll);
        return List.copyOf(out);
    }
}
