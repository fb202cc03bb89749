package dev.maestro.expert;

import com.fasterxml.jackson.core.JacksonException;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import dev.maestro.registry.EnvTemplate;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An expert behind any OpenAI-compatible chat-completions endpoint ({@code backend: openai}: vLLM,
 * Ollama, OpenAI, ...), called through LangChain4j's {@link OpenAiChatModel}.
 *
 * <p>LangChain4j's own retries are off ({@code maxRetries(0)}): every failure comes back as an
 * {@link ExpertReply#failure} with a typed {@link ExpertError} so that {@link RetryingExpert} and
 * the episode see and record it. Status mapping: 429 → RATE_LIMITED, 408 and client timeouts →
 * TIMEOUT, other non-2xx → HTTP_STATUS (message starts with the status code), connection problems →
 * IO, an unreadable 2xx body → BAD_RESPONSE. A server's {@code Retry-After} / {@code retry-after-ms}
 * is kept in the message in the form {@link RetryingExpert#retryAfter} reads.
 *
 * <p>The API key is read from the environment variable named by {@link ModelCard#apiKeyEnv()}; without
 * one a dummy key is sent (local vLLM ignores it). The key never appears in anything this expert returns:
 * completions (200 bodies included) and error bodies that echo it are redacted through {@link Secrets}.
 *
 * <p>Bounds: the model's {@code timeout} is one deadline for the whole call (connect, headers and body: an
 * endpoint that holds the connection after its headers or trickles its body ends as TIMEOUT), and the response
 * body is capped at the model's {@code max-response-bytes} setting (default: {@link Limit#RESPONSE}, 16 MiB);
 * a larger body is a BAD_RESPONSE naming the limit, and is read no further than the cap.
 *
 * <p>The card's {@link RequestSettings} ({@code temperature}, {@code top-p}, {@code max-tokens}, {@code seed},
 * {@code stop}, {@code system-prompt}, {@code headers}, {@code extra-body}) go into every request; where they set a
 * sampling value it overrides the request's {@link ExpertRequest.Sampling}. Header values are templates whose
 * {@code ${VAR}} references are read from the environment here; values read so are secrets, redacted like the key.
 */
public final class OpenAiExpert implements Expert {
    /** Sent when the card names no key variable: OpenAI-compatible local servers accept any key. */
    static final String DUMMY_KEY = "sk-no-key-required";
    /** The backend setting that caps a response body, in bytes (or with k, m, g). */
    public static final String MAX_RESPONSE_BYTES_KEY = "max-response-bytes";
    private static final int MAX_BODY_CHARS = 300;

    private final ModelCard model;
    private final OpenAiChatModel chat;
    private final Secrets secrets;

    private OpenAiExpert(ModelCard model, OpenAiChatModel chat, Secrets secrets) {
        this.model = model;
        this.chat = chat;
        this.secrets = secrets;
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
        String key = DUMMY_KEY;
        if (model.apiKeyEnv().isPresent()) {
            String var = model.apiKeyEnv().get();
            key = env.get(var).orElseThrow(() -> new MaestroException("model '" + model.id()
                    + "': environment variable " + var + " (api-key-env) is not set; set it or remove api-key-env"
                    + " for endpoints without keys"));
        }
        List<String> secrets = new ArrayList<>();
        secrets.add(key);
        Map<String, String> headers = headers(model, env, secrets);
        long maxBytes = maxResponseBytes(model);
        OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                .httpClientBuilder(new StatusHttpClient.Builder(model.timeout(), maxBytes, cap -> "the response body of "
                        + "model '" + model.id() + "' is larger than " + Limit.human(cap) + " (" + MAX_RESPONSE_BYTES_KEY
                        + "); set " + MAX_RESPONSE_BYTES_KEY + ": <bytes, e.g. 64m> on the model in models.yaml to raise"
                        + " it (default " + Limit.human(Limit.RESPONSE.defaultBytes()) + ", or " + Limit.RESPONSE.variable()
                        + " for every model)"))
                .baseUrl(baseUrl)
                .apiKey(key)
                .modelName(model.modelName().orElse(model.id()))
                .timeout(model.timeout())
                .maxRetries(0);
        if (!headers.isEmpty()) {
            builder.customHeaders(headers);
        }
        return new OpenAiExpert(model, builder.build(), Secrets.of(secrets));
    }

    /**
     * The model's response cap: its {@value #MAX_RESPONSE_BYTES_KEY} setting, else {@link Limit#RESPONSE}.
     *
     * @throws MaestroException if the setting is not a positive size
     */
    static long maxResponseBytes(ModelCard model) {
        Object v = model.settings().get(MAX_RESPONSE_BYTES_KEY);
        if (v == null) {
            return Limit.RESPONSE.bytes();
        }
        return Limit.parse("model '" + model.id() + "': " + MAX_RESPONSE_BYTES_KEY, String.valueOf(v));
    }

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
        long start = System.nanoTime();
        List<Content> contents = new ArrayList<>();
        contents.add(TextContent.from(request.prompt()));
        for (Path image : request.images()) {
            Optional<String> mime = mimeType(image);
            if (mime.isEmpty()) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "unsupported image type: "
                        + image.getFileName() + "; valid extensions: png, jpg, jpeg, gif, webp, bmp"), 0);
            }
            try {
                String b64 = Base64.getEncoder().encodeToString(BoundedFiles.readBytes(image, Limit.IMAGE));
                contents.add(ImageContent.from(Image.builder().base64Data(b64).mimeType(mime.get()).build()));
            } catch (LimitExceededException e) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, e.getMessage()), 0);
            } catch (NoSuchFileException e) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "image not found: " + image), 0);
            } catch (IOException e) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST,
                        "cannot read image " + image + ": " + e.getMessage()), 0);
            }
        }
        ExpertRequest.Sampling s = request.sampling();
        RequestSettings rs = model.request();
        OpenAiChatRequestParameters.Builder params = OpenAiChatRequestParameters.builder()
                .temperature(rs.temperature().orElse(s.temperature()))
                .maxOutputTokens(rs.maxTokens().orElse(s.maxTokens()));
        rs.topP().ifPresent(params::topP);
        if (!rs.stop().isEmpty()) {
            params.stopSequences(rs.stop());
        }
        if (!rs.extraBody().isEmpty()) {
            params.customParameters(rs.extraBody());
        }
        Optional<Long> seedSetting = rs.seed().or(s::seed);
        if (seedSetting.isPresent()) {
            long seed = seedSetting.get();
            if (seed < Integer.MIN_VALUE || seed > Integer.MAX_VALUE) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST,
                        "seed " + seed + " does not fit the endpoint's 32-bit seed; use a value in int range"), 0);
            }
            params.seed((int) seed);
        }
        List<ChatMessage> messages = new ArrayList<>();
        rs.systemPrompt().ifPresent(p -> messages.add(SystemMessage.from(p)));
        messages.add(UserMessage.from(contents));
        ChatRequest chatRequest = ChatRequest.builder()
                .messages(messages)
                .parameters(params.build())
                .build();
        try {
            ChatResponse response = chat.chat(chatRequest);
            double ms = elapsedMs(start);
            AiMessage ai = response.aiMessage();
            if (ai == null || ai.text() == null) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.BAD_RESPONSE,
                        "the completion had no text content (finish reason " + response.finishReason() + ")"), ms);
            }
            Usage usage = usage(response.tokenUsage());
            // an endpoint may echo the key in a completion as well as in an error body
            return ExpertReply.text(secrets.redact(ai.text()), usage,
                    model.price().cost(usage.inputTokens(), usage.outputTokens()), ms);
        } catch (RuntimeException e) {
            return ExpertReply.failure(classify(e, model.timeout(), secrets), elapsedMs(start));
        }
    }

    private static Usage usage(TokenUsage u) {
        if (u == null) {
            return Usage.NONE;
        }
        long in = u.inputTokenCount() == null ? 0 : u.inputTokenCount();
        long out = u.outputTokenCount() == null ? 0 : u.outputTokenCount();
        return new Usage(in, out);
    }

    /** Mime type from the file extension; images are sent as {@code data:<mime>;base64,...} URLs. */
    static Optional<String> mimeType(Path image) {
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        return Optional.ofNullable(switch (ext) {
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            case "bmp" -> "image/bmp";
            default -> null;
        });
    }

    /** Maps whatever LangChain4j threw to a typed error; the secrets are redacted from every message. */
    static ExpertError classify(Throwable error, Duration timeout, Secrets secrets) {
        LimitExceededException limit = find(error, LimitExceededException.class);
        if (limit != null) { // not retryable: the same endpoint would send the same body again
            return ExpertError.of(ExpertError.Kind.BAD_RESPONSE, secrets.redact(limit.getMessage()));
        }
        StatusHttpClient.StatusException status = find(error, StatusHttpClient.StatusException.class);
        if (status != null) {
            return statusError(status.status(), status.getMessage(), status.retryAfter(), secrets);
        }
        HttpException http = find(error, HttpException.class);
        if (http != null) {
            return statusError(http.statusCode(), http.getMessage(), Optional.empty(), secrets);
        }
        if (find(error, HttpTimeoutException.class) != null
                || find(error, dev.langchain4j.exception.TimeoutException.class) != null
                || find(error, java.net.SocketTimeoutException.class) != null) {
            return ExpertError.of(ExpertError.Kind.TIMEOUT, "no response within " + timeout.toMillis()
                    + " ms (the model's timeout bounds connect, headers and body)");
        }
        IOException io = find(error, IOException.class);
        if (io != null && !(io instanceof JacksonException)) {
            return ExpertError.of(ExpertError.Kind.IO, clean(io.getClass().getSimpleName() + ": " + io.getMessage(), secrets));
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return ExpertError.of(ExpertError.Kind.BAD_RESPONSE, clean("could not read the completion: "
                + root.getClass().getSimpleName() + ": " + root.getMessage(), secrets));
    }

    private static ExpertError statusError(int status, String body, Optional<Duration> retryAfter, Secrets secrets) {
        String ra = retryAfter.map(RetryingExpert::retryAfterNote).orElse("");
        String text = status + " " + reason(status) + ra + ": " + clean(body, secrets);
        ExpertError.Kind kind = switch (status) {
            case 429 -> ExpertError.Kind.RATE_LIMITED;
            case 408 -> ExpertError.Kind.TIMEOUT;
            default -> ExpertError.Kind.HTTP_STATUS;
        };
        return ExpertError.of(kind, text);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Payload Too Large";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP status";
        };
    }

    /** One line, bounded, and never the key (servers such as OpenAI echo a masked or full key back). */
    static String clean(String text, Secrets secrets) {
        String t = secrets.redact(text == null ? "" : text);
        t = t.replaceAll("\\s+", " ").trim();
        if (t.length() > MAX_BODY_CHARS) {
            t = t.substring(0, MAX_BODY_CHARS) + "...";
        }
        return t;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < 16; depth++) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return null;
    }

    private static double elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    @Override
    public String toString() {
        return "OpenAiExpert[" + model.id() + " @ " + model.baseUrl().orElse("?") + "]";
    }
}
