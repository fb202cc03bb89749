package dev.maestro.cli;

import dev.maestro.eval.Report;
import dev.maestro.eval.ReportWriter;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.SuiteEvaluation;
import dev.maestro.experiment.Workbench;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.runtime.Embedders;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The main job: on every shipped suite, fit baselines, train the policy, evaluate on held-out tasks, report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the main job offline on the shipped data: for each suite (MATH-V replay, BlindTest replay,",
                "simulated paper registry, MMLU-Pro replay) fits the baselines on the training split, trains the learned",
                "policy with GRPO, evaluates everything on the held-out test split (and the learned policy across cost",
                "weights), prints one table and writes report.json/report.html."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/demo")
    Path out;

    @Option(names = "--suites", split = ",", description = "Suites to run (default: ${DEFAULT-VALUE}).",
            defaultValue = "mathv,blind,blind-tools,paper-sim,mmlupro")
    List<String> suites;

    @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).", defaultValue = "7")
    long seed;

    @Option(names = "--threads", description = "Worker threads (default: number of cores).")
    Optional<Integer> threads;

    @Option(names = "--no-train", description = "Only the baselines (skip training the learned policy).")
    boolean noTrain;

    @Option(names = "--embedder", description = "Question/description embedder (default: ${DEFAULT-VALUE}).",
            defaultValue = Embedders.DEFAULT)
    String embedder;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        int n = threads.orElse(Runtime.getRuntime().availableProcessors());
        CliProgress progress = new CliProgress(!noProgress);
        List<Report> reports = new ArrayList<>();
        long t0 = System.nanoTime();
        try (CachingEmbedder emb = noTrain ? null : CliEnv.embedders().open(embedder)) {
            for (String s : suites) {
                Suite suite = Suite.load(CliEnv.home().suite(s));
                try (Workbench wb = Workbench.open(suite, Workbench.Options.defaults().withEnv(CliEnv.all()))) {
                    System.err.println("== " + suite.name() + ": " + wb.registry() + ", " + wb.tasks().size() + " tasks");
                    SuiteEvaluation.Options o = new SuiteEvaluation.Options(seed, n,
                            noTrain ? Optional.empty() : Optional.of(TrainConfig.DEFAULT.withSeed(seed)),
                            Optional.ofNullable(emb), Optional.of(out.resolve(suite.name())), progress, !noTrain,
                            GrpoTrainer.WEIGHT_GRID);
                    long s0 = System.nanoTime();
                    Report r = SuiteEvaluation.run(wb, o).report();
                    Health.report("demo", wb.health(), System.err);
                    reports.add(r);
                    System.out.println(ReportWriter.table(r));
                    System.out.printf(Locale.ROOT, "  (%s: %.1f s)%n%n", suite.name(), (System.nanoTime() - s0) / 1e9);
                    if (emb != null) {
                        emb.save();
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "Reports: %s/<suite>/report.html — demo took %.1f s%n",
                out.toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
