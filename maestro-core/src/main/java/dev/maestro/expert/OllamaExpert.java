package dev.maestro.expert;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the expert behind Ollama's native chat API ({@code backend: ollama}, {@code POST /api/chat}), called through
 * LangChain4j's {@link OllamaChatModel} over our {@link StatusHttpClient}: the same timeout, error kinds, retries,
 * breaker and cache as {@code openai} (see {@link LiveExpert}). Images go in the message's {@code images} list
 * (base64), the sampling settings in {@code options} (seed included). Ollama needs no key; a card that names one
 * (for an Ollama behind an authenticating proxy) sends it as {@code Authorization: Bearer}.
 */
public final class OllamaExpert {
    /** A local Ollama, used when the card has no {@code base-url}. */
    public static final String DEFAULT_BASE_URL = "http://localhost:11434";

    private OllamaExpert() {
    }

    /**
     * @throws dev.maestro.MaestroException if the card names a key variable that is not set
     */
    public static Expert create(ModelCard model, EnvLookup env) {
        Optional<String> key = LiveExpert.apiKey(model, env, false);
        List<String> secrets = new ArrayList<>();
        key.ifPresent(secrets::add);
        Map<String, String> headers = new LinkedHashMap<>(OpenAiExpert.headers(model, env, secrets));
        key.ifPresent(k -> headers.putIfAbsent("Authorization", "Bearer " + k));
        OllamaChatModel.OllamaChatModelBuilder b = OllamaChatModel.builder()
                .httpClientBuilder(LiveExpert.httpClient(model));
        b.baseUrl(model.baseUrl().orElse(DEFAULT_BASE_URL))
                .modelName(LiveExpert.modelName(model))
                .timeout(model.timeout());
        b.maxRetries(0);
        if (!headers.isEmpty()) {
            b.customHeaders(headers);
        }
        return new LiveExpert(model, b.build(), DIALECT, secrets,
                "OllamaExpert[" + model.id() + " @ " + model.baseUrl().orElse(DEFAULT_BASE_URL) + "]");
    }

    private static final LiveExpert.Dialect DIALECT = new LiveExpert.Dialect() {
        @Override
        public Set<String> imageTypes() {
            return LiveExpert.ALL_IMAGES;
        }

        @Override
        public ChatRequestParameters parameters(ExpertRequest request, RequestSettings rs) {
            ExpertRequest.Sampling s = request.sampling();
            OllamaChatRequestParameters.Builder p = LiveExpert.sampling(OllamaChatRequestParameters.builder(), request, rs);
            rs.seed().or(s::seed).ifPresent(v -> p.seed(LiveExpert.intSeed(v)));
            return p.build();
        }
    };
}
