package dev.maestro.expert;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.maestro.MaestroException;
import dev.maestro.registry.EnvTemplate;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An expert behind any OpenAI-compatible chat-completions endpoint ({@code backend: openai}: vLLM,
 * Ollama's /v1, OpenAI, ...), called through LangChain4j's {@link OpenAiChatModel} over our {@link StatusHttpClient}.
 *
 * <p>LangChain4j's own retries are off ({@code maxRetries(0)}): every failure comes back as an
 * {@link ExpertReply#failure} with a typed {@link ExpertError} (see {@link ErrorMapping}) so that
 * {@link RetryingExpert} and the episode see and record it.
 *
 * <p>The API key is read from the environment variable named by {@link ModelCard#apiKeyEnv()}; without
 * one a dummy key is sent (local vLLM ignores it). The key never appears in anything this expert returns:
 * completions (200 bodies included) and error bodies that echo it are redacted through {@link Secrets}.
 *
 * <p>Bounds: the model's {@code timeout} is one deadline for the whole call (connect, headers and body), and the
 * response body is capped at the model's {@code max-response-bytes} (default 16 MiB); see {@link LiveExpert}.
 *
 * <p>The card's {@link RequestSettings} ({@code temperature}, {@code top-p}, {@code max-tokens}, {@code seed},
 * {@code stop}, {@code system-prompt}, {@code headers}, {@code extra-body}) go into every request; where they set a
 * sampling value it overrides the request's {@link ExpertRequest.Sampling}. A request's chat history (a served
 * conversation) goes as messages after the card's system prompt and before the prompt. Header values are templates whose
 * {@code ${VAR}} references are read from the environment here; values read so are secrets, redacted like the key.
 * The call itself is {@link LiveExpert}'s, shared with the native provider backends.
 */
public final class OpenAiExpert implements Expert {
    /** Sent when the card names no key variable: OpenAI-compatible local servers accept any key. */
    static final String DUMMY_KEY = "sk-no-key-required";
    /** The setting that caps a response body, in bytes (or with k, m, g); every live backend reads it. */
    public static final String MAX_RESPONSE_BYTES_KEY = LiveExpert.MAX_RESPONSE_BYTES_KEY;

    private final ModelCard model;
    private final LiveExpert live;

    private OpenAiExpert(ModelCard model, LiveExpert live) {
        this.model = model;
        this.live = live;
    }

    /** Reads the API key from the process environment. */
    public static OpenAiExpert create(ModelCard model) {
        return create(model, EnvLookup.system());
    }

    /**
     * @throws MaestroException if the card has no base URL, or names a key variable that is not set
     */
    public static OpenAiExpert create(ModelCard model, EnvLookup env) {
        String baseUrl = model.baseUrl().orElseThrow(() -> new MaestroException(
                "model '" + model.id() + "' (backend openai) needs 'base-url', e.g. http://127.0.0.1:8000/v1"));
        String key = LiveExpert.apiKey(model, env, false).orElse(DUMMY_KEY);
        List<String> secrets = new ArrayList<>();
        secrets.add(key);
        Map<String, String> headers = headers(model, env, secrets);
        OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                .httpClientBuilder(LiveExpert.httpClient(model))
                .baseUrl(baseUrl)
                .apiKey(key)
                .modelName(LiveExpert.modelName(model))
                .timeout(model.timeout())
                .maxRetries(0);
        if (!headers.isEmpty()) {
            builder.customHeaders(headers);
        }
        return new OpenAiExpert(model, new LiveExpert(model, builder.build(), DIALECT, secrets,
                "OpenAiExpert[" + model.id() + " @ " + baseUrl + "]"));
    }

    /** Chat-completions parameters: every request setting, the seed and extra body fields included. */
    private static final LiveExpert.Dialect DIALECT = new LiveExpert.Dialect() {
        @Override
        public Set<String> imageTypes() {
            return LiveExpert.ALL_IMAGES; // sent as data: URLs; which types a server decodes is its business
        }

        @Override
        public ChatRequestParameters parameters(ExpertRequest request, RequestSettings rs) {
            ExpertRequest.Sampling s = request.sampling();
            OpenAiChatRequestParameters.Builder params = LiveExpert.sampling(OpenAiChatRequestParameters.builder(), request, rs);
            if (!rs.extraBody().isEmpty()) {
                params.customParameters(rs.extraBody());
            }
            Optional<Long> seed = rs.seed().or(s::seed);
            seed.ifPresent(v -> params.seed(LiveExpert.intSeed(v)));
            return params.build();
        }
    };

    /** The card's headers with {@code ${VAR}} read from {@code env}; every value read is added to {@code secrets}. */
    static Map<String, String> headers(ModelCard model, EnvLookup env, List<String> secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        model.request().headers().forEach((name, template) -> {
            EnvTemplate.Resolved r = EnvTemplate.resolve(template, env::get);
            if (!r.missing().isEmpty()) {
                throw new MaestroException("model '" + model.id() + "': header '" + name + "' needs environment variable"
                        + (r.missing().size() > 1 ? "s " : " ") + String.join(", ", r.missing())
                        + ", which is not set; set it, or write ${NAME:-default} in headers");
            }
            secrets.addAll(r.secrets());
            out.put(name, r.value());
        });
        return out;
    }

    public ModelCard model() {
        return model;
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        return live.call(request);
    }

    @Override
    public String toString() {
        return live.toString();
    }
}
