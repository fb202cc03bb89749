package dev.maestro.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.episode.Environment;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.ReportWriter;
import dev.maestro.experiment.OnboardedPolicy;
import dev.maestro.experiment.Onboarding;
import dev.maestro.experiment.Workbench;
import dev.maestro.onboard.AbilityPosterior.Interval;
import dev.maestro.onboard.ProbeSession;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maestro onboard}: places experts a checkpoint never saw from a few probes each, and writes a policy file. */
@Command(name = "onboard", mixinStandardHelpOptions = true,
        description = {"Finds the (model, skill) pairs of the registry that the checkpoint has no numbers for, probes each",
                "on at most --probes training questions (chosen adaptively under an item-response model fitted on the",
                "known pairs' training outcomes, or at random), and writes a policy file that eval, serve and the",
                "library load like a checkpoint. Prints and writes (FILE.json) the probes, their cost and each new",
                "pair's estimated accuracy per group with a 95%% interval. --probes 0 uses the model-card prior alone.",
                "Probes go through the record/replay cache (--cache) and stop at --budget. docs/onboarding.md."})
final class OnboardCommand implements Callable<Integer> {
    @Mixin
    EvalCommandSupport where;

    @Option(names = "--policy", required = true, paramLabel = "CKPT", description = "The trained checkpoint.")
    Path policy;

    @Option(names = "--probes", required = true, paramLabel = "N", description = "Probes per new pair at most (0: card prior only).")
    int probes;

    @Option(names = "--budget", paramLabel = "USD", description = {"Stop probing before spending more than this (US dollars, "
            + "all new pairs together): a probe starts only if one priced like the dearest call seen still fits."})
    Optional<Double> budget;

    @Option(names = "--selector", defaultValue = "adaptive", description = "adaptive, informative (adaptive weighing each question's fitted discrimination, as before) or random (default: ${DEFAULT-VALUE}).")
    String selector;

    @Option(names = "--tolerance", defaultValue = "0.03", description = {"Stop probing a pair early when its overall "
            + "accuracy's 95%% half-width is at most this and every group's at most 3x (0: never; default: ${DEFAULT-VALUE})."})
    double tolerance;

