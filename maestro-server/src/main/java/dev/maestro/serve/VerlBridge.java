package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.protocol.ProtocolFormatter;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verl-tool tool-server contract ({@code POST /get_observation}): each row's action is a policy turn that
 * stopped at {@code </search>} or {@code </answer>}; a search runs one (model, skill) call against the registry
 * through the environment (so the skill runner, experts, budget checks and modality rules are the ones episodes
 * use) and comes back framed as {@code "\n\n<information>…</information>\n\n"}. Per-trajectory state is a turn
 * counter, dropped on {@code finish}/{@code is_last_step} and after an idle TTL. Identical retries of
 * (trajectory id, action, extra_fields) within the dedup window get the first result (joining it while in flight),
 * because the client re-sends byte-identical requests after its timeout while the first may still run.
 */
public final class VerlBridge implements AutoCloseable {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern OPEN = Pattern.compile("<\\s*search\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLOSE = Pattern.compile("<\\s*/\\s*search\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ANSWER_CLOSE = Pattern.compile("<\\s*/\\s*answer\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern IMAGE_TAG = Pattern.compile("<image>", Pattern.CASE_INSENSITIVE);

    /**
     * @param maxObsChars  expert replies longer than this keep their last characters (Maestro keeps the last 1000)
     * @param idleTtl      trajectory state unused this long is dropped
     * @param dedupWindow  how long an identical retry gets the cached result
     * @param maxImageBytes largest decoded image
     */
    public record Options(int maxObsChars, Duration idleTtl, Duration dedupWindow, long maxImageBytes) {
        public static final Options DEFAULT = new Options(1000, Duration.ofMinutes(30), Duration.ofSeconds(120), 20L << 20);
    }

    /** A finished HTTP reply: status, JSON body, and the time spent. */
    public record Reply(int status, byte[] json, double processingMs) {
    }

    /** One row's outcome. */
    record Row(JsonNode observation, boolean done, boolean valid) {
    }

    private record Cached(CompletableFuture<Row> row, long expiresAt) {
    }

    private static final class Trajectory {
        int turns;
        volatile long lastSeen;
    }

    private final Environment env;
    private final Registry registry;
    private final Options options;
    private final Metrics metrics;
    private final ImageInputs images;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Trajectory> trajectories = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Cached> dedup = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();
    private final ExecutorService rows = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "verl-row");
        t.setDaemon(true);
        return t;
    });

    public VerlBridge(Environment environment, Options options, Metrics metrics) {
        this(environment, options, metrics, System::nanoTime);
    }

    VerlBridge(Environment environment, Options options, Metrics metrics, LongSupplier nanoClock) {
        // One call per row: a search turn then an (empty) answer turn; the budget still bounds the cost.
        this.env = environment.withConfig(environment.config().withMaxTurns(2).withMaxCalls(1));
        this.registry = environment.registry();
        this.options = options;
        this.metrics = metrics;
        this.images = new ImageInputs(Set.of(), options.maxImageBytes());
        this.clock = nanoClock;
    }

    /** Trajectories with live state (for tests and /health). */
    public int liveTrajectories() {
        return trajectories.size();
    }

    public Reply handle(byte[] body) {
        long t0 = System.nanoTime();
        sweep();
        JsonNode req;
        try {
            req = EpisodeJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return unprocessable("body is not valid JSON", t0);
        } catch (IOException e) {
            return unprocessable("body could not be read", t0);
        }
        if (req == null || !req.isObject()) {
            return unprocessable("body must be a JSON object", t0);
        }
        JsonNode ids = req.path("trajectory_ids");
        JsonNode actions = req.path("actions");
        if (!ids.isArray() || ids.isEmpty()) {
            return unprocessable("trajectory_ids: required, a non-empty array of strings", t0);
        }
        int n = ids.size();
        if (!actions.isArray() || actions.size() != n) {
            return unprocessable("actions: required, an array of strings with one entry per trajectory id (" + n + ")", t0);
        }
        for (int i = 0; i < n; i++) {
            if (!ids.get(i).isTextual()) {
                return unprocessable("trajectory_ids[" + i + "] must be a string", t0);
            }
            if (!actions.get(i).isTextual()) {
                return unprocessable("actions[" + i + "] must be a string", t0);
            }
        }
        Optional<String> bad = checkOptional(req, "finish", n, true).or(() -> checkOptional(req, "is_last_step", n, true))
                .or(() -> checkOptional(req, "extra_fields", n, false));
        if (bad.isPresent()) {
            return unprocessable(bad.get(), t0);
        }
        List<CompletableFuture<Row>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = ids.get(i).asText();
            String action = actions.get(i).asText();
            boolean finish = flag(req.path("finish"), i);
            boolean last = flag(req.path("is_last_step"), i);
            JsonNode extra = req.path("extra_fields").isArray() ? req.path("extra_fields").get(i) : F.objectNode();
            futures.add(n == 1 ? row(id, action, finish, last, extra) : CompletableFuture.supplyAsync(
                    () -> row(id, action, finish, last, extra).join(), rows));
        }
        ObjectNode out = F.objectNode();
        ArrayNode obs = out.putArray("observations");
        ArrayNode dones = out.putArray("dones");
        ArrayNode valids = out.putArray("valids");
        for (CompletableFuture<Row> f : futures) {
            Row r;
            try {
                r = f.join();
            } catch (RuntimeException e) {
                // Never fail the batch for one row (contract §8).
                r = errorRow("Skill execution error: internal error", "internal error: " + e.getClass().getSimpleName());
            }
            obs.add(r.observation());
            dones.add(r.done());
            valids.add(r.valid());
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        out.put("processing_time_ms", ms);
        return new Reply(200, bytes(out), ms);
    }

    private CompletableFuture<Row> row(String id, String action, boolean finish, boolean last, JsonNode extra) {
        if (finish) {
            trajectories.remove(id); // the built-in "finish" tool: never runs the action
            return CompletableFuture.completedFuture(new Row(F.textNode(""), true, true));
        }
        String key = dedupKey(id, action, extra, last);
        long now = clock.getAsLong();
        CompletableFuture<Row> mine = new CompletableFuture<>();
        Cached fresh = new Cached(mine, now + options.dedupWindow().toNanos());
        Cached prev = dedup.compute(key, (k, old) -> old != null && old.expiresAt() - now > 0 ? old : fresh);
        if (prev != fresh) {
            return prev.row();
        }
        try {
            mine.complete(run(id, action, extra, last));
        } catch (RuntimeException e) {
            mine.complete(errorRow("Skill execution error: internal error", "internal error: " + e.getClass().getSimpleName()));
        }
        return mine;
    }

    private Row run(String id, String action, JsonNode extra, boolean last) {
        Trajectory t = trajectories.computeIfAbsent(id, k -> new Trajectory());
        t.lastSeen = clock.getAsLong();
        int turn;
        synchronized (t) {
            turn = t.turns++;
        }
        try {
            return execute(id, turn, action, extra);
        } finally {
            if (last) {
                trajectories.remove(id);
            }
        }
    }

    private Row execute(String id, int turn, String action, JsonNode extra) {
        int searchEnd = -1;
        int searchCloseStart = -1;
        Matcher close = CLOSE.matcher(action);
        while (close.find()) {
            searchCloseStart = close.start();
            searchEnd = close.end();
        }
        int answerEnd = -1;
        Matcher ans = ANSWER_CLOSE.matcher(action);
        while (ans.find()) {
            answerEnd = ans.end();
        }
        if (answerEnd > searchEnd) {
            // Generation stopped at </answer>: the trajectory is over (valid=false as upstream search_retrieval).
            return new Row(F.textNode(""), true, false);
        }
        if (searchEnd < 0) {
            return errorRow("Format Error: Invalid skill call format", "no <search> ... </search> block in the action");
        }
        int open = -1;
        Matcher o = OPEN.matcher(action);
        while (o.find() && o.end() <= searchCloseStart) {
            open = o.end();
        }
        if (open < 0) {
            return errorRow("Format Error: Invalid skill call format", "</search> without an opening <search>");
        }
        String content = action.substring(open, searchCloseStart);
        int colon = content.indexOf(':');
        int at = content.indexOf("@@");
        if (at < 0 || (colon >= 0 && at > colon)) {
            return errorRow("Format Error: Missing @@ separator", "expected MODEL@@SKILL: INPUT inside <search>");
        }
        if (colon < 0) {
            return errorRow("Format Error: Invalid skill call format", "expected MODEL@@SKILL: INPUT inside <search> (no ':')");
        }
        String model = content.substring(0, at).strip();
        String skill = content.substring(at + 2, colon).strip();
        String input = content.substring(colon + 1).strip();
        Optional<ModelCard> m = resolveModel(model);
        if (m.isEmpty()) {
            return errorRow("Model Name Error", "unknown model '" + ImageInputs.abbreviate(model) + "'");
        }
        Optional<SkillCard> s = resolveSkill(skill);
        if (s.isEmpty()) {
            return errorRow("Skill Name Error", "unknown skill '" + ImageInputs.abbreviate(skill) + "'");
        }
        Pair pair = new Pair(m.get().id(), s.get().name());
        if (!registry.hasPair(pair)) {
            return errorRow("Skill Name Error", "skill '" + s.get().name() + "' is not callable on model '" + m.get().id() + "'");
        }
        String question = extra.path("question").isTextual()
                ? IMAGE_TAG.matcher(extra.path("question").asText()).replaceAll("").strip() : input;
        try (ImageInputs.Batch imgs = images.batch()) {
            JsonNode list = extra.path("images");
            if (list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i).isTextual()) {
                        imgs.add(list.get(i).asText(), "extra_fields.images[" + i + "]");
                    }
                }
            }
            // The gold (extra_fields.answer) is deliberately not copied: the task has no answers.
            Task task = new Task("verl-" + id + "-" + turn, "verl", question.isEmpty() ? input : question, List.of(), List.of(),
                    AnswerType.UNKNOWN, "verl", imgs.files(), Map.of(), Map.of(), Map.of());
            EpisodeResult r = env.run(task, new OneCall(new Call(pair.model(), pair.skill(), input)), 0);
            Observation ob = r.steps().get(0).observations().get(0);
            metrics.expertCall(ob);
            if (ob.error().isPresent()) {
                return errorRow("Skill execution error: " + ob.error().get().message(), ob.error().get().kind().name().toLowerCase(Locale.ROOT)
                        + ": " + ob.error().get().message());
            }
            String text = ob.text().or(ob::answer).orElse("");
            if (text.length() > options.maxObsChars()) {
                text = text.substring(text.length() - options.maxObsChars());
            }
            return new Row(F.textNode(frame(text)), false, true);
        } catch (ApiError e) {
            return errorRow("Image Error", e.getMessage());
        }
    }

    /** Search-R1 framing; the text is escaped so an expert cannot close the block or inject an action. */
    static String frame(String text) {
        return "\n\n<information>" + ProtocolFormatter.escape(text) + "</information>\n\n";
    }

    private static Row errorRow(String obs, String reason) {
        ObjectNode o = F.objectNode();
        o.put("obs", frame(obs));
        o.put("invalid_reason", reason);
        return new Row(o, false, false);
    }

    /** Exact id ignoring case; else Maestro-style substring match (an id inside the name, or the name inside one id). */
    Optional<ModelCard> resolveModel(String name) {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Optional<ModelCard> exact = registry.modelIgnoreCase(name);
        if (exact.isPresent()) {
            return exact;
        }
        String n = name.toLowerCase(Locale.ROOT);
        ModelCard best = null;
        for (ModelCard m : registry.models()) {
            String id = m.id().toLowerCase(Locale.ROOT);
            if (n.contains(id) && (best == null || id.length() > best.id().length())) {
                best = m;
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        List<ModelCard> within = registry.models().stream().filter(m -> m.id().toLowerCase(Locale.ROOT).contains(n)).toList();
        return within.size() == 1 ? Optional.of(within.get(0)) : Optional.empty();
    }

    /** Exact name ignoring case; else equal after dropping case, '_', '-' and spaces ({@code Chart_Problem_Solver} = {@code chart-problem-solver}). */
    Optional<SkillCard> resolveSkill(String name) {
        Optional<SkillCard> exact = registry.skillIgnoreCase(name);
        if (exact.isPresent()) {
            return exact;
        }
        String n = normal(name);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return registry.skills().stream().filter(s -> normal(s.name()).equals(n)).findFirst();
    }

    private static String normal(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]+", "");
    }

    /** Calls once, then ends the episode; the bridge reads the one observation. */
    private record OneCall(Call call) implements Policy {
        @Override
        public String name() {
            return "verl-bridge";
        }

        @Override
        public Action decide(EpisodeView view, RandomGenerator rng) {
            return view.turn() == 0 ? Action.Search.of(call) : Action.Answer.of("");
        }
    }

    private static Optional<String> checkOptional(JsonNode req, String field, int n, boolean bools) {
        JsonNode v = req.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isArray() || v.size() != n) {
            return Optional.of(field + ": must be an array with one entry per trajectory id (" + n + ")");
        }
        for (int i = 0; i < n; i++) {
            JsonNode e = v.get(i);
            boolean ok = bools ? e.isBoolean() || (e.isIntegralNumber() && (e.asInt() == 0 || e.asInt() == 1)) : e.isObject() || e.isNull();
            if (!ok) {
                return Optional.of(field + "[" + i + "] must be " + (bools ? "a boolean" : "an object"));
            }
        }
        return Optional.empty();
    }

    private static boolean flag(JsonNode arr, int i) {
        if (!arr.isArray()) {
            return false;
        }
        JsonNode e = arr.get(i);
        return e.isBoolean() ? e.asBoolean() : e.asInt(0) == 1;
    }

    private static String dedupKey(String id, String action, JsonNode extra, boolean last) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(id.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(action.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(EpisodeJson.MAPPER.writeValueAsBytes(extra == null ? F.nullNode() : extra));
            d.update((byte) (last ? 1 : 0));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops idle trajectories and expired dedup entries, at most every few seconds. */
    private void sweep() {
        long now = clock.getAsLong();
        long prev = lastSweep.get();
        if (now - prev < 5_000_000_000L || !lastSweep.compareAndSet(prev, now)) {
            return;
        }
        long ttl = options.idleTtl().toNanos();
        trajectories.entrySet().removeIf(e -> now - e.getValue().lastSeen > ttl);
        dedup.entrySet().removeIf(e -> e.getValue().expiresAt() - now <= 0 && e.getValue().row().isDone());
    }

    /** Runs the sweep now regardless of when it last ran (tests with a fake clock). */
    void sweepNow() {
        lastSweep.set(clock.getAsLong() - 10_000_000_000L);
        sweep();
    }

    private Reply unprocessable(String message, long t0) {
        ObjectNode n = F.objectNode();
        ObjectNode d = n.putArray("detail").addObject();
        d.put("type", "value_error");
        d.put("msg", message);
        return new Reply(422, bytes(n), (System.nanoTime() - t0) / 1e6);
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return EpisodeJson.MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        rows.shutdownNow();
    }
}
