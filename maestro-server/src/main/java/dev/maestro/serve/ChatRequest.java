package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.maestro.episode.CostEstimate;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.task.ChatContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A parsed {@code POST /v1/chat/completions} body. Parsing is separate from HTTP so it can be fuzzed directly:
 * any body gives a request or an {@link ApiError} (400, or 404 for another model) whose message names the field;
 * never another exception, which the server would turn into a 500.
 *
 * <p>The last message must be the user's: its text is the question and its images the task's images (a follow-up
 * without images borrows those of the latest earlier message that had some, so tools still see the picture under
 * discussion). Every earlier message becomes the conversation ({@link ChatContext}) that experts receive. A field
 * this server does not implement ({@code tools}, {@code n > 1}, {@code response_format} other than text, …) is a
 * 400 {@code unsupported_parameter} naming it, never silently ignored (docs/serve.md lists them).
 *
 * @param stream       {@code "stream": true}
 * @param budget       the episode limits: the server defaults overridden by the request's knobs ({@link RequestKnobs})
 * @param question     text of the last (user) message
 * @param seed         {@code "seed"}: the episode's seed, also sent to the experts
 * @param chat         the conversation before the question and the client's sampling request
 * @param images       the task's images
 * @param promptTokens the estimated prompt tokens of the whole request (checked against the cap)
 * @param costWeight   {@code maestro.cost_weight} / {@code X-Maestro-Cost-Weight}
 * @param cache        whether the record/replay cache may answer (and record) this request's calls
 */
