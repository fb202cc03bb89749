package dev.maestro.expert;

import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import dev.maestro.task.ChatContext;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * The part every live backend shares ({@code openai}, {@code anthropic}, {@code gemini}, {@code azure-openai},
 * {@code ollama}): the card's system prompt, then a served conversation's earlier turns (with their images), then the
 * prompt and images as one user message; the provider's
 * LangChain4j {@link ChatModel} is called once (its own retries are off: {@link RetryingExpert} retries and records),
 * usage becomes cost from the card's price, and whatever was thrown becomes a typed {@link ExpertError} through
 * {@link ErrorMapping} with the secrets redacted. What differs per provider is its {@link Dialect}: which image types
 * it takes, how the sampling settings become request parameters, and how its own client's errors read.
 */
final class LiveExpert implements Expert {
    /** What differs between providers. */
    interface Dialect {
        /** Image mime types the provider takes. */
        Set<String> imageTypes();

        /**
         * The request parameters for one call: the card's settings where set, else the caller's sampling.
         *
         * @throws InvalidRequest when the request cannot be sent to this provider as asked
         */
        ChatRequestParameters parameters(ExpertRequest request, RequestSettings settings);

        /** A provider-specific reading of an error (before the common one), e.g. the Azure SDK's exceptions. */
        default Optional<ExpertError> classify(Throwable error, Secrets secrets) {
            return Optional.empty();
        }
    }

    /** A request this provider cannot take as asked; becomes an INVALID_REQUEST failure. */
    static final class InvalidRequest extends RuntimeException {
        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }

    private final ModelCard model;
    private final ChatModel chat;
    private final Dialect dialect;
    private final Secrets secrets;
    private final String label;

    /** {@code label} names the backend in {@link #toString()}, e.g. {@code GeminiExpert[id @ url]}. */
    LiveExpert(ModelCard model, ChatModel chat, Dialect dialect, List<String> secrets, String label) {
        this.model = model;
        this.chat = chat;
        this.dialect = dialect;
        this.secrets = Secrets.of(secrets);
        this.label = label;
    }

    ModelCard model() {
        return model;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * The sampling every provider takes: the card's temperature, max tokens, top-p and stop where set (the registry
     * author knows the endpoint), else the caller's.
     */
    static <B extends DefaultChatRequestParameters.Builder<?>> B sampling(B p, ExpertRequest request, RequestSettings rs) {
        ExpertRequest.Sampling s = request.sampling();
        p.temperature(rs.temperature().orElse(s.temperature()));
        p.maxOutputTokens(rs.maxTokens().orElse(s.maxTokens()));
        rs.topP().or(s::topP).ifPresent(p::topP);
        List<String> stop = rs.stop().isEmpty() ? s.stop() : rs.stop();
        if (!stop.isEmpty()) {
            p.stopSequences(stop);
        }
        return p;
    }

    /** The setting that caps a response body, in bytes (or with k, m, g). */
    static final String MAX_RESPONSE_BYTES_KEY = "max-response-bytes";

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

    /** What a body over the cap fails with: the model, the limit, and how to raise it. */
    private static LongFunction<String> tooLarge(ModelCard model) {
        return cap -> "the response body of model '" + model.id() + "' is larger than " + Limit.human(cap) + " ("
                + MAX_RESPONSE_BYTES_KEY + "); set " + MAX_RESPONSE_BYTES_KEY + ": <bytes, e.g. 64m> on the model in "
                + "models.yaml to raise it (default " + Limit.human(Limit.RESPONSE.defaultBytes()) + ", or "
                + Limit.RESPONSE.variable() + " for every model)";
    }

    /**
     * The HTTP client LangChain4j's provider modules get: the model's timeout as one deadline for connect, headers
     * and body, and its response cap.
     */
    static StatusHttpClient.Builder httpClient(ModelCard model) {
        return new StatusHttpClient.Builder(model.timeout(), maxResponseBytes(model), tooLarge(model));
    }

