package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Policy;
import dev.maestro.eval.Baselines;
import dev.maestro.experiment.Calibration;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.Report;
import dev.maestro.eval.ReportWriter;
import dev.maestro.eval.SystemResult;
import dev.maestro.experiment.SuiteEvaluation;
import dev.maestro.experiment.Workbench;
import dev.maestro.expert.PairHealth;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.runtime.PolicyResolver;
import dev.maestro.runtime.PolicySpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Evaluates policies (baselines and/or a checkpoint) on a split of a suite or of any registry + task file. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates policies on a split and writes report.json, report.html and plots.",
                "Baselines are fitted on the training split; upper bounds are labelled as such.",
                "Exit status 3 when some pair was unusable (auth failure, unreachable, >= 50%% failed calls);",
                "the report is written first and the console names the model and the cause."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    EvalCommandSupport where;

    @Option(names = "--split", description = "train, validation, test or all (default: ${DEFAULT-VALUE}).", defaultValue = "test")
    String split;

    @Option(names = "--policy", split = ",", description = {"Policies: baselines (all), best-single, random, keyword-router, "
            + "majority-vote, oracle, fixed:MODEL@@SKILL, llm:MODEL@BASE_URL, or a checkpoint file "
            + "(default: ${DEFAULT-VALUE})."},
            defaultValue = "baselines")
    List<String> policies;

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/eval")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Worker threads (default: number of cores).")
    Optional<Integer> threads;

    @Option(names = "--traces", description = "Write one JSONL line per episode to this file.")
    Optional<Path> traces;

    @Option(names = "--resume", description = {"Continue an interrupted run of this same command: episodes already in "
            + "the --traces file are taken from it instead of being run again (the report ends the same)."})
    boolean resume;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Option(names = "--calibrate", paramLabel = "N", defaultValue = "0", description = {
            "For a checkpoint policy: first call every pair it has no training numbers for (models added after "
            + "training) on N questions of the training split, so the policy can weigh them (no retraining; the calls "
            + "and their cost are in the report). 0 = off, the policy then knows new models by description only "
            + "(default: ${DEFAULT-VALUE}; the generalization experiments use " + Calibration.DEFAULT_SAMPLE + ")."})
    int calibrate;

    @Option(names = "--cost-weight", paramLabel = "W", description = {
            "For a checkpoint policy: the cost weight to decide with (default: the one chosen on validation when it was "
            + "trained). W = accuracy traded for spending one best-single call's worth of dollars: 0.1 means a call as "
            + "expensive as the best single expert must buy 10 points of accuracy (docs/policy.md, 'Choosing the cost weight')."})
    Optional<Double> costWeight;

    @Option(names = "--cost-sweep", split = ",", paramLabel = "W1,W2,...", description = {
            "For a checkpoint policy: also evaluate it at each of these cost weights and draw its accuracy-vs-cost curve "
            + "with every baseline's point (report section cost_sweep, cost_curve.png)."})
    List<Double> costSweep;

    @Override
    public Integer call() throws Exception {
        Workbench.Options wo = Workbench.Options.defaults();
        if (resume && traces.isEmpty()) {
            throw new MaestroException("--resume continues from the --traces file of the interrupted run; give --traces FILE");
        }
        TraceFile traceFile = traces.map(TraceFile::open).orElse(null);
        if (traceFile != null) {
            wo = wo.withTrace(traceFile);
        }
        if (resume) {
            TraceFile.Recorded done = TraceFile.read(traces.get());
            wo = wo.withResume(done);
            System.err.println("resuming: " + done.episodes().size() + " episodes already in " + traces.get());
        }
        int n = threads.orElse(Runtime.getRuntime().availableProcessors());
        CliProgress progress = new CliProgress(!noProgress);
        try (Workbench wb = open(wo)) {
            List<Task> evalTasks = switch (split.toLowerCase(Locale.ROOT)) {
                case "test" -> wb.part(Split.Part.TEST);
                case "train" -> wb.part(Split.Part.TRAIN);
                case "validation" -> wb.part(Split.Part.VALIDATION);
                case "all" -> wb.tasks();
                default -> throw new MaestroException("unknown split '" + split + "'; valid: train, validation, test, all");
            };
            List<Task> fitTasks = split.equals("test") ? wb.trainAll() : wb.part(Split.Part.TRAIN);
            if (calibrate < 0) {
                throw new MaestroException("--calibrate must be 0 (off) or a number of training questions, got " + calibrate);
            }
            if (costWeight.isPresent() && !(costWeight.get() >= 0 && costWeight.get() < Double.POSITIVE_INFINITY)) {
                throw new MaestroException("--cost-weight must be a number >= 0, got " + costWeight.get());
            }
            List<Double> sweep = costSweep == null ? List.of() : costSweep;
            if (sweep.stream().anyMatch(w -> !(w >= 0 && w < Double.POSITIVE_INFINITY))) {
                throw new MaestroException("--cost-sweep takes cost weights >= 0 separated by commas, got " + sweep);
            }
            boolean anyCheckpoint = policies.stream().anyMatch(p -> PolicySpec.parse(p) instanceof PolicySpec.Checkpoint);
            if ((costWeight.isPresent() || !sweep.isEmpty()) && !anyCheckpoint) {
                throw new MaestroException("--cost-weight and --cost-sweep apply to a learned policy: give a checkpoint file "
                        + "in --policy (e.g. runs/train/policy.ckpt)");
            }
            LearnedPolicy swept = null;
            Environment learnedEnv = wb.env();
            List<SystemResult> systems = new ArrayList<>();
            Map<String, Object> sections = new LinkedHashMap<>();
            Baselines.Fitted fitted = null;
            PolicyResolver resolver = wb.runtime().policies();
            for (String p : policies) {
                PolicySpec spec = PolicySpec.parse(p);
                if (spec instanceof PolicySpec.Checkpoint ckpt) {
                    LearnedPolicy lp = resolver.checkpoint(ckpt.file());
                    String note = "checkpoint " + p;
                    if (calibrate > 0) {
                        Calibration.Result cal = Calibration.run(wb.env(), lp, wb.part(Split.Part.TRAIN), calibrate, seed, n);
                        lp = cal.policy();
                        sections.put("calibration", cal.section());
                        note += cal.models().isEmpty() ? "; --calibrate: no new models to calibrate"
                                : "; calibrated " + cal.models() + " on " + cal.tasks() + " training questions (" + cal.calls() + " calls)";
                    }
                    if (costWeight.isPresent()) {
                        lp = lp.withCostWeight(costWeight.get());
                    }
                    note += "; cost weight " + lp.costWeight() + (costWeight.isPresent() ? " (--cost-weight)" : " (chosen on validation)");
                    // under the limits it was trained and validated with (as the demo tests it), not the environment's
                    learnedEnv = wb.env().withConfig(lp.trainedLimits(wb.env().config()));
                    note += "; at most " + learnedEnv.config().maxCalls() + " calls in " + learnedEnv.config().maxTurns()
                            + " turns, as trained";
                    List<EpisodeResult> rs = Evaluator.run(learnedEnv, lp, evalTasks, seed, n, progress);
                    systems.add(SystemResult.of("maestro", "learned", null, rs, note));
                    swept = lp;
                } else if (spec instanceof PolicySpec.Llm llmSpec) {
                    Policy llm = resolver.llm(llmSpec);
                    List<EpisodeResult> rs = Evaluator.run(wb.env(), llm, evalTasks, seed, n, progress);
                    systems.add(SystemResult.of(llm.name(), "llm", null, rs, "LLM orchestrator " + p.substring(4)));
                } else if (spec instanceof PolicySpec.Fixed fixed) {
                    Pair pair = resolver.pair(fixed);
                    systems.add(Baselines.system(wb.env(), new FixedPairPolicy(pair), evalTasks, seed, n, progress,
                            pair.id(), "fixed pair"));
                } else {
                    PolicySpec.Baseline b = (PolicySpec.Baseline) spec;
                    if (fitted == null) {
                        fitted = Baselines.fit(wb.env(), fitTasks, wb.keywords(), seed, n, progress);
                    }
                    List<SystemResult> all = Baselines.evaluate(wb.env(), evalTasks, fitted, seed, n, progress);
                    if (b.all()) {
                        systems.addAll(all);
                    } else {
                        systems.add(all.stream().filter(s -> s.name().equals(b.name())).findFirst().orElseThrow(() ->
                                new MaestroException("policy '" + b.name() + "' has no result on registry " + wb.registry().name()
                                        + " (most-expensive-expert needs a priced model); valid: " + PolicySpec.valid())));
                    }
                }
            }
            if (fitted != null) {
                sections.put("pair_accuracy_on_fit_split", fitted.train().accuracyByPair());
            }
            if (!sweep.isEmpty() && swept != null) {
                sections.put("cost_sweep", SuiteEvaluation.costSweep(learnedEnv, swept, evalTasks, systems, seed, n, sweep));
            }
            sections.put("calls_by_pair", PairHealth.section(wb.health()));
            wb.judge().ifPresent(j -> sections.put("judge", j.summary()));
            Report r = new Report(wb.name(), split, evalTasks.size(), seed, wb.simulated(),
                    Report.GRADING,
                    systems, sections);
            ReportWriter.write(r, out);
            System.out.println(ReportWriter.table(r));
            System.out.println("Report: " + out.resolve("report.html").toAbsolutePath());
            return Health.report("eval", wb.health(), System.err);
        } finally {
            if (traceFile != null) {
                traceFile.close();
            }
        }
    }

    private Workbench open(Workbench.Options wo) {
        return where.open(wo);
    }

}
