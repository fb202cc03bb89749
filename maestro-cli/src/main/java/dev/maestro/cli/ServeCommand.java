package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import dev.maestro.expert.Experts;
import dev.maestro.expert.SimulatedExpert;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.serve.ApiKeys;
import dev.maestro.serve.MaestroServer;
import dev.maestro.serve.Orchestrator;
import dev.maestro.serve.TraceStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maestro serve}: the OpenAI-compatible server, verl-tool bridge, metrics and trace viewer (docs/serve.md).
 *
 * <p>Policies: {@code fixed:MODEL@@SKILL} is built in (default: the registry's first pair). Every other
 * {@code --policy} value (a checkpoint path, {@code best-single}, an LLM policy) goes to the {@link #policyResolver}
 * hook given to the constructor; the default resolver refuses with a message naming what is supported.
 */
@Command(name = "serve", description = {"Serve an orchestrator as an OpenAI-compatible model (POST /v1/chat/completions),",
        "with the verl-tool bridge (POST /get_observation), Prometheus metrics (/metrics) and a trace viewer (/viewer)."})
public final class ServeCommand implements Callable<Integer> {

    /** The hook for policies that are not {@code fixed:...}: (policy spec, registry) → policy; throws MaestroException if unknown. */
    public static final BiFunction<String, Registry, Policy> NO_EXTRA_POLICIES = (spec, registry) -> {
        throw new MaestroException("--policy " + spec + ": only fixed:MODEL@@SKILL is available in this build"
                + " (checkpoint and LLM policies are not wired into 'serve' yet)");
    };

    private final BiFunction<String, Registry, Policy> policyResolver;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--registry", required = true, paramLabel = "NAME|DIR",
            description = "registry folder, or a registry name found under registries/ or data/*/registry (e.g. paper-simulated)")
    String registry;

    @Option(names = "--policy", paramLabel = "SPEC",
            description = "fixed:MODEL@@SKILL (default: the registry's first pair), or a checkpoint / best-single when wired")
    Optional<String> policy = Optional.empty();

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

    @Option(names = "--traces", paramLabel = "FILE", description = "SQLite file to store every episode (enables /traces and /viewer data)")
    Optional<Path> traces = Optional.empty();

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

    @Option(names = "--max-calls", description = "default expert calls per request (default: the episode default)")
    Optional<Integer> maxCalls = Optional.empty();

    @Option(names = "--max-cost", description = "default dollars per request (default: the episode default)")
    Optional<Double> maxCost = Optional.empty();

    @Option(names = "--no-verl", description = "do not serve the verl-tool bridge POST /get_observation")
    boolean noVerl;

    public ServeCommand() {
        this(NO_EXTRA_POLICIES);
    }

    /** @param policyResolver resolves --policy values other than fixed:... (checkpoints, best-single, LLM policies) */
    public ServeCommand(BiFunction<String, Registry, Policy> policyResolver) {
        this.policyResolver = Objects.requireNonNull(policyResolver);
    }

    /** Convenience for resolvers that do not need the registry. */
    public static ServeCommand withResolver(Function<String, Policy> resolver) {
        return new ServeCommand((s, r) -> resolver.apply(s));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Started s;
        try {
            s = start();
        } catch (MaestroException | IllegalStateException | IllegalArgumentException e) {
            err.println("maestro serve: " + e.getMessage());
            err.flush();
            return 2;
        }
        out.printf("serving '%s' (policy %s, registry %s) on %s%n  POST %s/v1/chat/completions   GET %s/viewer   GET %s/metrics%n",
                name, s.policy.name(), s.registry.name(), s.server.url(), s.server.url(), s.server.url(), s.server.url());
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            stop.countDown();
        }, "maestro-serve-shutdown"));
        stop.await();
        return 0;
    }

    /** What {@link #start} built; closing it stops the server and flushes the traces. */
    public record Started(MaestroServer server, Registry registry, Policy policy, Optional<TraceStore> traces) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            traces.ifPresent(TraceStore::close);
        }
    }

    /** Builds and starts the server from the parsed options (the part of {@link #call} that tests drive). */
    public Started start() {
        quietJetty();
        Registry reg = RegistryLoader.load(resolveRegistry(registry));
        Policy p = resolvePolicy(reg);
        ApiKeys keys = ApiKeys.none();
        String envValue = System.getenv(keysEnv);
        if (envValue != null && !envValue.isBlank()) {
            keys = keys.plus(ApiKeys.fromEnvValue(envValue));
        }
        if (keysFile.isPresent()) {
            keys = keys.plus(ApiKeys.fromFile(keysFile.get()));
        }
        EpisodeConfig config = EpisodeConfig.DEFAULT;
        if (maxCalls.isPresent()) {
            config = config.withMaxCalls(maxCalls.get());
        }
        if (maxCost.isPresent()) {
            config = config.withMaxCost(maxCost.get());
        }
        Environment env = Environment.builder(reg, Experts.forRegistry(reg, Experts.Options.builder().simulated(SimulatedExpert::create).build()),
                (task, answer) -> 0).skills(dev.maestro.skill.WorkflowSkillRunner.forRegistry(reg).validate(reg))
                .config(config).build(); // requests have no gold: nothing to grade
        Optional<TraceStore> store = traces.map(TraceStore::open);
        MaestroServer.Builder b = MaestroServer.builder(new Orchestrator(name, env, p)).host(host).port(port).keys(keys)
                .maxConcurrent(maxConcurrent).maxBodyBytes((long) maxBodyMb << 20).imageHosts(Set.copyOf(imageHosts))
                .imageAddresses(Set.copyOf(imageAddresses)).imagePrivateAddresses(imageAllowPrivate).verl(!noVerl);
        if (rateLimit > 0) {
            b.rateLimit(rateLimit, Math.max(1, rateLimit / 6));
        }
        store.ifPresent(b::traces);
        try {
            return new Started(b.build().start(), reg, p, store);
        } catch (RuntimeException e) {
            store.ifPresent(TraceStore::close);
            env.close();
            throw e;
        }
    }

    Policy resolvePolicy(Registry reg) {
        if (reg.pairs().isEmpty()) {
            throw new MaestroException("registry " + reg.name() + " has no callable (model, skill) pair to serve");
        }
        String specText = policy.orElse("fixed:" + reg.pairs().get(0).id());
        if (specText.startsWith("fixed:")) {
            String id = specText.substring("fixed:".length());
            int at = id.indexOf("@@");
            if (at <= 0 || at + 2 >= id.length()) {
                throw new MaestroException("--policy " + specText + ": expected fixed:MODEL@@SKILL");
            }
            Pair pair = new Pair(id.substring(0, at), id.substring(at + 2));
            if (!reg.hasPair(pair)) {
                throw new MaestroException("--policy " + specText + ": pair not in registry " + reg.name() + "; pairs: "
                        + String.join(", ", reg.pairs().stream().limit(12).map(Pair::id).toList()) + (reg.pairs().size() > 12 ? ", ..." : ""));
            }
            return new FixedPairPolicy(pair, "fixed:" + pair.id());
        }
        return policyResolver.apply(specText, reg);
    }

    /** A folder as given, else registries/NAME, data/NAME/registry, or any registry folder whose models.yaml has {@code name: NAME}. */
    static Path resolveRegistry(String nameOrDir) {
        Path given = Path.of(nameOrDir);
        if (Files.isDirectory(given)) {
            return given;
        }
        List<Path> candidates = new ArrayList<>(List.of(Path.of("registries", nameOrDir), Path.of("data", nameOrDir, "registry")));
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve(RegistryLoader.MODELS_FILE))) {
                return c;
            }
        }
        List<Path> folders = new ArrayList<>();
        for (Path root : List.of(Path.of("registries"), Path.of("data"))) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.list(root)) {
                    s.map(p -> root.getFileName().toString().equals("data") ? p.resolve("registry") : p)
                            .filter(p -> Files.isRegularFile(p.resolve(RegistryLoader.MODELS_FILE))).sorted().forEach(folders::add);
                } catch (java.io.IOException e) {
                    // unreadable folder: not a candidate
                }
            }
        }
        for (Path f : folders) {
            try {
                String text = dev.maestro.io.BoundedFiles.readString(f.resolve(RegistryLoader.MODELS_FILE),
                        dev.maestro.io.Limit.CONFIG_FILE);
                if (text.lines().anyMatch(l -> l.strip().equals("name: " + nameOrDir))) {
                    return f;
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // unreadable or over the size limit: not a candidate (loading it would say why)
            }
        }
        throw new MaestroException("--registry " + nameOrDir + ": no such folder and no registry of that name under registries/ or"
                + " data/*/registry; known: " + String.join(", ", folders.stream().map(Path::toString).toList()));
    }

    /** Jetty logs request headers (Authorization) at DEBUG; never let that reach the console. */
    private static void quietJetty() {
        Object l = LoggerFactory.getLogger("org.eclipse.jetty");
        if (l instanceof ch.qos.logback.classic.Logger lb && (lb.getLevel() == null || lb.getLevel().toInt() < ch.qos.logback.classic.Level.INFO_INT)) {
            lb.setLevel(ch.qos.logback.classic.Level.INFO);
        }
    }
}
