package dev.maestro.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One frozen expert model as declared in a registry's {@code models.yaml}.
 *
 * @param id            registry-unique id, used in {@code id@@skill}
 * @param backend       how it is reached
 * @param description   what the model is good at; the learned policy reads this, never the id
 * @param modalities    accepted inputs
 * @param price         price per 1M tokens
 * @param baseUrl       OpenAI-compatible base URL ({@code openai} backend)
 * @param modelName     model name sent to the endpoint
 * @param apiKeyEnv     name of the environment variable holding the key (never the key itself)
 * @param maxConcurrency calls in flight at once
 * @param timeout       per-call timeout
 * @param skills        skills this model may be paired with; empty means every compatible level-1 skill
 * @param settings      backend-specific settings (e.g. {@code recorded} file for replay, {@code profile} for simulated)
 * @param request       what every request to an OpenAI-compatible endpoint carries (sampling, system prompt, headers,
 *                      extra body fields); {@link RequestSettings#NONE} for other backends
 * @param resilience    retry and circuit-breaker settings; empty values take the wiring defaults
 * @param facts         public facts about the model (size, release, family, tuning, open weights), all optional;
 *                      read by onboarding's zero-shot prior, by nothing at run time
 */
public record ModelCard(
        String id,
        Backend backend,
        String description,
        Set<Modality> modalities,
        Price price,
        Optional<String> baseUrl,
        Optional<String> modelName,
        Optional<String> apiKeyEnv,
        int maxConcurrency,
        Duration timeout,
        List<String> skills,
        Map<String, Object> settings,
        RequestSettings request,
        Resilience resilience,
        ModelFacts facts) {

    public ModelCard {
        Objects.requireNonNull(facts);
        modalities = Set.copyOf(modalities);
        skills = List.copyOf(skills);
        settings = Map.copyOf(settings);
        Objects.requireNonNull(request);
        Objects.requireNonNull(resilience);
    }

    public static Builder builder(String id, Backend backend) {
        return new Builder(id, backend);
    }

    public Builder newBuilder() {
        Builder b = new Builder(id, backend);
        b.description = description;
        b.modalities = modalities;
        b.price = price;
        b.baseUrl = baseUrl;
        b.modelName = modelName;
        b.apiKeyEnv = apiKeyEnv;
        b.maxConcurrency = maxConcurrency;
        b.timeout = timeout;
        b.skills = skills;
        b.settings = settings;
        b.request = request;
        b.resilience = resilience;
        b.facts = facts;
        return b;
    }

    /** Builder for programmatic registries; everything a YAML file can say can be said here. */
    public static final class Builder {
        private String id;
        private final Backend backend;
        private String description = "";
        private Set<Modality> modalities = Set.of(Modality.TEXT);
        private Price price = Price.FREE;
        private Optional<String> baseUrl = Optional.empty();
        private Optional<String> modelName = Optional.empty();
        private Optional<String> apiKeyEnv = Optional.empty();
        private int maxConcurrency = 4;
        private Duration timeout = Duration.ofSeconds(120);
        private List<String> skills = List.of();
        private Map<String, Object> settings = Map.of();
        private RequestSettings request = RequestSettings.NONE;
        private Resilience resilience = Resilience.DEFAULTS;
        private ModelFacts facts = ModelFacts.NONE;

        private Builder(String id, Backend backend) {
            this.id = id;
            this.backend = backend;
        }

        public Builder id(String v) { this.id = v; return this; }
        public Builder description(String v) { this.description = v; return this; }
        public Builder modalities(Set<Modality> v) { this.modalities = v; return this; }
        public Builder price(Price v) { this.price = v; return this; }
        public Builder baseUrl(String v) { this.baseUrl = Optional.of(v); return this; }
        public Builder modelName(String v) { this.modelName = Optional.of(v); return this; }
        public Builder apiKeyEnv(String v) { this.apiKeyEnv = Optional.of(v); return this; }
        public Builder maxConcurrency(int v) { this.maxConcurrency = v; return this; }
        public Builder timeout(Duration v) { this.timeout = v; return this; }
        public Builder skills(List<String> v) { this.skills = v; return this; }
        public Builder settings(Map<String, Object> v) { this.settings = v; return this; }
        public Builder request(RequestSettings v) { this.request = v; return this; }
        public Builder resilience(Resilience v) { this.resilience = v; return this; }
        public Builder facts(ModelFacts v) { this.facts = v; return this; }

        public ModelCard build() {
            return new ModelCard(id, backend, description, modalities, price, baseUrl, modelName, apiKeyEnv,
                    maxConcurrency, timeout, skills, settings, request, resilience, facts);
        }
    }
}
