package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.serve.VerlExport;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maestro export ...}: write training data for external trainers. */
@Command(name = "export",
        description = "Export tasks as training data for external trainers (verl).",
        subcommands = {ExportCommand.Verl.class})
public final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code maestro export verl --registry DIR --tasks FILE --out FILE.parquet [--split train|test|all]}. */
    @Command(name = "verl",
            description = {"Write tasks as Maestro/verl parquet: data_source, prompt [system, user], images [{bytes, path}],",
                    "ability, reward_model {style, ground_truth}, extra_info {answer, index, question, split, task_id, ...}.",
                    "The system prompt is generated from the registry (the one the llm policy uses)."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:written", "1:bad input (registry, tasks, images) or cannot write", "2:bad command line"})
    public static final class Verl implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--registry", required = true, paramLabel = "NAME|DIR", description = "registry folder (models.yaml + skills/) or name")
        String registry;

        @Option(names = "--tasks", required = true, paramLabel = "FILE", description = "tasks JSONL")
        Path tasks;

        @Option(names = "--out", required = true, paramLabel = "FILE.parquet", description = "parquet file to write (replaced atomically)")
        Path out;

        @Option(names = "--split", defaultValue = "all", paramLabel = "train|test|all",
                description = "which part of the id-hash split to export (default: ${DEFAULT-VALUE})")
        String split;

        @Option(names = "--split-salt", defaultValue = Split.DEFAULT_SALT, description = "salt of the id-hash split (default: ${DEFAULT-VALUE})")
        String salt;

        @Option(names = "--test-fraction", defaultValue = "0.5", description = "share of tasks in the test part (default: ${DEFAULT-VALUE})")
        double testFraction;

        @Option(names = "--max-turns", defaultValue = "4", description = "turn limit stated in the system prompt (default: ${DEFAULT-VALUE})")
        int maxTurns;

        @Option(names = "--max-calls", defaultValue = "8", description = "call limit stated in the system prompt (default: ${DEFAULT-VALUE})")
        int maxCalls;

        @Override
        public Integer call() {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String which = split.strip().toLowerCase(Locale.ROOT);
            if (!List.of("train", "test", "all").contains(which)) {
                err.println("export verl: --split must be train, test or all, got '" + split + "'");
                err.flush();
                return 2;
            }
            try {
                Registry reg = RegistryLoader.builder().env(CliEnv.all()).build().load(CliEnv.home().registry(registry));
                List<Task> all = TaskReader.read(tasks);
                // The project's split (validation folded into train): the task file's own "split" field is
                // the benchmark's (e.g. MATH-V test/testmini), not ours.
                Split s = Split.of(salt, testFraction, 0);
                List<Task> chosen = all.stream()
                        .filter(t -> which.equals("all") || part(s, t).equals(which))
                        .toList();
                EpisodeConfig config = EpisodeConfig.DEFAULT.withMaxTurns(maxTurns).withMaxCalls(maxCalls);
                VerlExport.Written w = VerlExport.tasksToParquet(chosen, reg, config, out, t -> Optional.of(part(s, t)));
                stdout.printf(Locale.ROOT, "wrote %d of %d tasks (%s split, %d images) to %s%n", w.rows(), all.size(),
                        which, w.images(), this.out);
                stdout.flush();
                return 0;
            } catch (MaestroException e) {
                err.println("export verl: " + e.getMessage());
                err.flush();
                return Main.BAD_INPUT;
            }
        }

        private static String part(Split s, Task t) {
            return s.assign(t) == Split.Part.TEST ? "test" : "train";
        }
    }
}
