package dev.maestro.experiment;

import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.Stats;
import dev.maestro.eval.Evaluator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import dev.maestro.Progress;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Environment;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Does the policy use experts it never saw in training? Two experiments, both without retraining at
 * evaluation time: leave-one-out (train without expert X, then evaluate with X added back) and unseen
 * specialists (add models from another file to a trained policy's registry).
 */
public final class Generalization {
    private Generalization() {
    }

    /** Training for generalization: random registry subsets and description dropout, so descriptions matter. */
    public static TrainConfig generalizing(TrainConfig base) {
        return base.withRegistryDropout(0.2).withDescriptionDropout(0.1);
    }

    /**
     * @param model            the expert left out
     * @param accuracyWithout  policy trained without X, evaluated without X
     * @param accuracyAdded    the same policy with X added to the registry (no retraining)
     * @param shareAdded       share of that policy's calls that went to X
     * @param accuracyAddedCalibrated the same, after calibrating X on a sample of training questions ({@link Calibration})
     * @param shareAddedCalibrated    share of that policy's calls that went to X
     * @param calibrationCalls        expert calls the calibration made
     * @param accuracyTrainedWith policy trained with X, evaluated with X (reference)
     * @param shareTrainedWith share of the reference policy's calls that went to X
     */
    public record LeaveOneOut(String model, double accuracyWithout, double accuracyAdded, double shareAdded,
                              double accuracyAddedCalibrated, double shareAddedCalibrated, long calibrationCalls,
                              double accuracyTrainedWith, double shareTrainedWith) {
    }

    /**
     * Per added model: how often it was called overall and per group, and accuracy before/after adding —
     * from descriptions alone ("after") and after calibrating the added models ({@link Calibration}).
     */
    public record Unseen(List<String> added, double accuracyBefore, double accuracyAfter, Map<String, Double> shareByModel,
                         Map<String, Map<String, Double>> shareByGroup, Map<String, Double> accuracyByGroupBefore,
                         Map<String, Double> accuracyByGroupAfter, Calibrated calibrated) {
    }

    /** The unseen-models experiment after calibration: same fields, plus what the calibration cost. */
    public record Calibrated(int sampleQuestions, long calls, double costUsd, Map<String, Double> sampleAccuracy,
                             double accuracyAfter, Map<String, Double> shareByModel,
                             Map<String, Map<String, Double>> shareByGroup, Map<String, Double> accuracyByGroupAfter) {
    }

    public static List<LeaveOneOut> leaveOneOut(Workbench wb, List<String> models, LearnedPolicy reference, TrainConfig cfg,
                                                TextEmbedder embedder, long seed, int threads, Progress progress) {
        List<Task> train = wb.part(Split.Part.TRAIN);
        List<Task> val = wb.part(Split.Part.VALIDATION);
        List<Task> test = wb.part(Split.Part.TEST);
        Environment full = wb.env();
        List<EpisodeResult> ref = Evaluator.run(asTrained(full, reference), reference, test, seed, threads, Progress.NONE);
        List<LeaveOneOut> out = new ArrayList<>();
        for (String x : models) {
            if (wb.registry().model(x).isEmpty()) {
                throw new MaestroException("leave-one-out: no model '" + x + "' in registry " + wb.registry().name()
                        + "; valid: " + wb.registry().modelIds());
            }
            Registry without = wb.registry().filterModels(m -> !m.id().equals(x));
            Environment envWithout = full.withRegistry(without, Map.of());
            PairMatrix m = PairMatrix.compute(envWithout, train, seed, threads, Progress.NONE);
            GrpoTrainer.Result r = GrpoTrainer.builder(envWithout, train, cfg, embedder, embedder.name()).threads(threads).validation(val)
                    .priors(m.accuracies()).costs(m.meanCosts()).history(PairHistory.build(train, m.gradesByPair(), embedder))
                    .progress(progress).build().run();
            LearnedPolicy p = r.policy();
            List<EpisodeResult> before = Evaluator.run(asTrained(envWithout, p), p, test, seed, threads, Progress.NONE);
            List<EpisodeResult> after = Evaluator.run(asTrained(full, p), p, test, seed, threads, Progress.NONE);
            Calibration.Result cal = Calibration.run(full, p, train, Calibration.DEFAULT_SAMPLE, seed, threads);
            List<EpisodeResult> afterCal = Evaluator.run(asTrained(full, cal.policy()), cal.policy(), test, seed, threads,
                    Progress.NONE);
            out.add(new LeaveOneOut(x, accuracy(before), accuracy(after), share(after, x), accuracy(afterCal),
                    share(afterCal, x), cal.calls(), accuracy(ref), share(ref, x)));
        }
        return out;
    }

    /**
     * {@code env} under the turn and call limits {@code p} was trained and validated with, as the demo's evaluation
     * runs it: its inputs include the share of calls left, so the environment's 8 calls would be inputs it never saw.
     */
    static Environment asTrained(Environment env, LearnedPolicy p) {
        return env.withConfig(p.trainedLimits(env.config()));
    }

    public static Unseen unseen(Workbench wb, LearnedPolicy policy, List<ModelCard> extra, long seed, int threads) {
        List<Task> test = wb.part(Split.Part.TEST);
        Registry plus = wb.registry().withModels(extra);
        List<EpisodeResult> before = Evaluator.run(asTrained(wb.env(), policy), policy, test, seed, threads, Progress.NONE);
        // The added models' experts are wired by the runtime like the others (same cache, keys and decorators).
        Environment envPlus = wb.runtime().environment(plus);
        List<EpisodeResult> after = Evaluator.run(asTrained(envPlus, policy), policy, test, seed, threads, Progress.NONE);
        Calibration.Result cal = Calibration.run(envPlus, policy, wb.part(Split.Part.TRAIN), Calibration.DEFAULT_SAMPLE,
                seed, threads);
        List<EpisodeResult> afterCal = Evaluator.run(asTrained(envPlus, cal.policy()), cal.policy(), test, seed, threads,
                Progress.NONE);
        Calibrated c = new Calibrated(cal.tasks(), cal.calls(), Stats.round(cal.costUsd(), 6), cal.accuracy(),
                Stats.round(accuracy(afterCal), 4), shares(afterCal, extra), sharesByGroup(afterCal, extra),
                byGroupAccuracy(afterCal));
        return new Unseen(extra.stream().map(ModelCard::id).toList(), Stats.round(accuracy(before), 4),
                Stats.round(accuracy(after), 4), shares(after, extra), sharesByGroup(after, extra), byGroupAccuracy(before),
                byGroupAccuracy(after), c);
    }

    private static Map<String, Double> shares(List<EpisodeResult> rs, List<ModelCard> models) {
        Map<String, Double> out = new LinkedHashMap<>();
        models.forEach(c -> out.put(c.id(), Stats.round(share(rs, c.id()), 4)));
        return out;
    }

    private static Map<String, Map<String, Double>> sharesByGroup(List<EpisodeResult> rs, List<ModelCard> models) {
        Map<String, List<EpisodeResult>> groups = new TreeMap<>();
        rs.forEach(r -> groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r));
        Map<String, Map<String, Double>> out = new TreeMap<>();
        for (ModelCard c : models) {
            Map<String, Double> g = new TreeMap<>();
            groups.forEach((k, v) -> g.put(k, Stats.round(share(v, c.id()), 4)));
            out.put(c.id(), g);
        }
        return out;
    }

    /**
     * Loads extra model cards from a file holding a {@code models:} list in the registry format, validated by
     * the registry loader against the base registry's skills.
     */
    public static List<ModelCard> loadExtraModels(Path registryFolder, Path extraModelsFile) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try {
            JsonNode base = yaml.readTree(BoundedFiles.readBytes(registryFolder.resolve(RegistryLoader.MODELS_FILE),
                    Limit.CONFIG_FILE));
            JsonNode extra = yaml.readTree(BoundedFiles.readBytes(extraModelsFile, Limit.CONFIG_FILE));
            if (extra == null || !extra.path("models").isArray()) {
                throw new MaestroException(extraModelsFile + ": expected a `models:` list");
            }
            Path tmp = Files.createTempDirectory("maestro-registry-plus");
            ObjectNode merged = ((ObjectNode) base).deepCopy();
            ArrayNode ms = (ArrayNode) merged.withArray("models");
            extra.path("models").forEach(ms::add);
            Path folder = tmp.resolve("registry");
            Files.createDirectories(folder);
            yaml.writeValue(folder.resolve(RegistryLoader.MODELS_FILE).toFile(), merged);
            copyTree(registryFolder.resolve(RegistryLoader.SKILLS_DIR), folder.resolve(RegistryLoader.SKILLS_DIR));
            Registry plus = RegistryLoader.load(folder);
            List<ModelCard> out = new ArrayList<>();
            extra.path("models").forEach(n -> out.add(plus.model(n.path("id").asText()).orElseThrow()));
            return out;
        } catch (LimitExceededException e) {
            throw new MaestroException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MaestroException("cannot read extra models " + extraModelsFile + ": " + e.getMessage(), e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static double accuracy(List<EpisodeResult> rs) {
        return rs.stream().mapToDouble(EpisodeResult::grade).average().orElse(0);
    }

    static double share(List<EpisodeResult> rs, String model) {
        int n = 0;
        int hit = 0;
        for (EpisodeResult r : rs) {
            for (var s : r.steps()) {
                for (var o : s.observations()) {
                    n++;
                    if (o.call().model().equals(model)) {
                        hit++;
                    }
                }
            }
        }
        return n == 0 ? 0 : hit / (double) n;
    }

    static Map<String, Double> byGroupAccuracy(List<EpisodeResult> rs) {
        Map<String, double[]> g = new TreeMap<>();
        rs.forEach(r -> {
            double[] x = g.computeIfAbsent(r.group(), k -> new double[2]);
            x[0] += r.grade();
            x[1]++;
        });
        Map<String, Double> out = new TreeMap<>();
        g.forEach((k, v) -> out.put(k, Stats.round(v[0] / v[1], 4)));
        return out;
    }

}
