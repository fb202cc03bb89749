package dev.maestro.expert;

import com.azure.ai.openai.OpenAIClient;
import com.azure.ai.openai.OpenAIClientBuilder;
import com.azure.ai.openai.OpenAIServiceVersion;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.policy.AddHeadersPolicy;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import dev.langchain4j.model.azure.AzureOpenAiChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.maestro.MaestroException;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Creates the expert behind an Azure OpenAI deployment ({@code backend: azure-openai}), called through LangChain4j's
 * {@link AzureOpenAiChatModel} on the Azure SDK client. The SDK's transport is {@link AzureHttpClient} (the JDK client
 * with the model's timeout, as for every live backend), its own retries are off, and its errors are mapped to the
 * same kinds as {@code openai}'s: 429 → RATE_LIMITED (with the server's Retry-After), 408 → TIMEOUT, other statuses →
 * HTTP_STATUS, connection problems → IO.
 *
 * <p>Keys: {@code base-url} is the resource endpoint ({@code https://NAME.openai.azure.com}); {@code deployment} the
 * deployment name (default: {@code model-name}); {@code api-version} the API version (default: the newest the SDK
 * knows). The key is sent in the {@code api-key} header by a pipeline policy rather than the SDK's key credential,
 * which refuses plain http: an Azure-compatible gateway on a private network, or a test server, works too.
 * The Azure API takes the seed only when the model is built: the card's {@code seed} is sent, a caller's is not.
 */
public final class AzureOpenAiExpert {
    private AzureOpenAiExpert() {
    }

    /**
     * @throws MaestroException if the card has no base URL, names no key variable or one that is not set, or names
     *                          an API version the client does not know
     */
    public static Expert create(ModelCard model, EnvLookup env) {
        String endpoint = model.baseUrl().orElseThrow(() -> new MaestroException("model '" + model.id() + "' (backend "
                + "azure-openai) needs 'base-url', the resource endpoint, e.g. https://my-resource.openai.azure.com"));
        String key = LiveExpert.apiKey(model, env, true).orElseThrow();
        List<String> secrets = new ArrayList<>(List.of(key));
        Map<String, String> custom = OpenAiExpert.headers(model, env, secrets);
        HttpHeaders headers = new HttpHeaders().set(HttpHeaderName.fromString("api-key"), key);
        custom.forEach((k, v) -> headers.set(HttpHeaderName.fromString(k), v));
        OpenAIClient client = new OpenAIClientBuilder()
                .endpoint(endpoint)
                .serviceVersion(serviceVersion(model))
                .httpClient(new AzureHttpClient(LiveExpert.azureTransport(model)))
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .addPolicy(new AddHeadersPolicy(headers))
                .buildClient();
        AzureOpenAiChatModel.Builder b = AzureOpenAiChatModel.builder()
                .openAIClient(client)
                .deploymentName(deployment(model))
                .timeout(model.timeout())
                .maxRetries(0);
        model.request().seed().ifPresent(b::seed);
        return new LiveExpert(model, b.build(), DIALECT, secrets,
                "AzureOpenAiExpert[" + model.id() + " @ " + model.baseUrl().orElse("?") + " / " + deployment(model) + "]");
    }

    /** The deployment the calls go to: {@code deployment}, else {@code model-name}, else the id. */
    static String deployment(ModelCard model) {
        return BackendSettings.string(model, "deployment").orElseGet(() -> LiveExpert.modelName(model));
    }

    /** The card's {@code api-version} as the SDK's enum, or the newest it knows. */
    static OpenAIServiceVersion serviceVersion(ModelCard model) {
        Optional<String> v = BackendSettings.string(model, "api-version");
        if (v.isEmpty()) {
            return OpenAIServiceVersion.getLatest();
        }
        for (OpenAIServiceVersion s : OpenAIServiceVersion.values()) {
            if (s.getVersion().equals(v.get().strip())) {
                return s;
            }
        }
        throw new MaestroException("model '" + model.id() + "': api-version " + v.get() + " is not one the Azure OpenAI "
                + "client knows; valid: " + Arrays.stream(OpenAIServiceVersion.values()).map(OpenAIServiceVersion::getVersion)
                .collect(Collectors.joining(", ")) + " (or leave it out for the newest)");
    }

    private static final LiveExpert.Dialect DIALECT = new LiveExpert.Dialect() {
        @Override
        public Set<String> imageTypes() {
            return Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
        }

        @Override
        public ChatRequestParameters parameters(ExpertRequest request, RequestSettings rs) {
            return LiveExpert.sampling(ChatRequestParameters.builder(), request, rs).build();
        }

        @Override
        public Optional<ExpertError> classify(Throwable error, Secrets secrets) {
            HttpResponseException http = ErrorMapping.find(error, HttpResponseException.class);
            if (http == null || http.getResponse() == null) {
                return Optional.empty();
            }
            String body = http.getResponse() instanceof AzureHttpClient.Response r ? r.text() : http.getMessage();
            Optional<Duration> retryAfter = http.getResponse() instanceof AzureHttpClient.Response r
                    ? StatusHttpClient.retryAfter(r.rawHeaders()) : Optional.empty();
            return Optional.of(ErrorMapping.statusError(http.getResponse().getStatusCode(), body, retryAfter, secrets));
        }
    };
}
