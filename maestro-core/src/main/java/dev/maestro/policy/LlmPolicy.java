package dev.maestro.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.expert.EnvLookup;
import dev.maestro.expert.Secrets;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.BoundedHttp;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.ProtocolError;
import dev.maestro.protocol.ProtocolFormatter;
import dev.maestro.protocol.ProtocolParser;
import dev.maestro.task.Task;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The paper's orchestrator: an LLM behind any OpenAI-compatible chat endpoint (e.g. the released
 * Maestro-4B on vLLM) that writes {@code <search> MODEL@@SKILL: INPUT </search>} and
 * {@code <answer> … </answer>} and reads {@code <information> … </information>} blocks.
 *
 * <p>Per episode it keeps a multi-turn chat ({@link LlmConversation}, stored at index 0 of the
 * episode's notes, so this object is stateless and thread-safe): a system prompt from
 * {@link SystemPrompts}, the task as the first user message (with the images as data URLs when
 * allowed), then per turn the model's text and a user message with the previous turn's observations,
 * escaped, including errors, so the model can correct itself.
 *
 * <p>Generation stops at {@code </search>} or {@code </answer>}; servers such as vLLM drop the stop
 * string from the text, so it is put back before parsing. An endpoint that fails (after bounded
 * retries for 429 and 5xx, honouring {@code Retry-After}) makes the turn {@link Action.Malformed}
 * with the reason; the engine records it and the episode goes on. The API key is read from the
 * environment variable named in the builder through an injectable {@link EnvLookup} and never
 * appears in an error, a trace or {@link #toString()}.
 */
public final class LlmPolicy implements Policy {
    /** The stop sequences of the paper's protocol: generation ends right after one action block. */
    public static final List<String> STOP = List.of("</search>", "</answer>");

    /** Expert outputs longer than this are cut to their tail by default. */
    public static final int DEFAULT_MAX_OBSERVATION_CHARS = 4_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ERROR_BODY_CHARS = 200;

    private final URI endpoint;
    private final String modelName;
    private final String name;
    private final Optional<String> apiKeyEnv;
    private final EnvLookup env;
    private final double temperature;
    private final int maxTokens;
    private final Duration timeout;
    private final Optional<Long> seed;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final Duration maxRetryWait;
    private final boolean sendImages;
    private final int maxObservationChars;
    private final boolean turnStatus;
    private final long maxResponseBytes;
    private final HttpClient http;

    private LlmPolicy(Builder b) {
        String base = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
        try {
            this.endpoint = URI.create(base + "/chat/completions");
        } catch (IllegalArgumentException e) {
            throw new MaestroException("llm policy: base URL '" + b.baseUrl + "' is not a URL; expected e.g. http://127.0.0.1:8000/v1");
        }
        if (endpoint.getScheme() == null || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
            throw new MaestroException("llm policy: base URL '" + b.baseUrl + "' must start with http:// or https://");
        }
        this.modelName = b.modelName;
        this.name = b.name.orElse("llm:" + b.modelName);
        this.apiKeyEnv = b.apiKeyEnv;
        this.env = b.env;
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
        this.timeout = b.timeout;
        this.seed = b.seed;
        this.maxRetries = b.maxRetries;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryWait = b.maxRetryWait;
        this.sendImages = b.sendImages;
        this.maxObservationChars = b.maxObservationChars;
        this.turnStatus = b.turnStatus;
        this.maxResponseBytes = b.maxResponseBytes.orElseGet(Limit.RESPONSE::bytes);
        this.http = HttpClient.newBuilder()
                .connectTimeout(b.timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        apiKeyEnv.ifPresent(n -> {
            if (env.get(n).isEmpty()) {
                // A warning would be logged by a server; here a missing key is a configuration error.
                throw new MaestroException("llm policy: environment variable " + n + " (api-key-env) is not set");
            }
        });
    }

    /** A builder for the endpoint at {@code baseUrl} (up to {@code /v1}) serving {@code modelName}. */
    public static Builder builder(String baseUrl, String modelName) {
        return new Builder(baseUrl, modelName);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "llm";
    }

    public String modelName() {
        return modelName;
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        LlmConversation c;
        try {
            c = conversation(view);
        } catch (MaestroException e) {
            return endpointFailure(e.getMessage());
        }
        String feedback = feedback(view, c);
        if (!feedback.isEmpty()) {
            c.add("user", feedback);
        }
        Optional<Long> requestSeed = seed.map(s -> (s * 1_000_003L + rng.nextInt()) & 0x7fffffffL);
        Completion done = complete(c, requestSeed);
        if (done.error().isPresent()) {
            c.endpointFailures++;
            // Nothing goes into the chat: the model wrote nothing, and the same request is sent next turn.
            return endpointFailure(done.error().get());
        }
        String text = done.text();
        c.add("assistant", text);
        ProtocolParser parser = ProtocolParser.builder().registry(view.registry()).build();
        Action action = parser.parse(text);
        if (action instanceof Action.Malformed m) {
            c.pendingErrors = m.errors();
            return m;
        }
        if (action instanceof Action.Answer a) {
            return adopt(a, view.observations());
        }
        return action;
    }

    private static Action endpointFailure(String message) {
        return new Action.Malformed("", List.of(new ProtocolError(ProtocolError.Kind.NO_ACTION,
                "orchestrator endpoint failed: " + message)));
    }

    /** Commits the answer to the latest observation that gave the same answer, so replayed flags can grade it. */
    private static Action adopt(Action.Answer a, List<Observation> observations) {
        String text = a.text().strip();
        for (int i = observations.size() - 1; i >= 0; i--) {
            Observation o = observations.get(i);
            if (o.ok() && o.answer().isPresent() && o.answer().get().strip().equals(text)) {
                return Action.Answer.from(o.index(), text);
            }
        }
        return a;
    }

    private LlmConversation conversation(EpisodeView view) {
        Optional<LlmConversation> existing = LlmConversation.of(view.notes());
        if (existing.isPresent()) {
            return existing.get();
        }
        Task task = view.task();
        List<String> images = sendImages ? dataUrls(task.images()) : List.of();
        LlmConversation c = new LlmConversation(
                SystemPrompts.forRegistry(view.registry(), view.maxTurns(), view.callsLeft()),
                SystemPrompts.userMessage(task, false), images);
        view.notes().addFirst(LlmConversation.NOTE, c);
        c.observationsSeen = view.observations().size();
        return c;
    }

    /** The next user message: the new observations and any errors of the last turn, then where the episode stands. */
    private String feedback(EpisodeView view, LlmConversation c) {
        List<Observation> obs = view.observations();
        List<String> blocks = new ArrayList<>();
        for (int i = c.observationsSeen; i < obs.size(); i++) {
            blocks.add(ProtocolFormatter.information(render(obs.get(i))));
        }
        c.observationsSeen = obs.size();
        if (!c.pendingErrors.isEmpty()) {
            blocks.add(ProtocolFormatter.information(ProtocolFormatter.errorObservation(c.pendingErrors)));
            c.pendingErrors = List.of();
        }
        if (blocks.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.join("\n", blocks));
        if (!turnStatus) {
            return sb.toString();
        }
        sb.append("\nTurn ").append(view.turn() + 1).append(" of ").append(view.maxTurns())
                .append("; expert calls left: ").append(view.callsLeft()).append('.');
        if (view.lastTurn() || view.callsLeft() == 0) {
            sb.append(" Answer now with <answer> ... </answer>.");
        }
        return sb.toString();
    }

    private String render(Observation o) {
        return observationText(o, maxObservationChars);
    }

    /**
     * One observation as an orchestrator sees it (before escaping and wrapping in {@code <information>}):
     * which call, then the expert's text (its last {@code maxChars} characters, if longer) and the extracted
     * answer, or the error.
     */
    public static String observationText(Observation o, int maxChars) {
        String head = o.call().model() + "@@" + o.call().skill();
        if (o.error().isPresent()) {
            return head + " failed (" + o.error().get().kind().name().toLowerCase(Locale.ROOT) + "): " + o.error().get().message();
        }
        StringBuilder sb = new StringBuilder(head).append(": ");
        String text = o.text().orElse("").strip();
        if (text.length() > maxChars) {
            // Keep the tail, as the paper's loop does: the conclusion and final answer are at the end.
            text = "…" + text.substring(text.length() - maxChars);
        }
        sb.append(text);
        if (o.answer().isPresent() && !text.endsWith(o.answer().get())) {
            sb.append(text.isEmpty() ? "" : "\n").append("Answer: ").append(o.answer().get());
        }
        if (text.isEmpty() && o.answer().isEmpty()) {
            sb.append("(no output)");
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- HTTP

    /** What one request produced: the text (stop string restored) or why there is none. */
    private record Completion(String text, Optional<String> error) {
        static Completion failed(String why) {
            return new Completion("", Optional.of(why));
        }
    }

    private Completion complete(LlmConversation c, Optional<Long> requestSeed) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(requestBody(c, requestSeed));
        } catch (IOException e) {
            return Completion.failed("cannot write the request: " + e.getMessage());
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        Optional<String> key = apiKeyEnv.flatMap(env::get);
        key.ifPresent(k -> rb.header("Authorization", "Bearer " + k));
        Secrets secrets = Secrets.of(key.stream().toList());
        HttpRequest request = rb.build();
        String last = "no attempt";
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            BoundedHttp.Response response;
            try {
                // one deadline for connect, headers and body; the body is counted as it arrives
                response = BoundedHttp.send(http, request, timeout, maxResponseBytes, cap -> "the reply from "
                        + endpoint + " is larger than " + Limit.human(cap) + "; " + Limit.RESPONSE.raiseHint(cap));
            } catch (HttpTimeoutException e) {
                return Completion.failed(redact("no reply from " + endpoint + " within " + timeout.toMillis()
                        + " ms (the timeout covers connect, headers and body)", secrets));
            } catch (LimitExceededException e) { // not retried: the endpoint would send the same again
                return Completion.failed(redact(e.getMessage(), secrets));
            } catch (IOException e) {
                last = redact("cannot reach " + endpoint + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), secrets);
                if (!sleep(backoff(attempt, Optional.empty()), attempt)) {
                    break;
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Completion.failed("interrupted while calling " + endpoint);
            }
            int status = response.status();
            String text = response.text();
            if (status == 429 || status >= 500) {
                last = redact("HTTP " + status + " from " + endpoint + ": " + excerpt(text), secrets);
                if (!sleep(backoff(attempt, response.headers().firstValue("Retry-After")), attempt)) {
                    break;
                }
                continue;
            }
            if (status < 200 || status >= 300) {
                return Completion.failed(redact("HTTP " + status + " from " + endpoint + ": " + excerpt(text), secrets));
            }
            return read(c, text, secrets);
        }
        return Completion.failed(last + " (after " + (maxRetries + 1) + " attempts)");
    }

    /** Sleeps before the next attempt; false when there is none left. */
    private boolean sleep(Duration d, int attempt) {
        if (attempt >= maxRetries) {
            return false;
        }
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Duration backoff(int attempt, Optional<String> retryAfter) {
        Duration d = retryAfter.flatMap(LlmPolicy::parseRetryAfter)
                .orElse(retryBackoff.multipliedBy(1L << Math.min(attempt, 10)));
        return d.compareTo(maxRetryWait) > 0 ? maxRetryWait : d.isNegative() ? Duration.ZERO : d;
    }

    static Optional<Duration> parseRetryAfter(String v) {
        String s = v.strip();
        try {
            return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000)));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Optional.of(Duration.between(ZonedDateTime.now(when.getZone()), when));
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    private Completion read(LlmConversation c, String body, Secrets key) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return Completion.failed(redact("the reply from " + endpoint + " is not JSON: " + excerpt(body), key));
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || choice.isMissingNode() || !choice.path("message").path("content").isTextual()) {
            return Completion.failed(redact("the reply from " + endpoint
                    + " has no choices[0].message.content: " + excerpt(body), key));
        }
        c.requests++;
        c.promptTokens += root.path("usage").path("prompt_tokens").asLong(0);
        c.completionTokens += root.path("usage").path("completion_tokens").asLong(0);
        // the reply becomes an action, a chat message and a trace: an echoed key must not travel on
        String text = key.redact(choice.path("message").path("content").asText());
        String finish = choice.path("finish_reason").asText("");
        JsonNode stopReason = choice.path("stop_reason");
        return new Completion(restoreStop(text, finish, stopReason.isTextual() ? Optional.of(stopReason.asText()) : Optional.empty()),
                Optional.empty());
    }

    /**
     * Puts back the stop string a server stripped. vLLM reports it in {@code stop_reason}; other servers
     * only say {@code finish_reason: "stop"}, so then the last opened and unclosed {@code <search>} or
     * {@code <answer>} decides. A turn cut by the length limit stays as it is (and parses as unclosed).
     */
    static String restoreStop(String text, String finishReason, Optional<String> stopReason) {
        if (!finishReason.equals("stop")) {
            return text;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String stop : STOP) {
            if (lower.stripTrailing().endsWith(stop)) {
                return text;
            }
        }
        if (stopReason.isPresent() && STOP.contains(stopReason.get())) {
            return text + stopReason.get();
        }
        int search = lower.lastIndexOf("<search>");
        int answer = lower.lastIndexOf("<answer>");
        if (search > answer && search > lower.lastIndexOf("</search>")) {
            return text + "</search>";
        }
        if (answer > search && answer > lower.lastIndexOf("</answer>")) {
            return text + "</answer>";
        }
        return text;
    }

    private ObjectNode requestBody(LlmConversation c, Optional<Long> requestSeed) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", modelName);
        ArrayNode messages = root.putArray("messages");
        List<LlmConversation.Message> all = c.messages();
        for (int i = 0; i < all.size(); i++) {
            LlmConversation.Message m = all.get(i);
            ObjectNode node = messages.addObject();
            node.put("role", m.role());
            if (i == 1 && !c.imageUrls().isEmpty()) {
                ArrayNode parts = node.putArray("content");
                parts.addObject().put("type", "text").put("text", m.content());
                for (String url : c.imageUrls()) {
                    parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
                }
            } else {
                node.put("content", m.content());
            }
        }
        root.put("temperature", temperature);
        root.put("max_tokens", maxTokens);
        ArrayNode stop = root.putArray("stop");
        STOP.forEach(stop::add);
        requestSeed.ifPresent(s -> root.put("seed", s));
        return root;
    }

    static List<String> dataUrls(List<Path> images) {
        List<String> out = new ArrayList<>();
        for (Path p : images) {
            try {
                out.add("data:" + mediaType(p) + ";base64," + Base64.getEncoder().encodeToString(
                        BoundedFiles.readBytes(p, Limit.IMAGE)));
            } catch (IOException e) {
                throw new MaestroException("cannot read image " + p + " for the orchestrator: " + e.getMessage());
            }
        }
        return out;
    }

    static String mediaType(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (n.endsWith(".gif")) {
            return "image/gif";
        }
        if (n.endsWith(".webp")) {
            return "image/webp";
        }
        return "image/png";
    }

    private static String excerpt(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= ERROR_BODY_CHARS ? t : t.substring(0, ERROR_BODY_CHARS) + "…";
    }

    /** A server may echo request headers in any body; the key must not travel on from there. */
    private static String redact(String message, Secrets secrets) {
        return secrets.redact(message);
    }

    @Override
    public String toString() {
        return "LlmPolicy[" + name + " at " + endpoint + apiKeyEnv.map(n -> ", key from $" + n).orElse("") + "]";
    }

    /** Configuration; only the base URL and the model name are required. */
    public static final class Builder {
        private final String baseUrl;
        private final String modelName;
        private Optional<String> name = Optional.empty();
        private Optional<String> apiKeyEnv = Optional.empty();
        private EnvLookup env = EnvLookup.system();
        private double temperature = 0.7;
        private int maxTokens = 1024;
        private Duration timeout = Duration.ofSeconds(120);
        private Optional<Long> seed = Optional.empty();
        private int maxRetries = 2;
        private Duration retryBackoff = Duration.ofMillis(500);
        private Duration maxRetryWait = Duration.ofSeconds(30);
        private boolean sendImages = true;
        private int maxObservationChars = DEFAULT_MAX_OBSERVATION_CHARS;
        private boolean turnStatus = true;
        private Optional<Long> maxResponseBytes = Optional.empty();

        private Builder(String baseUrl, String modelName) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl").strip();
            this.modelName = Objects.requireNonNull(modelName, "modelName").strip();
            if (this.modelName.isEmpty()) {
                throw new MaestroException("llm policy: the model name is empty; give the name the server serves");
            }
        }

        /** The policy's name in reports; default {@code llm:<model name>}. */
        public Builder name(String v) { this.name = Optional.of(v); return this; }
        /** Name of the environment variable holding the API key (never the key); without it no key is sent. */
        public Builder apiKeyEnv(String v) { this.apiKeyEnv = Optional.of(v); return this; }
        /** Where environment variables are read (tests, secret stores); default the process environment. */
        public Builder env(EnvLookup v) { this.env = Objects.requireNonNull(v); return this; }
        public Builder temperature(double v) { this.temperature = check("temperature", v, 0, 2); return this; }
        /** Tokens the model may write in one turn. */
        public Builder maxTokens(int v) { this.maxTokens = (int) check("max tokens", v, 1, 1 << 20); return this; }
        /** Per request: one deadline for connect, headers and the whole reply body. */
        public Builder timeout(Duration v) { this.timeout = positive("timeout", v); return this; }
        /** With a seed, requests carry seeds derived from it and the episode's random stream (reproducible rollouts). */
        public Builder seed(long v) { this.seed = Optional.of(v); return this; }
        /** Retries after 429, 5xx or a connection failure (not after a timeout); default 2. */
        public Builder maxRetries(int v) { this.maxRetries = (int) check("max retries", v, 0, 20); return this; }
        /** First wait between attempts when the server sends no Retry-After; doubles each attempt. */
        public Builder retryBackoff(Duration v) { this.retryBackoff = positiveOrZero("retry backoff", v); return this; }
        /** Upper bound on any wait, including a server's Retry-After. */
        public Builder maxRetryWait(Duration v) { this.maxRetryWait = positiveOrZero("max retry wait", v); return this; }
        /** Whether task images go to the orchestrator as data URLs (a vision-language orchestrator); default true. */
        public Builder sendImages(boolean v) { this.sendImages = v; return this; }
        /** Longer expert outputs are cut to their last this-many characters; default 4,000. */
        public Builder maxObservationChars(int v) { this.maxObservationChars = (int) check("max observation chars", v, 1, 1 << 24); return this; }

        /**
         * Whether each observation message ends with "Turn k of T; expert calls left: n." (and "Answer now" on
         * the last turn); default true. Turn it off to match a model trained without it (verl-tool's loop
         * sends only the {@code <information>} blocks).
         */
        public Builder turnStatus(boolean v) { this.turnStatus = v; return this; }

        /** Largest reply body read; default {@link Limit#RESPONSE} (16 MiB, or {@code MAESTRO_MAX_RESPONSE_BYTES}). */
        public Builder maxResponseBytes(long v) {
            this.maxResponseBytes = Optional.of((long) check("max response bytes", v, 1, Long.MAX_VALUE));
            return this;
        }

        public LlmPolicy build() {
            return new LlmPolicy(this);
        }

        private static double check(String what, double v, double lo, double hi) {
            if (!(v >= lo && v <= hi)) {
                throw new MaestroException("llm policy: " + what + " " + v + " is out of range [" + lo + ", " + hi + "]");
            }
            return v;
        }

        private static Duration positive(String what, Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new MaestroException("llm policy: " + what + " must be positive, got " + d);
            }
            return d;
        }

        private static Duration positiveOrZero(String what, Duration d) {
            if (d.isNegative()) {
                throw new MaestroException("llm policy: " + what + " must not be negative, got " + d);
            }
            return d;
        }
    }
}
