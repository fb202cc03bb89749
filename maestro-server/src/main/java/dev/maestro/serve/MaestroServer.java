package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.expert.Deployments;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: an OpenAI-compatible {@code POST /v1/chat/completions} backed by one {@link Orchestrator},
 * {@code GET /v1/models}, {@code GET /health}, {@code GET /metrics}, the verl-tool bridge
 * {@code POST /get_observation}, the trace endpoints and viewer, and the MCP tool {@code ask} at {@code POST /mcp}. See docs/serve.md.
 *
 * <p>Overload protection is a semaphore taken with {@code tryAcquire}: when every slot is busy the request gets
 * 429 at once instead of queueing, so clients back off and latency stays bounded.
 */
public final class MaestroServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MaestroServer.class);
    /**
     * Completion ids come from one DRBG per server thread. The default {@code new SecureRandom()} on Linux is NativePRNG,
     * whose {@code nextBytes} takes a global lock and reads /dev/urandom: under load, profiling showed requests blocked
     * on that lock for 10-110 ms whenever its holder was descheduled. Each thread's DRBG is seeded once from the
     * system entropy source, so ids stay unpredictable.
     */
    private static final ThreadLocal<SecureRandom> IDS = ThreadLocal.withInitial(MaestroServer::newIdRandom);
    private static final ThreadLocal<IdBlock> ID_BYTES = ThreadLocal.withInitial(IdBlock::new);
    static final String CHAT = "/v1/chat/completions";

    private final Orchestrator orchestrator;
    private final Builder cfg;
    private final ApiKeys keys;
    private final boolean authRequired;
    private final Semaphore slots;
    private final Optional<RateLimiter> rate;
    private final Metrics metrics;
    private final ImageInputs images;
    private final ChatRequest.Limits chatLimits;
    private final Optional<TraceStore> traces;
    private final Optional<VerlBridge> verl;
    private final Optional<McpEndpoint> mcp;
    private final Environment uncached;
    private final Optional<Deployments> deployments;
    private final AtomicLong seeds = new AtomicLong(IDS.get().nextLong());
    private final long created = System.currentTimeMillis() / 1000;
    private Javalin app;

    private MaestroServer(Builder b) {
        this.orchestrator = b.orchestrator;
        this.cfg = b;
        this.keys = b.keys;
        // Keys given means they are meant to be checked; beyond loopback they are mandatory.
        this.authRequired = b.requireAuth.orElseGet(() -> !b.keys.isEmpty() || !isLoopback(b.host));
        if (authRequired && keys.isEmpty()) {
            throw new MaestroException("authentication is required (host " + b.host + " is not loopback) but no API keys"
                    + " were given; pass keys (--keys-env/--keys-file) or bind to 127.0.0.1");
        }
        this.slots = new Semaphore(b.maxConcurrent);
        this.rate = b.ratePerMinute > 0 ? Optional.of(new RateLimiter(b.ratePerMinute, b.rateBurst, System::nanoTime)) : Optional.empty();
        this.metrics = b.metrics;
        this.images = ImageInputs.builder().allowedHosts(b.imageHosts).maxImageBytes(b.maxBodyBytes)
                .maxPixels(b.maxImagePixels).allowPrivateAddresses(b.imagePrivateAddresses)
                .allowedAddresses(b.imageAddresses).build();
        this.chatLimits = new ChatRequest.Limits(orchestrator.name(), orchestrator.defaults(), b.maxCallsCap, b.maxCostCap,
                b.maxPromptTokens);
        this.uncached = b.uncached.orElse(orchestrator.environment());
        this.deployments = b.deployments;
        deployments.ifPresent(d -> metrics.deployments(d::states));
        this.traces = b.traces;
        this.verl = b.verl ? Optional.of(new VerlBridge(orchestrator.environment(), b.verlOptions, metrics)) : Optional.empty();
        this.mcp = b.mcp ? Optional.of(new McpEndpoint(orchestrator, images, b.maxBodyBytes, slots, b.maxConcurrent, this::finished))
                : Optional.empty();
    }

    public static Builder builder(Orchestrator orchestrator) {
        return new Builder(orchestrator);
    }

    public MaestroServer start() {
        app = Javalin.create(config -> {
            config.http.maxRequestSize = cfg.maxBodyBytes + 1;
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.startup.showJavalinBanner = false;
            config.jetty.host = cfg.host;
            config.jetty.port = cfg.port;
            // errors Jetty answers before any route (bad request line, duplicate Content-Length, ...) as JSON too
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.routes.before(this::before);
            config.routes.after(this::after);
            config.routes.get("/health", ctx -> json(ctx, 200, health(ctx.queryParam("deep"))));
            config.routes.get("/v1/models", this::models);
            config.routes.post(CHAT, this::chat);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render()));
            config.routes.post("/get_observation", this::observation);
            config.routes.get("/traces", ctx -> json(ctx, 200, TraceRoutes.list(traces, ctx.queryParam("limit"))));
            config.routes.get("/traces/{id}", ctx -> json(ctx, 200, TraceRoutes.one(traces, ctx.pathParam("id"))));
            config.routes.post(TraceRoutes.FEEDBACK, ctx -> json(ctx, 200, TraceRoutes.feedback(readBody(ctx), traces)));
            config.routes.get("/viewer", ctx -> ctx.contentType("text/html; charset=utf-8").result(viewerHtml()));
            mcp.ifPresent(m -> m.mount(config.routes));
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            // Unknown paths: OpenAI-shaped 404 too, unless a handler already answered (e.g. model_not_found).
            config.routes.error(404, ctx -> {
                String r = ctx.result();
                if (r == null || r.isEmpty() || !r.startsWith("{\"error\"")) {
                    error(ctx, ApiError.notFound("not_found", "no such endpoint: " + ctx.method() + " "
                            + ImageInputs.abbreviate(ctx.path())));
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                Optional<ApiError> client = JsonErrorHandler.clientError(e); // e.g. a broken chunk in the body
                if (client.isPresent()) {
                    error(ctx, client.get());
                    return;
                }
                // Logged with its stack trace for the operator; the client only learns that it failed.
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, new ApiError(500, "server_error", "internal_error", "internal server error"));
            });
        });
        app.start();
        LOG.info("maestro server on http://{}:{} serving model '{}' (auth {}, {} keys, max {} concurrent)", cfg.host, app.port(),
                orchestrator.name(), authRequired ? "required" : "off", keys.size(), cfg.maxConcurrent);
        return this;
    }

    public int port() {
        return app.port();
    }

    public String url() {
        String h = cfg.host.contains(":") ? "[" + cfg.host + "]" : cfg.host;
        return "http://" + h + ":" + port();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Trajectories the verl-tool bridge holds state for (0 when the bridge is off). */
    public int verlLiveTrajectories() {
        return verl.map(VerlBridge::liveTrajectories).orElse(0);
    }

    public boolean authRequired() {
        return authRequired;
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        verl.ifPresent(VerlBridge::close);
        mcp.ifPresent(McpEndpoint::close);
    }

    // ---- filters ----

    private static final String T0 = "maestro.t0";
    private static final String KEY_ID = "maestro.key";
    private static final String T1 = "maestro.t1";

    private void before(Context ctx) {
        ctx.attribute(T0, System.nanoTime());
        String path = ctx.path();
        if (path.equals("/health") || path.equals("/viewer")) {
            return; // liveness probes and the static viewer page carry no data
        }
        if (authRequired) {
            String h = ctx.header("Authorization");
            if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw ApiError.unauthorized("missing API key: send the header 'Authorization: Bearer <key>'");
            }
            Optional<String> id = keys.check(h.substring(7).strip());
            if (id.isEmpty()) {
                throw ApiError.unauthorized("invalid API key");
            }
            ctx.attribute(KEY_ID, id.get());
        }
        String len = ctx.header("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.strip()) > cfg.maxBodyBytes) {
                    throw ApiError.tooLarge(cfg.maxBodyBytes, ctx.req().getInputStream());
                }
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("invalid_content_length", "Content-Length is not a number");
            } catch (IOException e) {
                throw ApiError.tooLarge(cfg.maxBodyBytes);
            }
        }
        if (rate.isPresent() && (path.equals(CHAT) || path.equals("/get_observation"))) {
            String id = ctx.attribute(KEY_ID);
            if (!rate.get().tryAcquire(id == null ? ctx.ip() : id)) {
                throw ApiError.rateLimited("rate limit of " + cfg.ratePerMinute + " requests per minute exceeded; retry later");
            }
        }
    }

    private void after(Context ctx) {
        Long t0 = ctx.attribute(T0);
        if (t0 != null) {
            Long t1 = ctx.attribute(T1);
            metrics.request(endpointLabel(ctx.path()), ctx.statusCode(), (t1 != null ? t1 : System.nanoTime()) - t0);
        }
    }

    private static String endpointLabel(String path) {
        return switch (path) {
            case CHAT, "/v1/models", "/health", "/metrics", "/get_observation", "/traces", "/viewer", TraceRoutes.FEEDBACK,
                 McpEndpoint.PATH -> path;
            default -> path.startsWith("/traces/") ? "/traces/{id}" : "other";
        };
    }

    // ---- endpoints ----

    /**
     * Liveness, and with {@code ?deep=1} each deployment's state: breaker, recent error rate, last error. The status is
     * {@code degraded} (still HTTP 200: the server itself is up) when a deployment is failing, and names them.
     */
    private ObjectNode health(String deep) {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("status", "ok");
        n.put("model", orchestrator.name());
        n.put("registry", orchestrator.environment().registry().name());
        n.put("in_flight", cfg.maxConcurrent - slots.availablePermits());
        if (deep != null && !deep.equals("0") && !deep.equalsIgnoreCase("false")) {
            ArrayNode list = n.putArray("deployments");
            ArrayNode failing = n.putArray("failing");
            for (Deployments.State d : deployments.map(Deployments::states).orElse(List.of())) {
                ObjectNode o = list.addObject();
                o.put("model", d.model());
                o.put("breaker", d.breaker().map(b -> b.name().toLowerCase(Locale.ROOT)).orElse("none"));
                o.put("recent_requests", d.recentRequests());
                o.put("recent_errors", d.recentErrors());
                o.put("recent_error_rate", d.recentErrorRate());
                o.put("requests", d.requests());
                o.put("errors", d.errors());
                if (d.lastError().isPresent()) {
                    o.put("last_error", ImageInputs.abbreviate(d.lastError().get()));
                } else {
                    o.putNull("last_error");
                }
                o.put("failing", d.failing());
                if (d.failing()) {
                    failing.add(d.model());
                }
            }
            if (!failing.isEmpty()) {
                n.put("status", "degraded");
            }
        }
        return n;
    }

    private void models(Context ctx) {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("object", "list");
        ObjectNode m = n.putArray("data").addObject();
        m.put("id", orchestrator.name());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "maestro");
        ObjectNode meta = m.putObject("maestro");
        meta.put("policy", orchestrator.policy().name());
        meta.put("registry", orchestrator.environment().registry().name());
        meta.put("pairs", orchestrator.environment().registry().pairs().size());
        json(ctx, 200, n);
    }

    private void chat(Context ctx) throws IOException {
        byte[] body = readBody(ctx);
        try (ImageInputs.Batch imgs = images.batch()) {
            ChatRequest req = ChatRequest.parse(body, chatLimits, imgs, h -> Optional.ofNullable(ctx.header(h)));
            if (!slots.tryAcquire()) {
                throw ApiError.overloaded("server is at its limit of " + cfg.maxConcurrent + " concurrent requests; retry later");
            }
            metrics.inFlight().incrementAndGet();
            try {
                String id = "chatcmpl-" + HexFormat.of().formatHex(idBytes());
                Task task = new Task(id, "chat", req.question(), List.of(), List.of(), AnswerType.UNKNOWN, "chat", req.images(),
                        Map.of(), Map.of(), Map.of(), req.chat());
                Environment base = req.cache() ? orchestrator.environment() : uncached;
                Environment env = req.budget().equals(orchestrator.defaults()) ? base : base.withConfig(req.budget());
                Policy policy = orchestrator.policy();
                if (req.costWeight().isPresent()) {
                    policy = policy.withCostWeight(req.costWeight().get());
                }
                ObjectNode settings = settings(req, policy != orchestrator.policy());
                long seed = req.seed().orElseGet(seeds::incrementAndGet);
                if (req.stream()) {
                    stream(ctx, id, task, env, policy, seed, settings);
                } else {
                    long t0 = System.nanoTime();
                    EpisodeResult r = env.run(task, policy, seed);
                    double wallMs = (System.nanoTime() - t0) / 1e6;
                    ChatJson.Buffer out = ChatJson.completion(new ChatResponses.Served(id, orchestrator.name(), r, settings, wallMs),
                            System.currentTimeMillis() / 1000);
                    metrics.episode(r);
                    // the trace stores the steps as the response wrote them
                    traces.ifPresent(t -> t.record(id, task, r, out.steps()));
                    writeCompletion(ctx, out);
                }
            } finally {
                metrics.inFlight().decrementAndGet();
                slots.release();
            }
        }
    }

    /** What the request asked for, as the ledger reports it ({@code maestro.settings}). */
    private static ObjectNode settings(ChatRequest req, boolean weightApplied) {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("max_calls", req.budget().maxCalls());
        n.put("max_cost", req.budget().maxCostUsd());
        n.put("max_turns", req.budget().maxTurns());
        n.put("cache", req.cache() ? "on" : "off");
        if (req.costWeight().isPresent()) {
            ObjectNode w = n.putObject("cost_weight");
            w.put("requested", req.costWeight().get());
            // a policy that reads no cost weight ignores it; say so rather than pretend
            w.put("applied", weightApplied);
        }
        n.put("prompt_tokens_estimate", req.promptTokens());
        n.put("history_messages", req.chat().history().size());
        return n;
    }

    private void finished(String id, Task task, EpisodeResult r) {
        metrics.episode(r);
        traces.ifPresent(t -> t.record(id, task, r));
    }

    /** Server-sent events: one chunk per step as it finishes, then the answer, then the totals, then [DONE]. */
    private void stream(Context ctx, String id, Task task, Environment env, Policy policy, long seed, ObjectNode settings)
            throws IOException {
        ctx.res().setStatus(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        long createdAt = System.currentTimeMillis() / 1000;
        ChatResponses.Sse sse = new ChatResponses.Sse(out);
        ObjectNode first = ChatResponses.chunk(id, orchestrator.name(), createdAt);
        first.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta").put("role", "assistant").put("content", "");
        sse.send(first);
        StepStreamer streamer = new StepStreamer(policy, step -> {
            ObjectNode c = ChatResponses.chunk(id, orchestrator.name(), createdAt);
            c.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta");
            c.putObject("maestro").set("step", step);
            sse.send(c);
        });
        long t0 = System.nanoTime();
        EpisodeResult r = env.run(task, streamer, seed);
        double wallMs = (System.nanoTime() - t0) / 1e6;
        streamer.finish(r);
        finished(id, task, r);
        ChatResponses.finish(sse, new ChatResponses.Served(id, orchestrator.name(), r, settings, wallMs), createdAt);
    }

    private void observation(Context ctx) throws IOException {
        if (verl.isEmpty()) {
            throw ApiError.notFound("not_found", "the verl-tool bridge is not enabled on this server");
        }
        byte[] body = readBody(ctx);
        VerlBridge.Reply reply = verl.get().handle(body);
        ctx.status(reply.status());
        ctx.header("X-Process-Time", Double.toString(reply.processingMs() / 1000.0));
        ctx.contentType("application/json");
        ctx.result(reply.json());
    }

    private static volatile byte[] viewer;

    static byte[] viewerHtml() throws IOException {
        byte[] v = viewer;
        if (v == null) {
            try (InputStream in = MaestroServer.class.getResourceAsStream("viewer.html")) {
                v = Objects.requireNonNull(in, "viewer.html missing from the jar").readAllBytes();
            }
            viewer = v;
        }
        return v;
    }

    // ---- helpers ----

    private byte[] readBody(Context ctx) throws IOException {
        try (InputStream in = ctx.req().getInputStream()) {
            long declared = ctx.req().getContentLengthLong(); // checked against maxBodyBytes in before()
            if (declared >= 0 && declared <= cfg.maxBodyBytes) {
                // Exactly the declared size: readNBytes(max) would allocate an 8 KB buffer and a copy per request.
                byte[] b = new byte[(int) declared];
                int n = in.readNBytes(b, 0, b.length);
                if (n < b.length) {
                    throw ApiError.badRequest("incomplete_body", "request body ended after " + n + " of " + b.length + " bytes");
                }
                return b;
            }
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cfg.maxBodyBytes + 1));
            if (b.length > cfg.maxBodyBytes) {
                throw ApiError.tooLarge(cfg.maxBodyBytes, in);
            }
            return b;
        }
    }

    private static void json(Context ctx, int status, JsonNode n) {
        try {
            ctx.status(status).contentType("application/json").result(EpisodeJson.MAPPER.writeValueAsBytes(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A 200 chat completion written straight to the servlet stream with its length, from this thread's buffer
     * ({@link ChatJson#completion}). {@code ctx.result(bytes)} would make Javalin copy it through a fresh 32 KB buffer per
     * request. Only for successful responses: error responses keep going through {@code ctx.result} because the 404
     * handler reads it to tell a handler's own 404 from an unknown path.
     */
    private static void writeCompletion(Context ctx, ChatJson.Buffer b) throws IOException {
        // The request-duration metric ends here, as it did when Javalin wrote the result after the after-filter: a
        // loopback write wakes the client, which may preempt this thread on a busy machine, and that wait until the
        // thread runs again delays nobody.
        ctx.attribute(T1, System.nanoTime());
        ctx.status(200);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(b.size());
        b.writeTo(ctx.res().getOutputStream(), b.small());
    }

    private static void error(Context ctx, ApiError e) {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        ObjectNode err = n.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("code", e.code());
        e.param().ifPresent(p -> err.put("param", p));
        if (e.status() == 429) {
            ctx.header("Retry-After", "1");
        }
        json(ctx, e.status(), n);
    }

    /** 12 random bytes for a completion id, cut from this thread's block of DRBG output. */
    private static byte[] idBytes() {
        return ID_BYTES.get().next();
    }

    /**
     * Random bytes drawn from the thread's DRBG a block at a time: each {@code nextBytes} call costs a hash of the
     * DRBG state whatever its length (2 % of the handler's CPU samples at 12 bytes a call), so one call serves 32 ids.
     * The bytes are as unpredictable as before; each is used once.
     */
    private static final class IdBlock {
        private static final int ID = 12;
        private final byte[] block = new byte[ID * 32];
        private int used = block.length;

        byte[] next() {
            if (used == block.length) {
                IDS.get().nextBytes(block);
                used = 0;
            }
            byte[] b = Arrays.copyOfRange(block, used, used + ID);
            used += ID;
            return b;
        }
    }

    private static SecureRandom newIdRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom(); // every JDK since 9 has DRBG; this is only a fallback
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Configuration; every limit has a default suited to a single-host deployment. */
    public static final class Builder {
        private final Orchestrator orchestrator;
        private String host = "127.0.0.1";
        private int port = 8080;
        private ApiKeys keys = ApiKeys.none();
        private Optional<Boolean> requireAuth = Optional.empty();
        private long maxBodyBytes = 20L << 20;
        private int maxConcurrent = 64;
        private int ratePerMinute = 0;
        private int rateBurst = 60;
        private int maxCallsCap = 64;
        private double maxCostCap = 100;
        private Set<String> imageHosts = Set.of();
        private long maxImagePixels = ImageInputs.DEFAULT_MAX_PIXELS;
        private boolean imagePrivateAddresses;
        private Set<String> imageAddresses = Set.of();
        private Optional<TraceStore> traces = Optional.empty();
        private boolean verl = true;
        private boolean mcp = true;
        private VerlBridge.Options verlOptions = VerlBridge.Options.DEFAULT;
        private Metrics metrics = new Metrics();
        private long maxPromptTokens = ChatRequest.DEFAULT_MAX_PROMPT_TOKENS;
        private Optional<Environment> uncached = Optional.empty();
        private Optional<Deployments> deployments = Optional.empty();

        private Builder(Orchestrator orchestrator) {
            this.orchestrator = Objects.requireNonNull(orchestrator);
        }

        public Builder host(String v) { this.host = Objects.requireNonNull(v); return this; }
        /** 0 picks a free port (see {@link MaestroServer#port()}). */
        public Builder port(int v) { this.port = v; return this; }
        public Builder keys(ApiKeys v) { this.keys = Objects.requireNonNull(v); return this; }
        /** Default: required when keys are given or the host is not a loopback address. */
        public Builder requireAuth(boolean v) { this.requireAuth = Optional.of(v); return this; }
        public Builder maxBodyBytes(long v) { this.maxBodyBytes = positive(v, "maxBodyBytes"); return this; }
        /** Requests served at once (chat); more get 429 immediately. */
        public Builder maxConcurrent(int v) { this.maxConcurrent = (int) positive(v, "maxConcurrent"); return this; }
        /** Per-key requests per minute with a burst allowance; 0 (default) turns rate limiting off. */
        public Builder rateLimit(int perMinute, int burst) { this.ratePerMinute = perMinute; this.rateBurst = burst; return this; }
        /** Upper bounds a request may ask for in {@code maestro.max_calls} / {@code max_cost_usd}. */
        public Builder budgetCaps(int maxCalls, double maxCostUsd) { this.maxCallsCap = maxCalls; this.maxCostCap = maxCostUsd; return this; }
        /** Hosts whose http(s) image URLs may be fetched; empty (default) refuses every remote URL. */
        public Builder imageHosts(Set<String> v) { this.imageHosts = Set.copyOf(v); return this; }
        /** Largest image (width x height, read from its header) accepted in a request; default 40 MP. */
        public Builder maxImagePixels(long v) { this.maxImagePixels = positive(v, "maxImagePixels"); return this; }
        /** Fetch allow-listed image hosts even when they resolve to private/loopback addresses (off by default). */
        public Builder imagePrivateAddresses(boolean v) { this.imagePrivateAddresses = v; return this; }
        /** Private IP literals that allow-listed image hosts may resolve to (e.g. an internal image server). */
        public Builder imageAddresses(Set<String> ips) { this.imageAddresses = Set.copyOf(ips); return this; }
        public Builder traces(TraceStore v) { this.traces = Optional.of(v); return this; }
        public Builder verl(boolean enabled) { this.verl = enabled; return this; }
        public Builder verlOptions(VerlBridge.Options v) { this.verlOptions = Objects.requireNonNull(v); return this; }
        /** Whether to serve the MCP tool 'ask' at POST /mcp (default true). */
        public Builder mcp(boolean enabled) { this.mcp = enabled; return this; }
        public Builder metrics(Metrics v) { this.metrics = Objects.requireNonNull(v); return this; }
        /** Cap on a request's estimated prompt tokens (characters / 4 + 765 per image); default 32,768. */
        public Builder maxPromptTokens(long v) { this.maxPromptTokens = positive(v, "maxPromptTokens"); return this; }
        /**
         * The environment a request with {@code X-Maestro-Cache: off} runs in: the same experts without the record/replay
         * cache ({@code MaestroRuntime.uncached()}); default: the orchestrator's environment (no cache to bypass).
         */
        public Builder uncachedEnvironment(Environment v) { this.uncached = Optional.of(v); return this; }
        /** Deployment states for {@code /health?deep=1} and {@code /metrics} ({@code MaestroRuntime.deployments()}). */
        public Builder deployments(Deployments v) { this.deployments = Optional.of(v); return this; }

        public MaestroServer build() {
            return new MaestroServer(this);
        }

        private static long positive(long v, String name) {
            if (v <= 0) {
                throw new MaestroException(name + " must be > 0, got " + v);
            }
            return v;
        }
    }
}
