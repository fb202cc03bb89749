package dev.maestro.expert;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates the expert behind Anthropic's Messages API ({@code backend: anthropic}), called through LangChain4j's
 * {@link AnthropicChatModel} over our {@link StatusHttpClient}: the same timeout, error kinds, redaction, retries,
 * breaker and cache as {@code openai} (see {@link LiveExpert}). The key goes in {@code x-api-key}; images are sent as
 * base64 {@code image} blocks (PNG, JPEG, GIF, WebP, the types the API takes). The API has no seed: a caller's seed
 * is not sent (and {@code seed} is not a key of this backend). {@code extra-body} fields are merged into every body.
 */
public final class AnthropicExpert {
    /** Anthropic's API, used when the card has no {@code base-url}. */
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com/v1/";

    private AnthropicExpert() {
    }

    /**
     * @throws dev.maestro.MaestroException if the card names no key variable, or one that is not set
     */
    public static Expert create(ModelCard model, EnvLookup env) {
        String key = LiveExpert.apiKey(model, env, true).orElseThrow();
        List<String> secrets = new ArrayList<>(List.of(key));
        Map<String, String> headers = OpenAiExpert.headers(model, env, secrets);
        AnthropicChatModel.AnthropicChatModelBuilder b = AnthropicChatModel.builder()
                .httpClientBuilder(LiveExpert.httpClient(model))
                .baseUrl(model.baseUrl().orElse(DEFAULT_BASE_URL))
                .apiKey(key)
                .modelName(LiveExpert.modelName(model))
                .timeout(model.timeout())
                .maxRetries(0);
        if (!headers.isEmpty()) {
            b.customHeaders(headers);
        }
        if (!model.request().extraBody().isEmpty()) {
            b.customParameters(model.request().extraBody());
        }
        return new LiveExpert(model, b.build(), DIALECT, secrets,
                "AnthropicExpert[" + model.id() + " @ " + model.baseUrl().orElse(DEFAULT_BASE_URL) + "]");
    }

    private static final LiveExpert.Dialect DIALECT = new LiveExpert.Dialect() {
        @Override
        public Set<String> imageTypes() {
            return Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
        }

        @Override
        public ChatRequestParameters parameters(ExpertRequest request, RequestSettings rs) {
            return LiveExpert.sampling(AnthropicChatRequestParameters.builder(), request, rs).build();
        }
    };
}
