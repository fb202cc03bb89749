package dev.maestro.expert;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatRequestParameters;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates the expert behind Google's Gemini API ({@code backend: gemini}, {@code models/NAME:generateContent}), called through
 * LangChain4j's {@link GoogleAiGeminiChatModel} over our {@link StatusHttpClient}: the same timeout, error kinds,
 * redaction, retries, breaker and cache as {@code openai} (see {@link LiveExpert}). The key goes in
 * {@code x-goog-api-key}; images are sent as {@code inlineData} parts (PNG, JPEG, WebP). LangChain4j's Gemini model
 * takes a seed only when it is built, so the card's {@code seed} is sent and a caller's per-request seed is not.
 */
public final class GeminiExpert {
    /** Google's Gemini API, used when the card has no {@code base-url}. */
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

    private GeminiExpert() {
    }

    /**
     * @throws dev.maestro.MaestroException if the card names no key variable, or one that is not set
     */
    public static Expert create(ModelCard model, EnvLookup env) {
        String key = LiveExpert.apiKey(model, env, true).orElseThrow();
        List<String> secrets = new ArrayList<>(List.of(key));
        Map<String, String> headers = OpenAiExpert.headers(model, env, secrets);
        GoogleAiGeminiChatModel.GoogleAiGeminiChatModelBuilder b = GoogleAiGeminiChatModel.builder()
                .httpClientBuilder(LiveExpert.httpClient(model))
                .baseUrl(model.baseUrl().orElse(DEFAULT_BASE_URL))
                .apiKey(key)
                .modelName(LiveExpert.modelName(model))
                .timeout(model.timeout())
                .maxRetries(0);
        model.request().seed().ifPresent(s -> b.seed(LiveExpert.intSeed(s)));
        if (!headers.isEmpty()) {
            b.customHeaders(headers);
        }
        return new LiveExpert(model, b.build(), DIALECT, secrets,
                "GeminiExpert[" + model.id() + " @ " + model.baseUrl().orElse(DEFAULT_BASE_URL) + "]");
    }

    private static final LiveExpert.Dialect DIALECT = new LiveExpert.Dialect() {
        @Override
        public Set<String> imageTypes() {
            return Set.of("image/png", "image/jpeg", "image/webp");
        }

        @Override
        public ChatRequestParameters parameters(ExpertRequest request, RequestSettings rs) {
            return LiveExpert.sampling(GoogleAiGeminiChatRequestParameters.builder(), request, rs).build();
        }
    };
}
