package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.Workbench;
import dev.maestro.runtime.MaestroHome;
import dev.maestro.task.Split;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The --suite / --registry / --tasks / --cache options shared by eval, train and collect (a picocli mixin), and opening them. */
final class EvalCommandSupport {
    @Option(names = "--suite", description = "Suite name (mathv, blind, blind-tools, paper-sim, mmlupro) or folder or file with suite.yaml.")
    Optional<String> suite;

    @Option(names = "--registry", description = "Registry name or folder (overrides the suite's).")
    Optional<String> registry;

    @Option(names = "--tasks", description = "Task JSONL file (overrides the suite's).")
    Optional<Path> tasks;

    @Option(names = "--cache", paramLabel = "FILE", description = "SQLite record/replay cache for live experts (openai, anthropic, gemini, azure-openai, ollama): "
            + "a call (model, skill, prompt, images, sampling) is made once, then answered from the file, also in later runs.")
    Optional<Path> cache;

    Workbench open(Workbench.Options wo) {
        return open(suite, registry, tasks, cache.isPresent() ? wo.withCache(cache.get()) : wo);
    }

    /**
     * The suite's own registry over the same questions, when --registry overrides it (empty otherwise). For a suite
     * written by {@code collect} that is the recorded replies of the models it was collected from: what a command
     * needs to know about those models, read for free instead of asked again of the live registry.
     */
    Optional<Workbench> openSuiteRegistry(Workbench.Options wo) {
        if (suite.isEmpty() || registry.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(open(suite, Optional.empty(), tasks, cache.isPresent() ? wo.withCache(cache.get()) : wo));
    }

    static Workbench open(Optional<String> suite, Optional<String> registry, Optional<Path> tasks, Workbench.Options options) {
        Workbench.Options wo = options.withEnv(CliEnv.all());
        MaestroHome home = CliEnv.home();
        if (suite.isPresent()) {
            Suite s = Suite.load(home.suite(suite.get()));
            if (registry.isEmpty() && tasks.isEmpty()) {
                return Workbench.open(s, wo);
            }
            return Workbench.open(s.name(), registry.map(home::registry).orElse(s.registry()), tasks.orElse(s.tasks()),
                    Split.of(s.splitSalt(), s.testFraction(), s.validationFraction()), s.relativeTolerance(), Optional.of(s), wo);
        }
        if (registry.isEmpty() || tasks.isEmpty()) {
            throw new MaestroException("give --suite NAME, or both --registry and --tasks");
        }
        return Workbench.open(tasks.get().getFileName().toString(), home.registry(registry.get()), tasks.get(),
                Split.standard(), 0, Optional.empty(), wo);
    }
}