    @Option(names = "--groups", defaultValue = "clusters", paramLabel = "clusters|task", description = {
            "The groups a new pair gets an ability for: clusters of the questions' embeddings (clusters, the default; the "
            + "questions' own groups below 100 training questions) or the questions' own groups (task). Estimates are "
            + "reported per the questions' own groups either way. docs/onboarding.md."})
    String groups;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The onboarded policy file to write (FILE.json gets the probes and estimates).")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Worker threads for the known pairs' outcomes (default: number of cores).")
    Optional<Integer> threads;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        if (!(tolerance >= 0)) {
            throw new MaestroException("--tolerance must be a number >= 0 (0: never stop early), got " + tolerance);
        }
        Onboarding.Options options = new Onboarding.Options(probes, budget.orElse(Double.POSITIVE_INFINITY),
                selector.toLowerCase(Locale.ROOT), tolerance, seed).withGrouping(Onboarding.Grouping.named(groups));
        int n = threads.orElse(Runtime.getRuntime().availableProcessors());
        if (n < 1) {
            throw new MaestroException("--threads must be at least 1, got " + n);
        }
        CliProgress progress = new CliProgress(!noProgress);
        try (Workbench wb = where.open(Workbench.Options.defaults())) {
            LearnedPolicy lp = wb.runtime().policies().checkpoint(policy);
            List<Pair> fresh = Onboarding.newPairs(wb.registry(), lp);
            if (fresh.isEmpty()) {
                throw new MaestroException("every pair of registry " + wb.registry().name() + " has numbers in " + policy
                        + "; nothing to onboard (add models to the registry, or give --registry with the new ones)");
            }
            List<Task> train = wb.part(Split.Part.TRAIN);
            Set<String> newModels = new HashSet<>();
            fresh.forEach(p -> newModels.add(p.model()));
            Registry known = wb.registry().filterModels(m -> !newModels.contains(m.id()));
            PairMatrix m;
            try (Workbench own = where.openSuiteRegistry(Workbench.Options.defaults()).orElse(null)) {
                Environment knownEnv = wb.env().withRegistry(known, Map.of());
                String from = "registry " + wb.registry().name();
                // The known pairs' outcomes are what the checkpoint was trained on: for a suite written by collect,
                // its recordings. Asking the live models of --registry again would pay for every call a second time.
                if (own != null) {
                    Registry ownKnown = own.registry().filterModels(c -> known.model(c.id()).isPresent());
                    if (Set.copyOf(ownKnown.pairs()).equals(Set.copyOf(known.pairs()))) {
                        knownEnv = own.env().withRegistry(ownKnown, Map.of());
                        from = "the suite's own registry " + own.registry().name();
                    }
                }
                System.err.println("onboarding " + fresh.size() + " new pair(s) " + fresh.stream().map(Pair::id).toList()
                        + "; known pairs' outcomes on " + train.size() + " training questions first, from " + from);
                m = PairMatrix.compute(knownEnv, train, seed, n, progress);
            }
            Onboarding.Result r = Onboarding.run(wb.env(), lp, Onboarding.outcomes(m), train, Map.of(),
                    options.withExpectedProbeCost(Onboarding.expectedProbeCost(m, wb.registry(), fresh)), progress);
            Map<String, Object> report = report(r, options);
            OnboardedPolicy.write(out, policy, r, wb.registry(), report);
            AtomicFiles.write(Path.of(out + ".json"), ReportWriter.JSON.writeValueAsString(report));
            print(r);
            String placed = r.clustered()
                    ? r.fitted().size() + " clusters of the question embeddings (--groups; the estimates are per the "
                    + "questions' own groups when they have two or more)"
                    : "the questions' own " + r.fitted().size() + " group(s)";
            System.out.println("abilities placed per " + placed + "; " + out + ".json lists them under fitted_groups");
            System.out.println("wrote " + out + " (load it like a checkpoint: eval --policy " + out + ") and " + out + ".json");
        } catch (JsonProcessingException e) {
            throw new MaestroException("cannot write the onboarding report: " + e.getMessage(), e);
        }
        return 0;
    }

    static Map<String, Object> report(Onboarding.Result r, Onboarding.Options o) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("probes_per_pair", o.probes());
        top.put("selector", o.selector());
        top.put("budget_usd", Double.isInfinite(o.budgetUsd()) ? null : o.budgetUsd());
        top.put("tolerance", o.tolerance());
        top.put("seed", o.seed());
        top.put("groups", o.grouping().toString());
        top.put("fitted_groups", r.fitted());
        top.put("fitted_clusters", r.clustered());
        top.put("calls", r.calls());
        top.put("cost_usd", r.costUsd());
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("known_models", r.card().models());
        card.put("uses_card", r.card().usesCard());
        card.put("loo_ability_rmse_card", finite(r.card().cardRmse()));
        card.put("loo_ability_rmse_mean", finite(r.card().meanRmse()));
        card.put("loo_accuracy_mae_card", finite(r.card().cardAccuracyMae()));
        card.put("loo_accuracy_mae_mean", finite(r.card().meanAccuracyMae()));
        top.put("card_prior", card);
        List<Object> pairs = new ArrayList<>();
        for (Onboarding.PairResult p : r.pairs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pair", p.pair().id());
            m.put("prior", p.priorSource());
            m.put("prior_accuracy", interval(p.priorAccuracy()));
            m.put("accuracy", interval(p.accuracy()));
            Map<String, Object> groups = new LinkedHashMap<>();
            p.byGroup().forEach((g, i) -> groups.put(g, interval(i)));
            m.put("by_group", groups);
            m.put("stop", p.stop().text());
            m.put("answer_rate", round(p.answerRate()));
            m.put("cost_usd", p.costUsd());
            m.put("expected_cost_per_call_usd", r.costs().get(p.pair()));
            List<Object> probes = new ArrayList<>();
            for (ProbeSession.Probe pr : p.probes()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("task_id", pr.question());
                x.put("group", pr.group());
                x.put("grade", pr.grade().isPresent() ? pr.grade().getAsDouble() : null);
                x.put("cost_usd", pr.costUsd());
                pr.failure().ifPresent(f -> x.put("failure", f));
                probes.add(x);
            }
            m.put("probes", probes);
            pairs.add(m);
        }
        top.put("pairs", pairs);
        return top;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Map<String, Double> interval(Interval i) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("estimate", round(i.estimate()));
        m.put("low", round(i.low()));
        m.put("high", round(i.high()));
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    static void print(Onboarding.Result r) {
        for (Onboarding.PairResult p : r.pairs()) {
            long graded = p.probes().stream().filter(x -> x.grade().isPresent()).count();
            long right = p.probes().stream().filter(x -> x.grade().isPresent() && x.grade().getAsDouble() >= 0.5).count();
            System.out.printf(Locale.ROOT, "%s: %d probes (%d graded, %d right, %d failed), $%.4f, %s%n", p.pair().id(),
                    p.probes().size(), graded, right, p.failures(), p.costUsd(), p.stop().text());
            System.out.printf(Locale.ROOT, "  prior: %s: %s%n", p.priorSource(), show(p.priorAccuracy()));
            System.out.printf(Locale.ROOT, "  estimated accuracy: %s%n", show(p.accuracy()));
            System.out.printf(Locale.ROOT, "  answer rate: %.1f%% of calls answered (failed calls count as no right answer)%n",
                    100 * p.answerRate());
            System.out.printf(Locale.ROOT, "  expected cost per call: $%.6f (%s)%n", r.costs().get(p.pair()),
                    p.probes().isEmpty() ? "from its price, at the tokens the known pairs' calls take"
                            : "the mean of its " + p.probes().size() + " probes");
            p.byGroup().forEach((g, i) -> System.out.printf(Locale.ROOT, "    %-24s %s%n", g, show(i)));
        }
        System.out.printf(Locale.ROOT, "total: %d probes, $%.4f%n", r.calls(), r.costUsd());
    }

    private static String show(Interval i) {
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * i.estimate(), 100 * i.low(), 100 * i.high());
    }
}
