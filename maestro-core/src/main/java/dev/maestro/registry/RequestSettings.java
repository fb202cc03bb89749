package dev.maestro.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a model card adds to every request sent to an OpenAI-compatible endpoint ({@code models.yaml} keys
 * {@code temperature}, {@code top-p}, {@code max-tokens}, {@code seed}, {@code stop}, {@code system-prompt},
 * {@code headers}, {@code extra-body}). A value set here overrides what the caller's sampling asked for: the
 * registry author knows the endpoint. All of it is part of the record/replay cache key.
 *
 * @param temperature  sampling temperature
 * @param topP         nucleus sampling mass ({@code top_p})
 * @param maxTokens    completion token limit ({@code max_tokens})
 * @param seed         sampling seed (must fit 32 bits: the OpenAI API's seed is an int)
 * @param stop         stop sequences (at most 4 in the OpenAI API)
 * @param systemPrompt sent as a system message before the prompt
 * @param headers      extra HTTP headers; values are templates whose {@code ${VAR}} references are resolved from
 *                     the environment only when the expert is wired (see {@link EnvTemplate}), so a secret never
 *                     sits in a card, a log or a cache key
 * @param extraBody    fields merged into the JSON body of every request (plain maps, lists, strings, numbers, booleans)
 */
public record RequestSettings(
        Optional<Double> temperature,
        Optional<Double> topP,
        Optional<Integer> maxTokens,
        Optional<Long> seed,
        List<String> stop,
        Optional<String> systemPrompt,
        Map<String, String> headers,
        Map<String, Object> extraBody) {

    /** Nothing added: the caller's sampling is sent as it is. */
    public static final RequestSettings NONE = builder().build();

    public RequestSettings {
        stop = List.copyOf(stop);
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        extraBody = freezeMap(extraBody);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder newBuilder() {
        Builder b = new Builder();
        b.temperature = temperature;
        b.topP = topP;
        b.maxTokens = maxTokens;
        b.seed = seed;
        b.stop = stop;
        b.systemPrompt = systemPrompt;
        b.headers = headers;
        b.extraBody = extraBody;
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Object freeze(Object v) {
        if (v instanceof Map<?, ?> m) {
            return freezeMap((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(freeze(x)));
            return Collections.unmodifiableList(out);
        }
        return v;
    }

    // extra-body is nested YAML: copied deeply so a card stays immutable; insertion order is kept (null values
    // are allowed, which Map.copyOf would refuse)
    private static Map<String, Object> freezeMap(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, freeze(v)));
        return Collections.unmodifiableMap(out);
    }

    /** Builder; everything is empty by default. */
    public static final class Builder {
        private Optional<Double> temperature = Optional.empty();
        private Optional<Double> topP = Optional.empty();
        private Optional<Integer> maxTokens = Optional.empty();
        private Optional<Long> seed = Optional.empty();
        private List<String> stop = List.of();
        private Optional<String> systemPrompt = Optional.empty();
        private Map<String, String> headers = Map.of();
        private Map<String, Object> extraBody = Map.of();

        private Builder() {
        }

        public Builder temperature(double v) { this.temperature = Optional.of(v); return this; }
        public Builder topP(double v) { this.topP = Optional.of(v); return this; }
        public Builder maxTokens(int v) { this.maxTokens = Optional.of(v); return this; }
        public Builder seed(long v) { this.seed = Optional.of(v); return this; }
        public Builder stop(List<String> v) { this.stop = v; return this; }
        public Builder systemPrompt(String v) { this.systemPrompt = Optional.of(v); return this; }
        /** Header name → value template ({@code ${VAR}} read from the environment when the expert is wired). */
        public Builder headers(Map<String, String> v) { this.headers = v; return this; }
        public Builder extraBody(Map<String, Object> v) { this.extraBody = v; return this; }

        public RequestSettings build() {
            return new RequestSettings(temperature, topP, maxTokens, seed, stop, systemPrompt, headers, extraBody);
        }
    }
}