record ChatRequest(boolean stream, EpisodeConfig budget, String question, Optional<Long> seed, ChatContext chat,
                   List<Path> images, long promptTokens, Optional<Double> costWeight, boolean cache) {

    /** Default cap on a request's estimated prompt tokens. */
    static final long DEFAULT_MAX_PROMPT_TOKENS = 32_768;

    /** Top-level fields understood; any other non-null field is unsupported. */
    static final List<String> FIELDS = List.of("model", "messages", "stream", "stream_options", "temperature", "top_p",
            "max_tokens", "max_completion_tokens", "stop", "seed", "n", "user", "maestro", "logprobs", "presence_penalty",
            "frequency_penalty", "logit_bias", "response_format", "store", "metadata");

    /**
     * What the server allows; {@code model} is the one name served.
     *
     * @param maxPromptTokens cap on a request's estimated prompt tokens (characters / 4 + 765 per image)
     */
    record Limits(String model, EpisodeConfig defaults, int maxCallsCap, double maxCostCap, long maxPromptTokens) {
        Limits(String model, EpisodeConfig defaults, int maxCallsCap, double maxCostCap) {
            this(model, defaults, maxCallsCap, maxCostCap, DEFAULT_MAX_PROMPT_TOKENS);
        }
    }

    static ChatRequest parse(byte[] body, Limits limits, ImageInputs.Batch imgs) {
        return parse(body, limits, imgs, h -> Optional.empty());
    }

    /**
     * @param headers request header by name (case-insensitive), for the {@code X-Maestro-*} knobs
     */
    static ChatRequest parse(byte[] body, Limits limits, ImageInputs.Batch imgs, Function<String, Optional<String>> headers) {
        Optional<ChatRequest> plain = plain(body, limits, headers);
        return plain.isPresent() ? plain.get() : parseTree(body, limits, imgs, headers);
    }

    /**
     * The common body read with a streaming parser, without a JSON tree (the tree was about half of parsing's CPU in
     * the profile of a cache hit): only {@code model}, {@code stream} and {@code messages} whose {@code content} is a
     * string, each field once and no nulls. Anything else, and anything invalid, gives empty and {@link #parseTree}
     * reads the body again, so every error and its message come from one place (ChatRequestPlainTest compares both).
     */
    static Optional<ChatRequest> plain(byte[] body, Limits limits, Function<String, Optional<String>> headers) {
        try (JsonParser p = EpisodeJson.MAPPER.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            boolean model = false;
            Boolean stream = null;
            List<Parsed> messages = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                switch (f) {
                    case "model" -> {
                        if (model || v != JsonToken.VALUE_STRING || !p.getText().equals(limits.model())) {
                            return Optional.empty();
                        }
                        model = true;
                    }
                    case "stream" -> {
                        if (stream != null || !v.isBoolean()) {
                            return Optional.empty();
                        }
                        stream = v == JsonToken.VALUE_TRUE;
                    }
                    case "messages" -> {
                        if (messages != null || v != JsonToken.START_ARRAY || (messages = plainMessages(p)) == null) {
                            return Optional.empty();
                        }
                    }
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null || !model || messages == null) {
                return Optional.empty();
            }
            ChatContext.Sampling sampling = SamplingParams.parse(MissingNode.getInstance());
            RequestKnobs knobs = RequestKnobs.parse(MissingNode.getInstance(), headers, limits);
            return Optional.of(request(stream != null && stream, sampling, knobs, messages, limits, Optional.empty()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // invalid, or an ApiError: the tree parser says which, as it always did
        }
    }

    /** The messages of {@link #plain}, or null when one is not a {role, content: string[, name: string]} object. */
    private static List<Parsed> plainMessages(JsonParser p) throws IOException {
        List<Parsed> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String role = null;
            String content = null;
            boolean name = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                switch (f) {
                    case "role" -> {
                        if (role != null) {
                            return null;
                        }
                        role = p.getText();
                    }
                    case "content" -> {
                        if (content != null) {
                            return null;
                        }
                        content = p.getText();
                    }
                    case "name" -> {
                        if (name) {
                            return null;
                        }
                        name = true;
                    }
                    default -> {
                        return null;
                    }
                }
            }
            if (role == null || content == null) {
                return null;
            }
            ChatContext.Role r = switch (role) {
                case "system", "developer" -> ChatContext.Role.SYSTEM;
                case "user" -> ChatContext.Role.USER;
                case "assistant" -> ChatContext.Role.ASSISTANT;
                default -> null;
            };
            if (r == null) {
                return null;
            }
            out.add(new Parsed(r, content, List.of()));
        }
        if (t != JsonToken.END_ARRAY || out.isEmpty() || out.get(out.size() - 1).role != ChatContext.Role.USER
                || out.get(out.size() - 1).text.isBlank()) {
            return null;
        }
        return out;
    }

    /** The body read as a JSON tree: every shape, every error. */
    static ChatRequest parseTree(byte[] body, Limits limits, ImageInputs.Batch imgs, Function<String, Optional<String>> headers) {
        JsonNode n = json(body);
        JsonNode model = n.path("model");
        if (!model.isTextual()) {
            throw ApiError.badParam("missing_model", "model", "field 'model' is required");
        }
        if (!model.asText().equals(limits.model())) {
            throw ApiError.notFound("model_not_found", "The model '" + ImageInputs.abbreviate(model.asText())
                    + "' does not exist; available: " + limits.model());
        }
        unsupported(n);
        JsonNode streamNode = n.path("stream");
        if (!absent(streamNode) && !streamNode.isBoolean()) {
            throw ApiError.badParam("invalid_parameter", "stream", "'stream' must be true or false");
        }
        boolean stream = streamNode.asBoolean(false);
        ChatContext.Sampling sampling = SamplingParams.parse(n);
        RequestKnobs knobs = RequestKnobs.parse(n.path("maestro"), headers, limits);
        List<Parsed> messages = messages(n.path("messages"));
        return request(stream, sampling, knobs, messages, limits, Optional.of(imgs));
    }

    /** The request from its parsed parts; {@code imgs}: where image URLs are decoded (empty: the messages have none). */
    private static ChatRequest request(boolean stream, ChatContext.Sampling sampling, RequestKnobs knobs, List<Parsed> messages,
                                       Limits limits, Optional<ImageInputs.Batch> imgs) {
        long tokens = 0;
        for (Parsed p : messages) {
            tokens += CostEstimate.tokens(p.text) + 4 + (long) CostEstimate.TOKENS_PER_IMAGE * p.urls.size();
        }
        if (tokens > limits.maxPromptTokens()) {
            throw ApiError.badParam("prompt_too_long", "messages", String.format(Locale.ROOT,
                    "the messages are estimated at %,d prompt tokens (characters / 4 + %d per image), over the cap of "
                            + "%,d per request; shorten the conversation, or start the server with a larger "
                            + "--max-prompt-tokens", tokens, CostEstimate.TOKENS_PER_IMAGE, limits.maxPromptTokens()));
        }
        // images are decoded only now: nothing of an over-long request is stored
        List<List<Path>> files = new ArrayList<>();
        for (Parsed p : messages) {
            if (p.urls.isEmpty()) {
                files.add(List.of());
                continue;
            }
            ImageInputs.Batch batch = imgs.orElseThrow();
            int before = batch.files().size();
            for (String[] u : p.urls) {
                batch.add(u[0], u[1]);
            }
            files.add(List.copyOf(batch.files().subList(before, batch.files().size())));
        }
        int last = messages.size() - 1;
        List<Path> taskImages = files.get(last);
        int borrowedFrom = -1;
        for (int i = last - 1; i >= 0 && taskImages.isEmpty(); i--) {
            if (!files.get(i).isEmpty()) {
                taskImages = files.get(i);
                borrowedFrom = i;
            }
        }
        List<ChatContext.Message> history = new ArrayList<>();
        for (int i = 0; i < last; i++) {
            // borrowed images come with the rendered prompt: not sent a second time with their message
            history.add(new ChatContext.Message(messages.get(i).role, messages.get(i).text,
                    i == borrowedFrom ? List.of() : files.get(i)));
        }
        Optional<Long> seed = sampling.seed();
        return new ChatRequest(stream, knobs.budget(), messages.get(last).text, seed, ChatContext.of(history, sampling),
                taskImages, tokens, knobs.costWeight(), knobs.cache());
    }

    /** The body as a JSON object, or 400 {@code invalid_json} naming where it broke. */
    static JsonNode json(byte[] body) {
        try {
            JsonNode n = EpisodeJson.MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("invalid_json", "request body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            // limits such as nesting depth come without a location
            JsonLocation at = e.getLocation();
            throw ApiError.badRequest("invalid_json", "request body is not valid JSON"
                    + (at == null ? " (" + ImageInputs.abbreviate(e.getOriginalMessage()) + ")"
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw ApiError.badRequest("invalid_json", "request body is not valid JSON");
        }
    }

    static boolean absent(JsonNode v) {
        return v == null || v.isMissingNode() || v.isNull();
    }

    /** 400 for a field outside {@link #FIELDS}, and for supported fields set to values this server cannot honour. */
    private static void unsupported(JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!FIELDS.contains(e.getKey()) && !absent(e.getValue())) {
                String name = ImageInputs.abbreviate(e.getKey());
                throw ApiError.unsupported(name, "parameter '" + name + "' is not supported by this server"
                        + (e.getKey().startsWith("tool") || e.getKey().startsWith("function") || e.getKey().equals("parallel_tool_calls")
                        ? " (Maestro answers with text; it does not call client tools)" : "")
                        + "; supported: " + String.join(", ", FIELDS) + " (docs/serve.md)");
            }
        }
        JsonNode count = n.path("n");
        if (!absent(count) && !(count.isIntegralNumber() && count.asLong() == 1)) {
            throw ApiError.unsupported("n", "parameter 'n' must be 1: one episode answers one request (got "
                    + ImageInputs.abbreviate(count.toString()) + ")");
        }
        requireDefault(n, "logprobs", v -> v.isBoolean() && !v.asBoolean(), "false");
        requireDefault(n, "presence_penalty", v -> v.isNumber() && v.asDouble() == 0, "0");
        requireDefault(n, "frequency_penalty", v -> v.isNumber() && v.asDouble() == 0, "0");
        requireDefault(n, "logit_bias", v -> v.isObject() && v.isEmpty(), "{}");
        requireDefault(n, "store", v -> v.isBoolean() && !v.asBoolean(), "false");
        requireDefault(n, "metadata", v -> v.isObject() && v.isEmpty(), "{}");
        requireDefault(n, "response_format", v -> v.path("type").asText("").equals("text"), "{\"type\": \"text\"}");
        JsonNode so = n.path("stream_options");
        if (!absent(so) && !so.isObject()) {
            throw ApiError.badParam("invalid_parameter", "stream_options", "'stream_options' must be an object");
        }
    }

    private static void requireDefault(JsonNode n, String field, Predicate<JsonNode> ok, String only) {
        JsonNode v = n.path(field);
        if (!absent(v) && !ok.test(v)) {
            throw ApiError.unsupported(field, "parameter '" + field + "' is not supported by this server (only "
                    + only + " is accepted; got " + ImageInputs.abbreviate(v.toString()) + ")");
        }
    }

    /** One message as read: its role, text and the image URLs of its parts (with the field each came from). */
    private record Parsed(ChatContext.Role role, String text, List<String[]> urls) {
    }

    private static List<Parsed> messages(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.badParam("invalid_messages", "messages", "'messages' must be a non-empty array of {role, content}");
        }
        List<Parsed> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(messages.get(i), "messages[" + i + "]"));
        }
        Parsed last = out.get(out.size() - 1);
        if (last.role != ChatContext.Role.USER) {
            throw ApiError.badParam("invalid_messages", "messages", "the last message must be the user's: it is the "
                    + "question (got a " + last.role.id() + " message last)");
        }
        if (last.text.isBlank()) {
            throw ApiError.badParam("invalid_messages", "messages", "no user message with text: the last user message is the question");
        }
        return out;
    }

    private static Parsed message(JsonNode m, String where) {
        if (!m.isObject()) {
            throw ApiError.badParam("invalid_messages", where, where + " must be an object {role, content}");
        }
        String roleName = m.path("role").asText("");
        if (roleName.isEmpty()) {
            throw ApiError.badParam("invalid_messages", where + ".role", where + ".role is required");
        }
        ChatContext.Role role = switch (roleName) {
            case "system", "developer" -> ChatContext.Role.SYSTEM;
            case "user" -> ChatContext.Role.USER;
            case "assistant" -> ChatContext.Role.ASSISTANT;
            case "tool", "function" -> throw ApiError.unsupported(where + ".role", where + ".role '" + roleName
                    + "' is not supported: this server does not call client tools; roles: system, developer, user, assistant");
            default -> throw ApiError.badParam("invalid_messages", where + ".role", where + ".role '"
                    + ImageInputs.abbreviate(roleName) + "' is not a role; roles: system, developer, user, assistant");
        };
        for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("role") && !f.equals("content") && !f.equals("name") && !absent(m.get(f))) {
                throw ApiError.unsupported(where + "." + ImageInputs.abbreviate(f), where + "." + ImageInputs.abbreviate(f)
                        + " is not supported (a message has role, content and an optional name)");
            }
        }
        JsonNode content = m.path("content");
        StringBuilder text = new StringBuilder();
        List<String[]> urls = new ArrayList<>();
        if (content.isTextual()) {
            text.append(content.asText());
        } else if (content.isArray()) {
            for (int j = 0; j < content.size(); j++) {
                JsonNode part = content.get(j);
                String field = where + ".content[" + j + "]";
                String type = part.path("type").asText("");
                if (type.equals("text")) {
                    if (text.length() > 0) {
                        text.append('\n');
                    }
                    text.append(part.path("text").asText(""));
                } else if (type.equals("image_url")) {
                    JsonNode u = part.path("image_url");
                    String url = u.isTextual() ? u.asText() : u.path("url").asText("");
                    if (url.isEmpty()) {
                        throw ApiError.badParam("invalid_image_url", field + ".image_url.url", field + ".image_url.url is required");
                    }
                    urls.add(new String[] {url, field});
                } else {
                    throw ApiError.badParam("unsupported_content", field, field + ": content part type '"
                            + ImageInputs.abbreviate(type) + "' is not supported; use 'text' or 'image_url'");
                }
            }
        } else if (!absent(content)) {
            throw ApiError.badParam("invalid_messages", where + ".content", where + ".content must be a string or an array of parts");
        }
        return new Parsed(role, text.toString(), urls);
    }
}
