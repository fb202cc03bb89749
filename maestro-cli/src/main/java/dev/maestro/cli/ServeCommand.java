package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Policy;
import dev.maestro.experiment.Suite;
import dev.maestro.registry.Registry;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.runtime.PolicyResolver;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import dev.maestro.serve.ApiKeys;
import dev.maestro.serve.MaestroServer;
import dev.maestro.serve.Orchestrator;
import dev.maestro.serve.TraceStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The environment comes from {@link MaestroRuntime} (experts, call pool, and the record/replay cache with
 * {@code --cache}); {@code --policy} is resolved by the runtime's {@link dev.maestro.runtime.PolicyResolver}:
 * {@code fixed:MODEL@@SKILL} (default: the registry's first pair), a checkpoint, {@code llm:MODEL@BASE_URL}, or a
 * baseline fitted on the training split of {@code --suite}.
 */
@Command(name = "serve", description = {"Serve an orchestrator as an OpenAI-compatible model (POST /v1/chat/completions),",
        "with the verl-tool bridge (POST /get_observation), Prometheus metrics (/metrics) and a trace viewer (/viewer)."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--registry", required = true, paramLabel = "NAME|DIR",
            description = "registry folder, or a registry name found under registries/ or data/*/registry (e.g. paper-simulated)")
    String registry;

    @Option(names = "--policy", paramLabel = "SPEC", description = {"fixed:MODEL@@SKILL (default: the registry's first pair),",
            "a checkpoint (policy.ckpt from `maestro train`), llm:MODEL@BASE_URL, or best-single, majority-vote,",
            "keyword-router, random, most-expensive-expert (fitted on the training split of --suite)"})
    Optional<String> policy = Optional.empty();

    @Option(names = "--suite", paramLabel = "NAME|DIR", description = "suite whose training split (and router keywords) baseline policies are fitted on")
    Optional<String> suite = Optional.empty();

    @Option(names = "--cache", paramLabel = "FILE", description = "SQLite record/replay cache for live (openai) experts: an identical call is answered from the file")
    Optional<Path> cache = Optional.empty();

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
    public record Started(MaestroServer server, Registry registry, Policy policy, Optional<TraceStore> traces,
                          MaestroRuntime runtime) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            traces.ifPresent(TraceStore::close);
            runtime.close();
        }
    }

    /** Builds and starts the server from the parsed options (the part of {@link #call} that tests drive). */
    public Started start() {
        quietJetty();
        EpisodeConfig config = EpisodeConfig.DEFAULT;
        if (maxCalls.isPresent()) {
            config = config.withMaxCalls(maxCalls.get());
        }
        if (maxCost.isPresent()) {
            config = config.withMaxCost(maxCost.get());
        }
        // requests have no gold: nothing to grade
        MaestroRuntime runtime = MaestroRuntime.builder().registry(CliEnv.home().registry(registry)).env(CliEnv.all())
                .cache(cache).episode(config).grader((task, answer) -> 0).build();
        Optional<TraceStore> store = Optional.empty();
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
            store = traces.map(TraceStore::open);
            MaestroServer.Builder b = MaestroServer.builder(new Orchestrator(name, runtime.environment(), p)).host(host).port(port)
                    .keys(keys).maxConcurrent(maxConcurrent).maxBodyBytes((long) maxBodyMb << 20).imageHosts(Set.copyOf(imageHosts))
                    .imageAddresses(Set.copyOf(imageAddresses)).imagePrivateAddresses(imageAllowPrivate).verl(!noVerl);
            if (rateLimit > 0) {
                b.rateLimit(rateLimit, Math.max(1, rateLimit / 6));
            }
            store.ifPresent(b::traces);
            return new Started(b.build().start(), reg, p, store, runtime);
        } catch (RuntimeException e) {
            store.ifPresent(TraceStore::close);
            runtime.close();
            throw e;
        }
    }

    /** The --policy value resolved by the runtime (default: the registry's first pair). */
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
        return resolver.resolve(policy.orElse("fixed:" + reg.pairs().get(0).id()));
    }

    /** Jetty logs request headers (Authorization) at DEBUG; never let that reach the console. */
    private static void quietJetty() {
        Object l = LoggerFactory.getLogger("org.eclipse.jetty");
        if (l instanceof ch.qos.logback.classic.Logger lb && (lb.getLevel() == null || lb.getLevel().toInt() < ch.qos.logback.classic.Level.INFO_INT)) {
            lb.setLevel(ch.qos.logback.classic.Level.INFO);
        }
    }
}
