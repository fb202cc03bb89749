package dev.maestro.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.Progress;
import dev.maestro.onboard.ExpertCard;
import dev.maestro.onboard.ItemResponseModel;
import dev.maestro.onboard.Outcomes;
import dev.maestro.onboard.ProbeEvaluation;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.task.Split;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Offline onboarding measurement on a replay suite's recorded outcomes ({@link ProbeEvaluation}): each recorded
 * (model, skill) pair in turn is the new expert; estimate error against the number of probes, adaptive and random.
 * {@code SUITE_DIR [RUNS] [SEED] [train]} (RUNS: probing runs per model and selector; {@code train}: score against the TRAIN split instead of TEST, for
 * choices that must not see the test split); the suite folder holds {@code tasks.jsonl} (id, group),
 * {@code recorded.jsonl.gz} (task_id, model, skill, correct) and {@code registry/} (for the model cards). Training
 * questions are the project split's TRAIN part, the truth its TEST part (docs/onboarding.md).
 */
public final class OnboardEvalMain {
    private OnboardEvalMain() {
    }

    /** A replay suite's recorded outcomes, split into TRAIN and TEST, and every pair's card, in one expert order. */
    record Recorded(Outcomes train, Outcomes test, List<ExpertCard> cards) {
    }

    public static void main(String[] args) throws IOException {
        Path suite = Path.of(args.length > 0 ? args[0] : "data/mmlupro");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 7;
        // "train": score against each model's own TRAIN-split accuracy (probes are among those questions, 30 of
        // 4,788 on MMLU-Pro), so a choice about onboarding can be made without looking at the test split
        boolean trainTruth = args.length > 3 && args[3].equals("train");
        Recorded rec = load(suite);
        Outcomes trainO = rec.train();
        Outcomes testO = trainTruth ? rec.train() : rec.test();
        List<ExpertCard> cards = rec.cards();
        System.out.println("train " + trainO + "; " + (trainTruth ? "truth: TRAIN" : "test " + testO) + "; runs per selector "
                + runs + ", seed " + seed);
        long t0 = System.nanoTime();
        ProbeEvaluation.Report rep = ProbeEvaluation.run(trainO, testO, cards, List.of(0, 5, 10, 20, 30, 50, 100),
                runs, seed, ItemResponseModel.Config.defaults(), Progress.NONE);
        System.out.print(rep.table());
        System.out.println();
        // per left-out model, estimate − test at 10 and 30 probes: where an estimator runs low or high
        System.out.printf("%-36s %8s %8s %8s %9s %9s %9s %9s %s%n", "left-out expert", "test", "card", "mean",
                "adapt10", "adapt30", "rand10", "rand30", "card used");
        for (ProbeEvaluation.ExpertRow r : rep.experts()) {
            double t = r.testAccuracy();
            System.out.printf("%-36s %8.4f %8.4f %8.4f %+9.4f %+9.4f %+9.4f %+9.4f %s%n", r.expert(), t,
                    r.cardEstimate(), r.populationEstimate(), r.estimate("adaptive", 10) - t,
                    r.estimate("adaptive", 30) - t, r.estimate("random", 10) - t, r.estimate("random", 30) - t,
                    r.cardUsed());
        }
        System.out.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Reads {@code tasks.jsonl}, {@code recorded.jsonl.gz} and {@code registry/} of a replay suite folder. */
    static Recorded load(Path suite) throws IOException {
        Registry reg = RegistryLoader.load(suite.resolve("registry"));
        ObjectMapper json = new ObjectMapper();
        Split split = Split.standard();
        List<String> trainIds = new ArrayList<>();
        List<String> trainGroups = new ArrayList<>();
        List<String> testIds = new ArrayList<>();
        List<String> testGroups = new ArrayList<>();
        for (String line : Files.readAllLines(suite.resolve("tasks.jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            String id = n.path("id").asText();
            String group = n.path("group").asText(n.path("category").asText(""));
            switch (split.assign(id)) {
                case TRAIN -> {
                    trainIds.add(id);
                    trainGroups.add(group);
                }
                case TEST -> {
                    testIds.add(id);
                    testGroups.add(group);
                }
                default -> { }
            }
        }
        List<String> experts = new ArrayList<>();
        List<ExpertCard> cards = new ArrayList<>();
        reg.pairs().forEach(p -> {
            experts.add(p.id());
            ModelCard m = reg.model(p.model()).orElseThrow();
            cards.add(ExpertCard.of(p.id(), p.skill(), m));
        });
        Map<String, Integer> ex = new HashMap<>();
        for (int e = 0; e < experts.size(); e++) {
            ex.put(experts.get(e), e);
        }
        double[][] train = nan(experts.size(), trainIds.size());
        double[][] test = nan(experts.size(), testIds.size());
        Map<String, Integer> tr = index(trainIds);
        Map<String, Integer> te = index(testIds);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(suite.resolve("recorded.jsonl.gz"))), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode n = json.readTree(line);
                Integer e = ex.get(n.path("model").asText() + "@@" + n.path("skill").asText());
                if (e == null || !n.has("correct")) {
                    continue;
                }
                double g = n.path("correct").asBoolean() ? 1 : 0;
                String id = n.path("task_id").asText();
                if (tr.containsKey(id)) {
                    train[e][tr.get(id)] = g;
                } else if (te.containsKey(id)) {
                    test[e][te.get(id)] = g;
                }
            }
        }
        return new Recorded(Outcomes.of(experts, trainIds, trainGroups, train),
                Outcomes.of(experts, testIds, testGroups, test), cards);
    }

    private static double[][] nan(int r, int c) {
        double[][] m = new double[r][c];
        for (double[] row : m) {
            Arrays.fill(row, Double.NaN);
        }
        return m;
    }

    private static Map<String, Integer> index(List<String> ids) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            m.put(ids.get(i), i);
        }
        return m;
    }
}