    /** The same bounds for the Azure SDK's transport ({@link AzureHttpClient}). */
    static StatusHttpClient azureTransport(ModelCard model) {
        return StatusHttpClient.create(model.timeout(), maxResponseBytes(model), tooLarge(model));
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        long start = System.nanoTime();
        ChatRequestParameters params;
        List<ChatMessage> messages = new ArrayList<>();
        try {
            params = dialect.parameters(request, model.request());
            model.request().systemPrompt().ifPresent(p -> messages.add(SystemMessage.from(p)));
            for (ChatContext.Message m : request.history()) {
                addHistory(messages, m);
            }
            List<Content> contents = new ArrayList<>();
            contents.add(TextContent.from(request.prompt()));
            addImages(contents, request.images());
            messages.add(UserMessage.from(contents));
        } catch (InvalidRequest e) {
            return invalid(e.getMessage());
        }
        ChatRequest chatRequest = ChatRequest.builder().messages(messages).parameters(params).build();
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
            ExpertError error = dialect.classify(e, secrets)
                    .orElseGet(() -> ErrorMapping.classify(e, model.timeout(), secrets));
            return ExpertReply.failure(error, elapsedMs(start));
        }
    }

    /** The images as base64 parts in the provider's accepted types. */
    private void addImages(List<Content> contents, List<Path> images) {
        for (Path image : images) {
            Optional<String> mime = mimeType(image).filter(dialect.imageTypes()::contains);
            if (mime.isEmpty()) {
                throw new InvalidRequest("unsupported image type for the " + model.backend().id() + " backend: "
                        + image.getFileName() + "; valid: " + String.join(", ", extensions(dialect.imageTypes())));
            }
            try {
                String b64 = Base64.getEncoder().encodeToString(BoundedFiles.readBytes(image, Limit.IMAGE));
                contents.add(ImageContent.from(Image.builder().base64Data(b64).mimeType(mime.get()).build()));
            } catch (LimitExceededException e) {
                throw new InvalidRequest(e.getMessage());
            } catch (NoSuchFileException e) {
                throw new InvalidRequest("image not found: " + image);
            } catch (IOException e) {
                throw new InvalidRequest("cannot read image " + image + ": " + e.getMessage());
            }
        }
    }

    /** One earlier message of a served conversation as a chat message (blank system texts are left out). */
    private void addHistory(List<ChatMessage> messages, ChatContext.Message m) {
        switch (m.role()) {
            case SYSTEM -> {
                if (!m.text().isBlank()) {
                    messages.add(SystemMessage.from(m.text()));
                }
            }
            case ASSISTANT -> messages.add(AiMessage.from(m.text()));
            case USER -> {
                List<Content> parts = new ArrayList<>();
                if (!m.text().isEmpty() || m.images().isEmpty()) {
                    parts.add(TextContent.from(m.text()));
                }
                addImages(parts, m.images());
                messages.add(UserMessage.from(parts));
            }
        }
    }

    private static ExpertReply invalid(String message) {
        return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, message), 0);
    }

    /** A seed as the 32-bit integer most APIs take, or an INVALID_REQUEST naming the range. */
    static int intSeed(long seed) {
        if (seed < Integer.MIN_VALUE || seed > Integer.MAX_VALUE) {
            throw new InvalidRequest("seed " + seed + " does not fit the endpoint's 32-bit seed; use a value in int range");
        }
        return (int) seed;
    }

    static Usage usage(TokenUsage u) {
        if (u == null) {
            return Usage.NONE;
        }
        long in = u.inputTokenCount() == null ? 0 : u.inputTokenCount();
        long out = u.outputTokenCount() == null ? 0 : u.outputTokenCount();
        return new Usage(in, out);
    }

    /** Every image type any backend takes. */
    static final Set<String> ALL_IMAGES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp");

    /** Mime type from the file extension; images are sent base64-encoded in the provider's form. */
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

    private static List<String> extensions(Set<String> types) {
        Set<String> out = new TreeSet<>();
        for (String t : types) {
            String ext = t.substring(t.indexOf('/') + 1);
            out.add(ext);
            if (ext.equals("jpeg")) {
                out.add("jpg");
            }
        }
        return List.copyOf(out);
    }

    /**
     * The API key from the variable the card names. Without {@code api-key-env}: {@code fallback} when the backend
     * works without a key, else an error.
     *
     * @throws MaestroException if the variable is not set, or the backend needs a key and the card names none
     */
    static Optional<String> apiKey(ModelCard model, EnvLookup env, boolean required) {
        if (model.apiKeyEnv().isEmpty()) {
            if (required) {
                throw new MaestroException("model '" + model.id() + "' (backend " + model.backend().id() + ") needs "
                        + "api-key-env: the NAME of the environment variable holding its key");
            }
            return Optional.empty();
        }
        String var = model.apiKeyEnv().get();
        String key = env.get(var).orElseThrow(() -> new MaestroException("model '" + model.id()
                + "': environment variable " + var + " (api-key-env) is not set; set it"
                + (required ? "" : ", or remove api-key-env for endpoints without keys")));
        return Optional.of(key);
    }

    /** The model name sent to the provider: {@code model-name}, else the id. */
    static String modelName(ModelCard model) {
        return model.modelName().orElse(model.id());
    }

    private static double elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
