package dev.maestro.mcp.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.episode.Step;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Maestro as the MCP tool {@code ask}: a question (and optionally images and a budget) in, the answer and its ledger
 * out: the calls made (model, skill, what each returned, cost, latency, error), the pairs called, the total cost and
 * latency, and whether any number came from simulated experts. The same tool is served over stdio
 * ({@code maestro mcp}) and streamable HTTP ({@code POST /mcp} on {@code maestro serve}); see docs/mcp.md.
 *
 * <p>Bad arguments (a blank question, an image that is not one, a budget out of range) give a result with
 * {@code isError: true} and one line naming the argument and what would be valid. A question the policy leaves
 * unanswered is not an error: {@code answered} is false and {@code errors} says why.
 */
public final class AskTool {
    public static final String NAME = "ask";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_IMAGES = 16;
    private static final int MAX_TURNS = 16;

    private final Supplier<Backend> backend;
    private final ImageResolver images;
    private final Options options;
    private final Listener listener;
    private final AtomicLong seeds = new AtomicLong(7);
    private final AtomicLong ids = new AtomicLong();

    /**
     * What answers: an environment (registry, experts, skills, default budget) and a policy (thread-safe).
     *
     * @param name a name for messages and the tool's description, e.g. the served model's name
     */
    public record Backend(String name, Environment environment, Policy policy) {
        public Backend {
            Objects.requireNonNull(name);
            Objects.requireNonNull(environment);
            Objects.requireNonNull(policy);
        }
    }

    /**
     * Limits of the arguments a caller may give.
     *
     * @param maxCallsCap   largest {@code max_calls} accepted
     * @param maxCostCapUsd largest {@code max_cost_usd} accepted
     * @param localPaths    whether {@code images} may be paths of local files (stdio only)
     */
    public record Options(int maxCallsCap, double maxCostCapUsd, boolean localPaths) {
        public static final Options STDIO = new Options(64, 100, true);
        public static final Options HTTP = new Options(64, 100, false);
    }

    /** Told of every answered call (the server records metrics and traces with it). */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (id, task, result) -> { };

