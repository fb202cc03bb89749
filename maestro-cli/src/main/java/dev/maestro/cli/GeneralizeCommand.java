package dev.maestro.cli;

import dev.maestro.Progress;
import dev.maestro.MaestroException;
import dev.maestro.eval.Report;
import dev.maestro.experiment.Generalization;
import dev.maestro.experiment.Onboarding;
import dev.maestro.experiment.OnboardingExperiment;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.ReportWriter;
import dev.maestro.experiment.Workbench;
import dev.maestro.onboard.ProbeSelector;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.runtime.Embedders;
import dev.maestro.task.Split;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import dev.maestro.AtomicFiles;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    @Option(names = "--leave-out", paramLabel = "M1,M2,...", description = {"Experts to leave out (default: the suite's list): "
            + "one at a time (leave-one-out); with --onboard-probes, each occurrence is one set left out together."})
    List<String> leaveOut;

    @Option(names = "--onboard-probes", split = ",", paramLabel = "N", description = {"Onboarding against retraining: for each "
            + "--leave-out set, train without it, onboard it with N probes per new pair for each N (0 = card prior only), "
            + "and compare with the policy trained with it; writes report.json/report.html with the curves."})
    List<Integer> onboardProbes;

    @Option(names = "--selectors", split = ",", defaultValue = "adaptive,random", description = "Probe selectors to compare (default: ${DEFAULT-VALUE}).")
    List<String> selectors;

    @Option(names = "--onboard-groups", defaultValue = "clusters", paramLabel = "clusters|task", description = {
            "With --onboard-probes: the groups a new model gets an ability for: clusters of the questions' embeddings "
            + "(clusters, the default; the questions' own groups below 100 training questions) or the questions' own "
            + "groups (task). docs/onboarding.md."})
    String onboardGroups;

    @Option(names = "--onboard-draws", defaultValue = "1", paramLabel = "K", description = {"With --onboard-probes: onboard "
            + "each set K times per N > 0 and selector, with independent probe seeds, and report means with 95%% intervals "
            + "over the draws (one draw of 30 probes can move a set's recovery by half its gain; default: ${DEFAULT-VALUE})."})
    int onboardDraws;

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
        checkOnboardingOptions();
        int threads = Runtime.getRuntime().availableProcessors();
        TrainConfig cfg = TrainConfig.DEFAULT.withSeed(seed);
        CliProgress progress = new CliProgress(!noProgress);
        Workbench.Options wo = cache.map(c -> Workbench.Options.defaults().withCache(c)).orElse(Workbench.Options.defaults());
        try (Workbench wb = EvalCommandSupport.open(Optional.of(suite), Optional.empty(), Optional.empty(), wo);
             CachingEmbedder emb = CliEnv.embedders().open(embedder)) {
            var train = wb.part(Split.Part.TRAIN);
            PairMatrix m = PairMatrix.compute(wb.env(), train, seed, threads, Progress.NONE);
            LearnedPolicy reference = GrpoTrainer.builder(wb.env(), train, cfg, emb, emb.name()).threads(threads)
                    .validation(wb.part(Split.Part.VALIDATION)).priors(m.accuracies()).costs(m.meanCosts())
                    .history(PairHistory.build(train, m.gradesByPair(), emb)).progress(progress).build().run().policy();
            Map<String, Object> result = new LinkedHashMap<>();
            Optional<Path> extra = unseen.or(() -> wb.suite().flatMap(s -> s.unseenModels()));
            if (extra.isPresent()) {
                result.put("unseen_specialists", Generalization.unseen(wb, reference,
                        Generalization.loadExtraModels(wb.suite().orElseThrow().registry(), extra.get()), seed, threads));
            }
            if (onboardProbes != null && !onboardProbes.isEmpty()) {
                List<List<String>> sets = leaveOut.stream().map(x -> List.of(x.split(","))).toList();
                TrainConfig gcfg = Generalization.generalizing(cfg);
                Onboarding.Grouping grouping = Onboarding.Grouping.named(onboardGroups);
                progress.start("leave-out sets", sets.size());
                OnboardingExperiment.Result on = OnboardingExperiment.run(wb, sets, onboardProbes, selectors, reference,
                        (env, known) -> GrpoTrainer.builder(env, train, gcfg, emb, emb.name()).threads(threads)
                                .validation(wb.part(Split.Part.VALIDATION)).priors(known.accuracies()).costs(known.meanCosts())
                                .history(PairHistory.build(train, known.gradesByPair(), emb)).build().run().policy(),
                        seed, onboardDraws, grouping, threads, progress);
                progress.finish();
                OnboardingExperiment.Section section = OnboardingExperiment.section(on, onboardProbes);
                result.put("onboarding", section);
                result.put("onboard_groups", grouping.toString());
                Report report = new Report(wb.name(), "test", wb.part(Split.Part.TEST).size(), seed, wb.simulated(),
                        Report.GRADING, on.systems(), Map.of("onboarding", section));
                ReportWriter.write(report, out);
                System.out.println("onboarding groups: " + grouping + " (--onboard-groups; docs/onboarding.md)");
                printOnboarding(on);
                emb.save();
                AtomicFiles.write(out.resolve("generalization.json"), ReportWriter.JSON.writeValueAsString(result));
                System.out.println("Report: " + out.resolve("report.html").toAbsolutePath());
                return 0;
            }
            List<String> loo = leaveOut != null ? leaveOut.stream().flatMap(x -> Arrays.stream(x.split(",")))
                    .map(String::strip).filter(x -> !x.isEmpty()).toList()
                    : wb.suite().map(s -> s.leaveOneOut()).orElse(List.of());
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

    /** Before anything is trained: a bad option must not cost the minutes the reference policy takes. */
    private void checkOnboardingOptions() {
        if (onboardProbes == null || onboardProbes.isEmpty()) {
            return;
        }
        if (leaveOut == null || leaveOut.isEmpty()) {
            throw new MaestroException("--onboard-probes needs at least one --leave-out M1,M2,... set");
        }
        for (int p : onboardProbes) {
            if (p < 0) {
                throw new MaestroException("--onboard-probes takes numbers >= 0, got " + p);
            }
        }
        if (onboardDraws < 1) {
            throw new MaestroException("--onboard-draws must be 1 or more, got " + onboardDraws);
        }
        selectors.forEach(ProbeSelector::named);
        Onboarding.Grouping.named(onboardGroups); // before training, not after
    }

    private static void printOnboarding(OnboardingExperiment.Result on) {
        System.out.printf(Locale.ROOT, "%-40s %-10s %5s %-9s %8s %10s %9s %8s %9s%n", "left out", "system", "N",
                "selector", "acc %", "cost $", "reward", "share", "recovery");
        for (OnboardingExperiment.Row r : on.rows()) {
            System.out.printf(Locale.ROOT, "%-40s %-10s %5d %-9s %8.2f %10.6f %9.4f %7.1f%% %9s%n", r.set(),
                    r.system(), r.probes(), r.selector(), 100 * r.accuracy(), r.meanCostUsd(), r.meanReward(),
                    100 * r.shareNew(), Double.isNaN(r.recovery()) ? "-" : String.format(Locale.ROOT, "%.2f", r.recovery()));
        }
        List<String> selectors = on.rows().stream().filter(r -> r.system().equals("onboarded"))
                .map(OnboardingExperiment.Row::selector).distinct().toList();
        for (int n : on.rows().stream().filter(r -> r.system().equals("onboarded"))
                .mapToInt(OnboardingExperiment.Row::probes).distinct().sorted().toArray()) {
            for (String sel : selectors) {
                double pooled = OnboardingExperiment.pooledRecovery(on.rows(), n, sel);
                if (!Double.isNaN(pooled)) {
                    System.out.printf(Locale.ROOT, "N=%d %s: recovery pooled over the sets %.2f (mean of the per-set shares %.2f)%n",
                            n, sel, pooled, OnboardingExperiment.meanRecovery(on.rows(), n, sel));
                }
            }
        }
        if (on.draws().stream().anyMatch(d -> d.draw() > 0)) {
            for (OnboardingExperiment.Draw d : on.draws()) {
                if (d.probes() > 0 && !Double.isNaN(d.recovery())) {
                    System.out.printf(Locale.ROOT, "%s N=%d %s draw %d: recovery %.2f, estimated accuracy %s%n", d.set(),
                            d.probes(), d.selector(), d.draw(), d.recovery(), d.estimates().entrySet().stream()
                                    .map(e -> String.format(Locale.ROOT, "%s %.1f%%", e.getKey(), 100 * e.getValue()))
                                    .toList());
                }
            }
        }
        for (OnboardingExperiment.Recovery r : on.recoveries()) {
            if (r.draws().size() > 1) {
                System.out.printf(Locale.ROOT, "N=%d %s over %d probe draws: pooled recovery %.2f [%.2f, %.2f] (draws %s)%n",
                        r.probes(), r.selector(), r.draws().size(), r.mean(), r.low(), r.high(), r.draws().stream()
                                .map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
            }
        }
        for (OnboardingExperiment.RecoveryDifference d : on.differences()) {
            if (d.draws() > 1) {
                System.out.printf(Locale.ROOT, "N=%d adaptive - random pooled recovery over %d draws: %+.2f [%+.2f, %+.2f]%n",
                        d.probes(), d.draws(), d.mean(), d.low(), d.high());
            }
        }
        for (OnboardingExperiment.Paired p : on.paired()) {
            System.out.printf(Locale.ROOT, "%s N=%d: adaptive - random reward %+.4f [%+.4f, %+.4f]%n", p.set(),
                    p.probes(), p.difference(), p.low(), p.high());
        }
    }
}
