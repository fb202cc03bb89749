package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Policy;
import dev.maestro.experiment.Suite;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.runtime.PolicyResolver;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import dev.maestro.serve.ApiKeys;
import dev.maestro.serve.MaestroServer;
import dev.maestro.serve.Orchestrator;
import dev.maestro.serve.TraceStore;
import dev.maestro.expert.SqlReplyStore;
import dev.maestro.store.Database;
import dev.maestro.store.StoreLocation;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maestro serve}: the OpenAI-compatible server, verl-tool bridge, metrics and trace viewer (docs/serve.md).
 *
 * <p>The environment comes from {@link MaestroRuntime}: experts with their retries, breakers and fallbacks, the call
 * pool that runs one turn's calls in parallel, the cost precheck, and the record/replay cache (on by default, in
 * {@code $MAESTRO_HOME/.cache/serve/expert-cache.sqlite}; {@code --cache FILE} or {@code --no-cache}). {@code --policy}
 * is resolved by the runtime's {@link dev.maestro.runtime.PolicyResolver}: a checkpoint, {@code fixed:MODEL@@SKILL},
 * {@code llm:MODEL@BASE_URL}, or a baseline fitted on the training split of {@code --suite}. Without flags it serves
 * the demo's learned policy on the {@code blind-tools} registry ({@link ServeDefaultPolicy}).
 */
