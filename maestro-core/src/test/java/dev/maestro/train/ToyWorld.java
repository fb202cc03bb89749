package dev.maestro.train;

import dev.maestro.episode.Environment;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.policy.embed.TextEmbedder;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A small deterministic world for training tests: "chart" questions are solved by the chart model,
 * "medical" questions by the medical model, and a generalist is right on half of everything.
 */
public final class ToyWorld {
    /** A short training config for the toy world (shared by the trainer and calibration tests). */
    public static final TrainConfig CFG = TrainConfig.DEFAULT.withEpochs(6).withTasksPerStep(16).withValidationEvery(5)
            .withDescriptionDropout(0);

    public static final class BagOfWords implements TextEmbedder {
        @Override
        public float[] embed(String text) {
            float[] v = new float[32];
            for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
                if (!w.isEmpty()) {
                    v[Math.floorMod(w.hashCode(), 32)] += 1;
                }
            }
            double n = 0;
            for (float x : v) {
                n += x * x;
            }
            n = Math.sqrt(n);
            for (int i = 0; i < v.length; i++) {
                v[i] = n == 0 ? 0 : (float) (v[i] / n);
            }
            return v;
        }

        @Override
        public int dimension() {
            return 32;
        }

        @Override
        public String name() {
            return "bow-32";
        }
    }

    public static ModelCard model(String id, String desc, double price) {
        return ModelCard.builder(id, Backend.SIMULATED).description(desc).price(new Price(price, price)).build();
    }

    public static Registry registry() {
        return Registry.of("toy", List.of(
                model("chartist", "reads bar charts and plots", 1),
                model("medic", "radiology and clinical medicine", 1),
                model("generalist", "general assistant", 1)),
                List.of(SkillCard.simple("solve", "solve the task", "{question}")));
    }

    public static List<Task> tasks(int n) {
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean chart = i % 2 == 0;
            String q = chart ? "Which bar in the chart plot is tallest, item " + i + "?" : "Which radiology finding for patient " + i + "?";
            out.add(Task.text("t" + i, q, "right", chart ? "chart" : "medical"));
        }
        return out;
    }

    public static Expert expert(String id) {
        return req -> {
            String g = req.task().group();
            boolean right = switch (id) {
                case "chartist" -> g.equals("chart");
                case "medic" -> g.equals("medical");
                default -> Math.floorMod(req.task().id().hashCode(), 2) == 0;
            };
            String a = right ? "right" : "wrong";
            return new ExpertReply(Optional.of(a), Optional.of(a), Optional.empty(), new Usage(100, 10), 0.0001, 10,
                    Optional.empty(), true);
        };
    }

    public static Environment env() {
        return Environment.builder(registry(), Map.of("chartist", expert("chartist"), "medic", expert("medic"),
                "generalist", expert("generalist")), (t, a) -> t.answers().contains(a) ? 1 : 0).build();
    }
}
