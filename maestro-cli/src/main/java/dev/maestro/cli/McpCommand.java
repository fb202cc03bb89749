package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.Policy;
import dev.maestro.experiment.Suite;
import dev.maestro.mcp.server.AskTool;
import dev.maestro.mcp.server.LocalImages;
import dev.maestro.mcp.server.MaestroMcpServer;
import dev.maestro.registry.Registry;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.runtime.PolicyResolver;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maestro mcp}: Maestro as an MCP server on standard input/output, offering the tool {@code ask} (question,
 * images, budget → answer and ledger; docs/mcp.md). Registry and policy are chosen as for {@code maestro serve}, with
 * the same default (the demo's learned policy on blind-tools, trained once into the cache).
 *
 * <p>Standard output carries MCP messages only: everything else (logs, progress, stray prints) goes to standard
 * error. The registry and its experts are built before the server starts, so a bad registry ends the command at once
 * (exit 2), and so does a bad --policy. Only the default policy's first training (no cached checkpoint yet) runs in the
 * background, so a client can list the tools at once, and {@code ask} waits for it.
 */
@Command(name = "mcp", description = {"Serve Maestro as an MCP server over stdin/stdout with the tool 'ask'",
        "(question, optional images and budget -> answer and ledger).",
        "docs/mcp.md has a configuration snippet for MCP clients such as Claude Desktop;",
        "'maestro serve' offers the same tool at POST /mcp."})
public final class McpCommand implements Callable<Integer> {
    /** The registry served when none is given, as by {@code serve}: shipped, offline, no keys. */
    static final String DEFAULT_REGISTRY = ServeDefaultPolicy.REGISTRY;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--registry", paramLabel = "NAME|DIR", description = {"registry folder, or a registry name found under "
            + "registries/ or data/*/registry (default: " + DEFAULT_REGISTRY + ")"})
    Optional<String> registry = Optional.empty();

    @Option(names = "--policy", paramLabel = "SPEC", description = {"fixed:MODEL@@SKILL (default: the demo's learned policy "
            + "without --registry, as for serve; else the registry's first pair), "
            + "a checkpoint (policy.ckpt from `maestro train`), llm:MODEL@BASE_URL, or best-single, majority-vote, "
            + "keyword-router, random, most-expensive-expert (fitted on the training split of --suite)"})
    Optional<String> policy = Optional.empty();

    @Option(names = "--suite", paramLabel = "NAME|DIR", description = "suite whose training split (and router keywords) baseline policies are fitted on")
    Optional<String> suite = Optional.empty();

    @Option(names = "--cache", paramLabel = "FILE", description = "SQLite record/replay cache for live experts: an identical call is answered from the file")
    Optional<Path> cache = Optional.empty();

    @Option(names = "--max-calls", description = "default expert calls per question (default: a checkpoint's training limit, else the episode default)")
    Optional<Integer> maxCalls = Optional.empty();

    @Option(names = "--max-cost", description = "default dollars per question (default: the episode default)")
    Optional<Double> maxCost = Optional.empty();

    @Option(names = "--no-image-paths", description = "accept images as data URLs only, not as paths of local files")
    boolean noImagePaths;

    @Option(names = "--ready-timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "how long 'ask' waits for the policy to be ready (default: ${DEFAULT-VALUE})")
    int readyTimeout;

    @Override
    public Integer call() throws Exception {
        // MCP owns the real standard output; anything else printed from here on lands on standard error
        OutputStream channel = new FileOutputStream(FileDescriptor.out);
        InputStream in = new FileInputStream(FileDescriptor.in);
        PrintStream previous = System.out;
        System.setOut(System.err);
        try {
            return serve(in, channel);
        } finally {
            System.setOut(previous);
        }
    }

    /** Serves until the client closes {@code in}; exit 2 with one line on standard error for a bad registry. */
    int serve(InputStream in, OutputStream out) throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        MaestroRuntime runtime;
        try {
            runtime = runtime();
        } catch (MaestroException | IllegalArgumentException e) {
            err.println("maestro mcp: " + e.getMessage());
            err.flush();
            return Main.BAD_INPUT;
        }
        CompletableFuture<AskTool.Backend> ready;
        try {
            Optional<Policy> now = resolveNow(runtime);
            if (now.isPresent()) {
                ready = CompletableFuture.completedFuture(backend(runtime, now.get()));
                err.println("maestro mcp: ready (policy " + now.get().name() + ", registry " + runtime.registry().name() + ")");
            } else {
                err.println("maestro mcp: no trained default policy in " + ServeDefaultPolicy.cached(CliEnv.home()).getParent()
                        + " yet: training it once in the background (about half a minute on 2 quiet cores); 'ask' waits for it");
                ready = CompletableFuture.supplyAsync(() -> backend(runtime, trainDefault(runtime)));
                ready.whenComplete((b, e) -> {
                    // nothing to say when the client left before training ended (the process is ending)
                    if (e != null && !(cause(e) instanceof CancellationException)) {
                        err.println("maestro mcp: " + cause(e).getMessage());
                    } else if (e == null) {
                        err.println("maestro mcp: ready (policy " + b.policy().name() + ", registry " + runtime.registry().name() + ")");
                    }
                    err.flush();
                });
            }
        } catch (MaestroException | IllegalArgumentException e) {
            err.println("maestro mcp: " + e.getMessage());
            err.flush();
            runtime.close();
            return Main.BAD_INPUT;
        }
        err.flush();
        AskTool tool = AskTool.create(() -> await(ready), LocalImages.create(!noImagePaths),
                noImagePaths ? AskTool.Options.HTTP : AskTool.Options.STDIO, AskTool.Listener.NONE);
        try (MaestroMcpServer server = MaestroMcpServer.stdio(tool, in, out)) {
            server.awaitEnd();
        } finally {
            ready.cancel(true);
            runtime.close();
        }
        return 0;
    }

    /**
     * What {@code ask} runs: the policy under the runtime's limits for it, so a checkpoint answers under the turn and
     * call limits it was trained with unless --max-calls says otherwise ({@link MaestroRuntime#limits}).
     */
    static AskTool.Backend backend(MaestroRuntime runtime, Policy policy) {
        return new AskTool.Backend("maestro", runtime.environment(policy), policy);
    }

    private AskTool.Backend await(CompletableFuture<AskTool.Backend> ready) {
        try {
            return ready.get(readyTimeout, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = cause(e);
            throw c instanceof MaestroException m ? m : new MaestroException("the policy could not be loaded: " + c);
        } catch (TimeoutException e) {
            throw new MaestroException("the policy is still loading after " + Duration.ofSeconds(readyTimeout).toSeconds()
                    + " s (--ready-timeout); try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MaestroException("interrupted while waiting for the policy");
        }
    }

    private static Throwable cause(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    MaestroRuntime runtime() {
        // questions have no gold: nothing to grade
        MaestroRuntime.Builder b = MaestroRuntime.builder().registry(CliEnv.home().registry(registry.orElse(DEFAULT_REGISTRY)))
                .env(CliEnv.all()).cache(cache).grader((task, answer) -> 0);
        maxCalls.ifPresent(b::maxCalls);
        maxCost.ifPresent(b::maxCost);
        MaestroRuntime rt = b.build();
        if (rt.registry().pairs().isEmpty()) {
            rt.close();
            throw new MaestroException("registry " + rt.registry().name() + " has no callable (model, skill) pair to serve");
        }
        return rt;
    }

    /**
     * The --policy value resolved by the runtime, with serve's defaults; empty only when the default policy has no
     * usable cached checkpoint and must be trained first ({@link #trainDefault}), which is the one slow case.
     */
    Optional<Policy> resolveNow(MaestroRuntime runtime) {
        Registry reg = runtime.registry();
        PolicyResolver resolver = resolver(runtime);
        if (policy.isPresent()) {
            return Optional.of(resolver.resolve(policy.get()));
        }
        if (registry.isPresent()) {
            return Optional.of(resolver.resolve("fixed:" + reg.pairs().get(0).id()));
        }
        Path ckpt = ServeDefaultPolicy.cached(CliEnv.home());
        if (Files.isRegularFile(ckpt)) {
            try {
                return Optional.of(resolver.checkpoint(ckpt));
            } catch (RuntimeException e) {
                // written by an older build whose format this one cannot read: train a fresh one
                spec.commandLine().getErr().println("maestro mcp: the cached default policy " + ckpt + " cannot be loaded ("
                        + e.getMessage() + "); training it again");
            }
        }
        return Optional.empty();
    }

    /**
     * What {@code serve} serves without flags: the demo's learned policy on blind-tools, trained once into the cache.
     * Quietly (no progress bars, no "maestro serve:" lines): standard error is the MCP client's log here, and this
     * command says itself that it trains and when it is ready.
     */
    private Policy trainDefault(MaestroRuntime runtime) {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        return resolver(runtime).checkpoint(ServeDefaultPolicy.train(CliEnv.home(), quiet, false));
    }

    private PolicyResolver resolver(MaestroRuntime runtime) {
        PolicyResolver resolver = runtime.policies();
        if (suite.isPresent()) {
            Suite s = Suite.load(CliEnv.home().suite(suite.get()));
            Split split = Split.of(s.splitSalt(), s.testFraction(), s.validationFraction());
            List<Task> train = TaskReader.read(s.tasks()).stream().filter(s.filter()::test)
                    .filter(t -> split.assign(t) != Split.Part.TEST).toList();
            resolver = resolver.training(train, s.keywords());
        }
        return resolver;
    }
}