        void finished(String id, Task task, EpisodeResult result);
    }

    private AskTool(Supplier<Backend> backend, ImageResolver images, Options options, Listener listener) {
        this.backend = backend;
        this.images = images;
        this.options = options;
        this.listener = listener;
    }

    /**
     * @param backend gives the environment and policy; may block until they are ready, or throw a
     *                {@link MaestroException} saying why they never will be
     */
    public static AskTool create(Supplier<Backend> backend, ImageResolver images, Options options, Listener listener) {
        return new AskTool(Objects.requireNonNull(backend), Objects.requireNonNull(images), Objects.requireNonNull(options),
                Objects.requireNonNull(listener));
    }

    /** The tool as clients list it: name, description, input and output schema. */
    public McpSchema.Tool definition() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("question", Map.of("type", "string", "description", "the question to answer"));
        props.put("images", Map.of("type", "array", "maxItems", MAX_IMAGES, "items", Map.of("type", "string"),
                "description", options.localPaths()
                        ? "images the question is about: data URLs (data:image/png;base64,...) or paths of image files on this machine"
                        : "images the question is about, as data URLs (data:image/png;base64,...)"));
        props.put("max_calls", Map.of("type", "integer", "minimum", 0, "maximum", options.maxCallsCap(),
                "description", "most expert calls to make (default: the server's)"));
        props.put("max_cost_usd", Map.of("type", "number", "minimum", 0, "maximum", options.maxCostCapUsd(),
                "description", "most US dollars to spend on expert calls (default: the server's)"));
        props.put("max_turns", Map.of("type", "integer", "minimum", 1, "maximum", MAX_TURNS,
                "description", "most decisions of the policy (default: the server's)"));
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("type", "object");
        in.put("properties", props);
        in.put("required", List.of("question"));
        in.put("additionalProperties", false);
        return McpSchema.Tool.builder().name(NAME).title("Ask Maestro")
                .description("Answer a question by orchestrating expert models and skills with a learned policy. Returns "
                        + "the answer and its ledger: the calls made (model@@skill, cost, latency, errors), total cost and latency.")
                .inputSchema(in).outputSchema(outputSchema()).build();
    }

    private static Map<String, Object> outputSchema() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("answer", Map.of("type", "string"));
        p.put("answered", Map.of("type", "boolean"));
        p.put("policy", Map.of("type", "string"));
        p.put("calls", Map.of("type", "integer"));
        p.put("pairs", Map.of("type", "array", "items", Map.of("type", "string")));
        p.put("cost_usd", Map.of("type", "number"));
        p.put("latency_ms", Map.of("type", "number"));
        p.put("turns", Map.of("type", "integer"));
        p.put("simulated", Map.of("type", "boolean"));
        p.put("ledger", Map.of("type", "array", "items", Map.of("type", "object")));
        p.put("errors", Map.of("type", "array", "items", Map.of("type", "string")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "object");
        out.put("properties", p);
        out.put("required", List.of("answer", "answered", "calls", "pairs", "cost_usd", "latency_ms", "ledger"));
        return out;
    }

    /** Runs one call; never throws for bad arguments or a failed expert (both are in the result). */
    public McpSchema.CallToolResult call(Map<String, Object> arguments) {
        Request req;
        try {
            req = Request.parse(arguments == null ? Map.of() : arguments, options);
        } catch (MaestroException e) {
            return error(e.getMessage());
        }
        Backend b;
        try {
            b = backend.get();
        } catch (MaestroException e) {
            return error("Maestro is not ready: " + e.getMessage());
        }
        try (ImageResolver.Scope scope = images.open()) {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < req.images().size(); i++) {
                files.add(scope.add(req.images().get(i), "images[" + i + "]"));
            }
            String id = "mcp-" + ids.incrementAndGet();
            Task task = new Task(id, "mcp", req.question(), List.of(), List.of(), AnswerType.UNKNOWN, "mcp", files,
                    Map.of(), Map.of(), Map.of());
            EpisodeConfig c = b.environment().config();
            c = req.maxCalls().map(c::withMaxCalls).orElse(c);
            c = req.maxCostUsd().map(c::withMaxCost).orElse(c);
            c = req.maxTurns().map(c::withMaxTurns).orElse(c);
            Environment env = c.equals(b.environment().config()) ? b.environment() : b.environment().withConfig(c);
            EpisodeResult r = env.run(task, b.policy(), seeds.getAndIncrement());
            listener.finished(id, task, r);
            return result(r, c);
        } catch (MaestroException e) {
            return error(e.getMessage());
        }
    }

    private static McpSchema.CallToolResult result(EpisodeResult r, EpisodeConfig c) {
        Map<String, Object> s = ledger(r, c);
        String head = answered(r) ? r.answer().get()
                : "(no answer: " + String.join("; ", castList(s.get("errors"))) + ")";
        String json;
        try {
            json = JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return McpSchema.CallToolResult.builder().addTextContent(head).addTextContent(json).structuredContent(s)
                .isError(false).build();
    }

    /** A blank answer (e.g. a policy passing on a failed call's empty output) is no answer. */
    private static boolean answered(EpisodeResult r) {
        return r.answer().isPresent() && !r.answer().get().isBlank();
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    /** The structured result: answer, totals and one ledger entry per call. */
    static Map<String, Object> ledger(EpisodeResult r, EpisodeConfig c) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("answer", r.answer().orElse(""));
        s.put("answered", answered(r));
        s.put("policy", r.policy());
        s.put("calls", r.calls());
        LinkedHashSet<String> pairs = new LinkedHashSet<>();
        List<Map<String, Object>> ledger = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Step st : r.steps()) {
            if (!st.error().isEmpty()) {
                errors.add("turn " + st.turn() + ": " + st.error());
            }
            for (Observation o : st.observations()) {
                String pair = o.call().model() + "@@" + o.call().skill();
                pairs.add(pair);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("turn", o.turn());
                e.put("model", o.call().model());
                e.put("skill", o.call().skill());
                e.put("input", o.call().input());
                e.put("answer", o.answer().orElse(null));
                e.put("text", o.text().orElse(null));
                e.put("input_tokens", o.usage().inputTokens());
                e.put("output_tokens", o.usage().outputTokens());
                e.put("cost_usd", o.costUsd());
                e.put("latency_ms", o.latencyMs());
                e.put("error", o.error().map(x -> x.kind().name().toLowerCase(Locale.ROOT) + ": " + x.message()).orElse(null));
                ledger.add(e);
                o.error().ifPresent(x -> errors.add(pair + ": " + x.message()));
            }
        }
        if (r.answer().isEmpty()) {
            errors.add("no answer within " + c.maxTurns() + " turns");
        } else if (!answered(r)) {
            errors.add("the answer is empty");
        }
        s.put("pairs", List.copyOf(pairs));
        s.put("cost_usd", r.costUsd());
        s.put("latency_ms", r.latencyMs());
        s.put("turns", r.steps().size());
        // simulated experts' numbers are labelled wherever they appear
        s.put("simulated", r.simulated());
        s.put("ledger", ledger);
        s.put("errors", errors);
        return s;
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    /** The arguments of one call, checked. */
    record Request(String question, List<String> images, Optional<Integer> maxCalls, Optional<Double> maxCostUsd,
                   Optional<Integer> maxTurns) {
        static final List<String> FIELDS = List.of("question", "images", "max_calls", "max_cost_usd", "max_turns");

        static Request parse(Map<String, Object> a, Options o) {
            for (String k : a.keySet()) {
                if (!FIELDS.contains(k)) {
                    throw new MaestroException("unknown argument '" + k + "'; ask takes: " + String.join(", ", FIELDS));
                }
            }
            Object q = a.get("question");
            if (!(q instanceof String question) || question.isBlank()) {
                throw new MaestroException("'question' is required: the question to answer, as text");
            }
            List<String> images = new ArrayList<>();
            Object im = a.get("images");
            if (im != null) {
                if (!(im instanceof List<?> l) || l.stream().anyMatch(x -> !(x instanceof String))) {
                    throw new MaestroException("'images' must be a list of strings (data URLs"
                            + (o.localPaths() ? " or file paths" : "") + ")");
                }
                if (l.size() > MAX_IMAGES) {
                    throw new MaestroException("'images' holds " + l.size() + " images; at most " + MAX_IMAGES);
                }
                l.forEach(x -> images.add((String) x));
            }
            Optional<Integer> calls = integer(a, "max_calls", 0, o.maxCallsCap());
            Optional<Integer> turns = integer(a, "max_turns", 1, MAX_TURNS);
            Optional<Double> cost = Optional.empty();
            Object c = a.get("max_cost_usd");
            if (c != null) {
                if (!(c instanceof Number n) || !(n.doubleValue() >= 0) || n.doubleValue() > o.maxCostCapUsd()) {
                    throw new MaestroException("'max_cost_usd' must be a number in [0, " + o.maxCostCapUsd() + "]");
                }
                cost = Optional.of(n.doubleValue());
            }
            return new Request(question, images, calls, cost, turns);
        }

        private static Optional<Integer> integer(Map<String, Object> a, String key, int min, int max) {
            Object v = a.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < min
                    || n.doubleValue() > max) {
                throw new MaestroException("'" + key + "' must be an integer in [" + min + ", " + max + "]");
            }
            return Optional.of(n.intValue());
        }
    }
}
