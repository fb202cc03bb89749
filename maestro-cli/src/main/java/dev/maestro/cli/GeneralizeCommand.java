package dev.maestro.cli;

import dev.maestro.Progress;
import dev.maestro.experiment.Generalization;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.ReportWriter;
import dev.maestro.experiment.Workbench;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.runtime.Embedders;
import dev.maestro.task.Split;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import dev.maestro.AtomicFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Leave-one-out and unseen-expert experiments: does the policy use experts it was not trained with? */
@Command(name = "generalize", mixinStandardHelpOptions = true,
        description = {"For each --leave-out expert X: trains a policy without X, evaluates it without and with X added",
                "(no retraining), next to a policy trained with X. With --unseen FILE: adds the models of FILE to the",
                "trained policy's registry and reports how often and where they are called. Writes generalization.json."})
final class GeneralizeCommand implements Callable<Integer> {
    @Option(names = "--suite", required = true, description = "Suite name or folder.")
    String suite;

    @Option(names = "--leave-out", split = ",", description = "Experts to leave out (default: the suite's list).")
    List<String> leaveOut;

    @Option(names = "--unseen", description = "File with extra models (a `models:` list), default: the suite's.")
    Optional<Path> unseen;

    @Option(names = "--out", defaultValue = "runs/generalize", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cache", paramLabel = "FILE", description = "SQLite record/replay cache for live experts (openai, anthropic, gemini, azure-openai, ollama): "
            + "a call is made once, then answered from the file, also in later runs.")
    Optional<Path> cache;

    @Option(names = "--embedder", defaultValue = Embedders.DEFAULT, description = "Embedder (default: ${DEFAULT-VALUE}).")
    String embedder;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        TrainConfig cfg = TrainConfig.DEFAULT.withSeed(seed);
        CliProgress progress = new CliProgress(!noProgress);
        Workbench.Options wo = cache.map(c -> Workbench.Options.defaults().withCache(c)).orElse(Workbench.Options.defaults());
        try (Workbench wb = EvalCommandSupport.open(Optional.of(suite), Optional.empty(), Optional.empty(), wo);
             CachingEmbedder emb = CliEnv.embedders().open(embedder)) {
            var train = wb.part(Split.Part.TRAIN);
            PairMatrix m = PairMatrix.compute(wb.env(), train, seed, threads, Progress.NONE);
            LearnedPolicy reference = GrpoTrainer.builder(wb.env(), train, cfg, emb, emb.name()).threads(threads)
                    .validation(wb.part(Split.Part.VALIDATION)).priors(m.accuracies())
                    .history(PairHistory.build(train, m.gradesByPair(), emb)).progress(progress).build().run().policy();
            Map<String, Object> result = new LinkedHashMap<>();
            Optional<Path> extra = unseen.or(() -> wb.suite().flatMap(s -> s.unseenModels()));
            if (extra.isPresent()) {
                result.put("unseen_specialists", Generalization.unseen(wb, reference,
                        Generalization.loadExtraModels(wb.suite().orElseThrow().registry(), extra.get()), seed, threads));
            }
            List<String> loo = leaveOut != null ? leaveOut : wb.suite().map(s -> s.leaveOneOut()).orElse(List.of());
            if (!loo.isEmpty()) {
                result.put("leave_one_out", Generalization.leaveOneOut(wb, loo, reference, Generalization.generalizing(cfg),
                        emb, seed, threads, progress));
            }
            emb.save();
            String json = ReportWriter.JSON.writeValueAsString(result);
            AtomicFiles.write(out.resolve("generalization.json"), json);
            System.out.println(json);
        }
        return 0;
    }
}