@Command(name = "serve", description = {"Serve an orchestrator as an OpenAI-compatible model (POST /v1/chat/completions),",
        "with the verl-tool bridge (POST /get_observation), Prometheus metrics (/metrics) and a trace viewer (/viewer).",
        "With no flags: the demo's learned policy on the blind-tools registry, no API key needed (docs/serve.md)."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--registry", paramLabel = "NAME|DIR", description = "registry folder, or a registry name found under "
            + "registries/ or data/*/registry (e.g. paper-simulated); default: " + ServeDefaultPolicy.REGISTRY)
    Optional<String> registry = Optional.empty();

    @Option(names = "--policy", paramLabel = "SPEC", description = "a checkpoint (policy.ckpt from `maestro train`), "
            + "fixed:MODEL@@SKILL, llm:MODEL@BASE_URL, or best-single, majority-vote, keyword-router, random, "
            + "most-expensive-expert (fitted on the training split of --suite). Default: without --registry the demo's "
            + "learned policy on blind-tools (trained once on the first start, then cached), else the registry's first pair")
    Optional<String> policy = Optional.empty();

    @Option(names = "--suite", paramLabel = "NAME|DIR", description = "suite whose training split (and router keywords) baseline policies are fitted on")
    Optional<String> suite = Optional.empty();

    @Option(names = "--cache", paramLabel = "FILE", description = "SQLite record/replay cache for live experts "
            + "(openai, anthropic, gemini, azure-openai, ollama): an identical call is answered from the file "
            + "(default: $MAESTRO_HOME/.cache/serve/expert-cache.sqlite)")
    Optional<Path> cache = Optional.empty();

    @Option(names = "--no-cache", description = "no record/replay cache: every call goes to the expert")
    boolean noCache;

    @Option(names = "--max-prompt-tokens", defaultValue = "32768", paramLabel = "N",
            description = "cap on a request's estimated prompt tokens (characters/4 + 765 per image); more is a 400 (default: ${DEFAULT-VALUE})")
    long maxPromptTokens;

    @Option(names = "--call-threads", paramLabel = "N", description = "threads running expert calls, shared by all requests "
            + "(default: --max-concurrent x the models, at most 8 per request, capped at 256)")
    Optional<Integer> callThreads = Optional.empty();

    @Option(names = "--name", defaultValue = "maestro", description = "model name clients send (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address (default: ${DEFAULT-VALUE}); beyond loopback keys are required")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port, 0 for a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--keys-env", defaultValue = "MAESTRO_API_KEYS", paramLabel = "VAR",
            description = "environment variable holding API keys, comma/space/newline separated (default: ${DEFAULT-VALUE})")
    String keysEnv;

    @Option(names = "--keys-file", paramLabel = "FILE", description = "file with one API key per line (# comments allowed)")
    Optional<Path> keysFile = Optional.empty();

    @Option(names = "--traces", paramLabel = "FILE", description = "SQLite file to store every episode (enables /traces, /viewer data and /v1/feedback)")
    Optional<Path> traces = Optional.empty();

    @Option(names = "--store", paramLabel = "FILE|URL", description = {"where the record/replay cache, the traces and the feedback go: "
            + "a SQLite file, or postgresql://USER@HOST:PORT/DB?password-env=VAR (password from that "
            + "variable or PGPASSWORD) shared by several replicas; replaces --cache and --traces"})
    Optional<String> store = Optional.empty();

    @Option(names = "--max-concurrent", defaultValue = "64", description = "requests served at once; more get 429 (default: ${DEFAULT-VALUE})")
    int maxConcurrent;

    @Option(names = "--rate-limit", defaultValue = "0", paramLabel = "PER_MINUTE",
            description = "requests per minute per key, 0 = off (default: ${DEFAULT-VALUE})")
    int rateLimit;

    @Option(names = "--max-body-mb", defaultValue = "20", description = "largest request body in MB (default: ${DEFAULT-VALUE})")
    int maxBodyMb;

    @Option(names = "--image-host", paramLabel = "HOST", description = "host whose http(s) image URLs may be fetched (repeatable)")
    List<String> imageHosts = new ArrayList<>();

    @Option(names = "--image-address", paramLabel = "IP", description = "private IP an allowed image host may resolve to "
            + "(repeatable; by default hosts resolving to loopback/private/link-local addresses are refused)")
    List<String> imageAddresses = new ArrayList<>();

    @Option(names = "--image-allow-private", description = "fetch allowed image hosts even when they resolve to "
            + "loopback/private/link-local addresses (an internal image server)")
    boolean imageAllowPrivate;

    @Option(names = "--max-calls", description = "default expert calls per request (default: a served checkpoint's training limit, else the episode default)")
    Optional<Integer> maxCalls = Optional.empty();

    @Option(names = "--max-cost", description = "default dollars per request (default: the episode default)")
    Optional<Double> maxCost = Optional.empty();

    @Option(names = "--no-verl", description = "do not serve the verl-tool bridge POST /get_observation")
    boolean noVerl;

    @Option(names = "--no-mcp", description = "do not serve the MCP tool 'ask' at POST /mcp (docs/mcp.md)")
    boolean noMcp;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Started s;
        try {
            s = start();
        } catch (MaestroException e) {
            err.println("maestro serve: " + e.getMessage());
            err.flush();
            return 2;
        }
        out.print(banner(s));
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            stop.countDown();
        }, "maestro-serve-shutdown"));
        stop.await();
        return 0;
    }

    /** What serve prints once listening: what it serves, where, and a curl line to call it. */
    String banner(Started s) {
        String url = s.server.url();
        String auth = s.server.authRequired() ? " -H \"Authorization: Bearer $" + keysEnv + "\"" : "";
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "serving model '%s' on %s (ready %.1f s after the JVM started)%n", name, url,
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0));
        b.append(String.format("  policy   %s (%s)%n", s.policy.name(), s.policy.kind()));
        b.append(String.format("  registry %s: %d models, %d pairs%s%n", s.registry.name(), s.registry.models().size(),
                s.registry.pairs().size(), s.runtime.environment().registry().models().stream()
                        .anyMatch(m -> m.backend() == Backend.SIMULATED) ? " (SIMULATED experts)" : ""));
        b.append(String.format("  cache    %s%n", s.replies.map(r -> r.describe()).or(() -> s.runtime.cache().map(Path::toString))
                .orElse("off")));
        b.append(String.format("  traces   %s%n", s.traces.map(t -> t.describe() + " (GET " + url + "/traces, POST " + url
                + "/v1/feedback)").orElse("off (--store or --traces FILE keeps them and accepts feedback)")));
        b.append(String.format("  endpoints POST %s/v1/chat/completions, GET %s/v1/models, %s/health?deep=1, %s/metrics, %s/viewer%n",
                url, url, url, url, url));
        if (!noMcp) {
            b.append(String.format("  MCP tool 'ask': POST %s/mcp (docs/mcp.md)%n", url));
        }
        b.append(String.format("try:%n  curl -s %s/v1/chat/completions%s -H 'Content-Type: application/json' \\%n"
                + "    -d '{\"model\": \"%s\", \"messages\": [{\"role\": \"user\", \"content\": \"%s\"}]}'%n",
                url, auth, name, example(s.registry)));
        return b.toString();
    }

    /** A question the served registry can answer (BlindTest tools need an image; see docs/serve.md for one with an image). */
    private static String example(Registry reg) {
        return reg.name().equals(ServeDefaultPolicy.REGISTRY) ? "How many circles are in the image? Answer with a number."
                : "What is 17 * 3?";
    }

    /** What {@link #start} built; closing it stops the server, flushes the traces and closes the store. */
    public record Started(MaestroServer server, Registry registry, Policy policy, Optional<TraceStore> traces,
                          MaestroRuntime runtime, Optional<SqlReplyStore> replies, Optional<Database> store) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            traces.ifPresent(TraceStore::close);
            runtime.close();
            replies.ifPresent(SqlReplyStore::close);
            store.ifPresent(Database::close);
        }
    }

    /** Builds and starts the server from the parsed options (the part of {@link #call} that tests drive). */
    public Started start() {
        quietJetty();
        if (store.isPresent() && (cache.isPresent() || traces.isPresent())) {
            throw new MaestroException("--store holds the cache and the traces: give either --store, or --cache and --traces");
        }
        Path registryDir = CliEnv.home().registry(registry.orElse(ServeDefaultPolicy.REGISTRY));
        Optional<Path> cacheFile = noCache || store.isPresent() ? Optional.empty()
                : Optional.of(cache.orElseGet(() -> CliEnv.home().cacheDir().resolve("serve").resolve("expert-cache.sqlite")));
        if (noCache && cache.isPresent()) {
            throw new MaestroException("--cache and --no-cache contradict each other; give one");
        }
        if (maxPromptTokens < 1) {
            throw new MaestroException("--max-prompt-tokens must be >= 1, got " + maxPromptTokens);
        }
        // requests have no gold: nothing to grade. Calls are checked against max_cost before they are made.
        Registry loaded = RegistryLoader.builder().env(CliEnv.all()).build().load(registryDir);
        if (callThreads.isPresent() && callThreads.get() < 1) {
            throw new MaestroException("--call-threads must be >= 1, got " + callThreads.get());
        }
        // every concurrent request may run a turn of up to 8 calls at once
        int threads = callThreads.orElse((int) Math.min(256, (long) maxConcurrent * Math.max(2, Math.min(8, loaded.models().size()))));
        Optional<Database> shared = store.map(s -> Database.open(StoreLocation.parse(s, CliEnv.all())));
        Optional<TraceStore> traceStore = Optional.empty();
        Optional<SqlReplyStore> replies = Optional.empty();
        MaestroRuntime runtime;
        try {
            replies = noCache ? Optional.empty() : shared.map(SqlReplyStore::in);
            traceStore = shared.map(TraceStore::in);
            MaestroRuntime.Builder rb = MaestroRuntime.builder().registry(loaded).env(CliEnv.all()).cache(cacheFile)
                    .grader((task, answer) -> 0).costPrecheck(true).callThreads(threads);
            maxCalls.ifPresent(rb::maxCalls);
            maxCost.ifPresent(rb::maxCost);
            replies.ifPresent(rb::cacheStore);
            runtime = rb.build();
        } catch (RuntimeException e) {
            traceStore.ifPresent(TraceStore::close);
            replies.ifPresent(SqlReplyStore::close);
            shared.ifPresent(Database::close);
            throw e;
        }
        Optional<TraceStore> store = traceStore;
        try {
            Registry reg = runtime.registry();
            Policy p = resolvePolicy(runtime);
            ApiKeys keys = ApiKeys.none();
            String envValue = CliEnv.all().get(keysEnv);
            if (envValue != null && !envValue.isBlank()) {
                keys = keys.plus(ApiKeys.fromEnvValue(envValue));
            }
            if (keysFile.isPresent()) {
                keys = keys.plus(ApiKeys.fromFile(keysFile.get()));
            }
            if (traces.isPresent()) {
                store = traces.map(TraceStore::open);
            }
            // a served checkpoint answers under the limits it was trained with unless --max-calls says otherwise;
            // requests may still set their own (maestro.max_calls, max_turns)
            EpisodeConfig served = runtime.limits(p);
            MaestroServer.Builder b = MaestroServer.builder(new Orchestrator(name, runtime.environment(served), p)).host(host).port(port)
                    .uncachedEnvironment(runtime.uncached().withConfig(served)).deployments(runtime.deployments()).maxPromptTokens(maxPromptTokens)
                    .keys(keys).maxConcurrent(maxConcurrent).maxBodyBytes((long) maxBodyMb << 20).imageHosts(Set.copyOf(imageHosts))
                    .imageAddresses(Set.copyOf(imageAddresses)).imagePrivateAddresses(imageAllowPrivate).verl(!noVerl).mcp(!noMcp);
            if (rateLimit > 0) {
                b.rateLimit(rateLimit, Math.max(1, rateLimit / 6));
            }
            store.ifPresent(b::traces);
            return new Started(b.build().start(), reg, p, store, runtime, replies, shared);
        } catch (RuntimeException e) {
            store.ifPresent(TraceStore::close);
            runtime.close();
            replies.ifPresent(SqlReplyStore::close);
            shared.ifPresent(Database::close);
            throw e;
        }
    }

    /**
     * The --policy value resolved by the runtime. Default: on the default registry, the demo's learned policy (trained
     * once, then cached); on another registry, its first pair.
     */
    Policy resolvePolicy(MaestroRuntime runtime) {
        Registry reg = runtime.registry();
        if (reg.pairs().isEmpty()) {
            throw new MaestroException("registry " + reg.name() + " has no callable (model, skill) pair to serve");
        }
        PolicyResolver resolver = runtime.policies();
        if (suite.isPresent()) {
            Suite s = Suite.load(CliEnv.home().suite(suite.get()));
            Split split = Split.of(s.splitSalt(), s.testFraction(), s.validationFraction());
            List<Task> train = TaskReader.read(s.tasks()).stream().filter(s.filter()::test)
                    .filter(t -> split.assign(t) != Split.Part.TEST).toList();
            resolver = resolver.training(train, s.keywords());
        }
        if (policy.isPresent()) {
            return resolver.resolve(policy.get());
        }
        if (registry.isEmpty()) {
            return defaultPolicy(resolver);
        }
        return resolver.resolve("fixed:" + reg.pairs().get(0).id());
    }

    private Policy defaultPolicy(PolicyResolver resolver) {
        PrintWriter err = spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
        Path ckpt = ServeDefaultPolicy.cached(CliEnv.home());
        if (Files.isRegularFile(ckpt)) {
            try {
                return resolver.checkpoint(ckpt);
            } catch (RuntimeException e) {
                // written by an older build whose format this one cannot read: train a fresh one
                err.println("maestro serve: the cached default policy " + ckpt + " cannot be loaded (" + e.getMessage()
                        + "); training it again");
            }
        }
        return resolver.checkpoint(ServeDefaultPolicy.train(CliEnv.home(), err));
    }

    /** Jetty logs request headers (Authorization) at DEBUG; never let that reach the console. */
    private static void quietJetty() {
        Object l = LoggerFactory.getLogger("org.eclipse.jetty");
        if (l instanceof ch.qos.logback.classic.Logger lb && (lb.getLevel() == null || lb.getLevel().toInt() < ch.qos.logback.classic.Level.INFO_INT)) {
            lb.setLevel(ch.qos.logback.classic.Level.INFO);
        }
    }
}
