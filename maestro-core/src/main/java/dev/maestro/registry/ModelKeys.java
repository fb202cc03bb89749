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
    /** What every request to a live endpoint carries ({@link RequestSettings}); some backends take a subset. */
    public static final List<String> REQUEST = List.of("temperature", "top-p", "max-tokens", "seed", "stop",
            "system-prompt", "headers", "extra-body");
    /** Retry, circuit-breaker and fallback settings of a live model ({@link Resilience}). */
    public static final List<String> RESILIENCE = List.of("retry-attempts", "retry-backoff-cap", "breaker-failures",
            "breaker-cool-down", "fallbacks");
    /** Byte caps of a live model (kept in {@link ModelCard#settings()}; read by the expert). */
    public static final List<String> LIMITS = List.of("max-response-bytes");
    /** Settings of the {@code azure-openai} backend only: the deployment (default: model-name) and the API version. */
    public static final List<String> AZURE = List.of("deployment", "api-version");
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
        // The native providers take what their APIs (and LangChain4j's modules for them) can send: Anthropic has no
        // seed; Gemini, Ollama and Azure take no arbitrary body fields.
        OWN.put(Backend.ANTHROPIC, without(openai, "seed"));
        OWN.put(Backend.GEMINI, without(openai, "extra-body"));
        OWN.put(Backend.OLLAMA, without(openai, "extra-body"));
        List<String> azure = new ArrayList<>(without(openai, "extra-body"));
        azure.addAll(AZURE);
        OWN.put(Backend.AZURE_OPENAI, List.copyOf(azure));
        OWN.put(Backend.REPLAY, REPLAY);
        OWN.put(Backend.SIMULATED, SIMULATED);
        OWN.put(Backend.NONE, List.of());
    }

    private ModelKeys() {
    }

    private static List<String> without(List<String> keys, String drop) {
        return keys.stream().filter(k -> !k.equals(drop)).toList();
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
