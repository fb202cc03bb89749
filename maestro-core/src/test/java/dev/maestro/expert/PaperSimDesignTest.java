package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.SimSuiteTasks;
import dev.maestro.task.SimulatedSuite;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks, from the shipped profiles and the shipped suite, that the paper-simulated registry has
 * the properties it was designed for. Reads models.yaml with plain Jackson (not the registry
 * loader) so this test depends only on the file's documented shape.
 */
class PaperSimDesignTest {
    static final Path DATA = Path.of("..", "data", "paper-sim");
    static final List<String> L1 = List.of("geometry-solver", "chart-solver", "science-solver", "counting-solver",
            "perception-solver", "medical-solver", "ocr-router");
    static final Map<String, String> DESIGNED_BEST = Map.of(
            "chart", "Chart-R1@@chart-solver",
            "geometry", "GLM-4.6V-Flash@@geometry-solver",
            "counting", "qwen3-vl-8b-instruct@@counting-solver",
            "science", "Intern-S1-mini@@science-solver",
            "medical", "medgemma-1.5-4b-it@@medical-solver",
            "ocr", "qwen3-vl-8b-instruct@@ocr-router",
            "perception", "qwen3-vl-8b-instruct@@perception-solver");

    static List<Task> tasks;
    static List<ModelCard> paper;
    static List<ModelCard> extra;

    @BeforeAll
    static void load() throws IOException {
        tasks = SimSuiteTasks.parse(Files.readString(DATA.resolve("tasks.jsonl")));
        paper = cards(DATA.resolve("registry/models.yaml"));
        extra = cards(DATA.resolve("extra-models.yaml"));
    }

    @SuppressWarnings("unchecked")
    static List<ModelCard> cards(Path file) throws IOException {
        Map<String, Object> root = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
        List<ModelCard> out = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) root.get("models")) {
            Map<String, Object> settings = new LinkedHashMap<>(m);
            String id = (String) settings.remove("id");
            Backend backend = Backend.parse((String) settings.remove("backend"));
            String description = (String) settings.remove("description");
            Set<Modality> modalities = ((List<String>) settings.remove("modalities")).stream().map(Modality::parse)
                    .collect(Collectors.toSet());
            Map<String, Number> price = (Map<String, Number>) settings.remove("price");
            settings.remove("max-concurrency");
            dev.maestro.registry.ModelFacts.KEYS.forEach(settings::remove); // card facts, not simulation settings
            out.add(ModelCard.builder(id, backend).description(description).modalities(modalities)
                    .price(new Price(price.get("input-per-1m").doubleValue(), price.get("output-per-1m").doubleValue()))
                    .settings(settings).build());
        }
        return out;
    }

    /** Expected accuracy of every pair on every group: the mean of sigmoid(ability - difficulty). */
    static Map<Pair, Map<String, Double>> expected(List<ModelCard> models) {
        Map<Pair, Map<String, Double>> out = new LinkedHashMap<>();
        for (ModelCard m : models) {
            SimulatedExpert e = SimulatedExpert.create(m);
            for (String s : L1) {
                SkillCard skill = SkillCard.simple(s, s, "{question}");
                Map<String, Double> byGroup = new LinkedHashMap<>();
                for (String g : SimulatedSuite.FAMILIES) {
                    byGroup.put(g, tasks.stream().filter(t -> t.group().equals(g))
                            .mapToDouble(t -> e.probabilityCorrect(t, skill)).average().orElseThrow());
                }
                out.put(new Pair(m.id(), s), byGroup);
            }
        }
        return out;
    }

    static double overall(Map<String, Double> byGroup) {
        // Families are equal-sized, so the task-weighted mean is the mean over groups.
        return byGroup.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    static Pair bestIn(Map<Pair, Map<String, Double>> acc, String group) {
        return acc.entrySet().stream().max(Comparator.comparingDouble(e -> e.getValue().get(group))).orElseThrow().getKey();
    }

    @Test
    void should_describe_every_model_honestly_as_simulated() {
        for (ModelCard m : concat(paper, extra)) {
            assertThat(m.backend()).isEqualTo(Backend.SIMULATED);
            assertThat(m.description()).as(m.id()).containsIgnoringCase("simulated");
            assertThat(m.modalities()).contains(Modality.IMAGE);
            SimulatedExpert.create(m); // settings valid for the backend
        }
        assertThat(paper).extracting(ModelCard::id).containsExactly("Intern-S1-mini", "GLM-4.6V-Flash",
                "qwen3-vl-8b-instruct", "Chart-R1", "medgemma-1.5-4b-it");
    }

    @Test
    void should_meet_the_design_goals_of_the_paper_registry() throws IOException {
        Map<Pair, Map<String, Double>> acc = expected(paper);
        String table = table(acc);
        System.out.println(table);
        Files.writeString(Path.of("target", "paper-sim-design.txt"), table);

        // the per-group best pair is the designed specialist, and it differs across groups
        double oracle = 0;
        for (String g : SimulatedSuite.FAMILIES) {
            Pair best = bestIn(acc, g);
            assertThat(best.id()).as(g).isEqualTo(DESIGNED_BEST.get(g));
            oracle += acc.get(best).get(g) / SimulatedSuite.FAMILIES.size();
        }
        assertThat(Set.copyOf(DESIGNED_BEST.values())).hasSize(7);
        assertThat(DESIGNED_BEST.values().stream().map(p -> Pair.parse(p).model()).distinct()).hasSize(5);

        // the best single pair is at least 10 points below the per-group best-pair oracle
        Pair single = acc.entrySet().stream().max(Comparator.comparingDouble(e -> overall(e.getValue()))).orElseThrow().getKey();
        assertThat(overall(acc.get(single))).isLessThanOrEqualTo(oracle - 0.10);

        // the most expensive model is not the best everywhere (here: best in exactly one group)
        ModelCard priciest = paper.stream().max(Comparator.comparingDouble((ModelCard m) -> m.price().outputPerMillion())
                .thenComparingDouble(m -> m.price().inputPerMillion())).orElseThrow();
        long groupsWon = SimulatedSuite.FAMILIES.stream().filter(g -> bestIn(acc, g).model().equals(priciest.id())).count();
        assertThat(groupsWon).isLessThan(SimulatedSuite.FAMILIES.size()).isEqualTo(1);
    }

    @Test
    void should_make_the_extra_specialists_best_on_their_group() {
        Map<Pair, Map<String, Double>> acc = expected(concat(paper, extra));
        assertThat(bestIn(acc, "medical").model()).isEqualTo("med-specialist-sim");
        assertThat(bestIn(acc, "ocr").model()).isEqualTo("ocr-specialist-sim");
        // and nowhere else
        for (String g : SimulatedSuite.FAMILIES) {
            if (!g.equals("medical") && !g.equals("ocr")) {
                assertThat(bestIn(acc, g).id()).as(g).isEqualTo(DESIGNED_BEST.get(g));
            }
        }
    }

    @Test
    void should_reproduce_the_expected_accuracies_when_actually_called() {
        Map<Pair, Map<String, Double>> acc = expected(paper);
        for (ModelCard m : paper) {
            SimulatedExpert e = SimulatedExpert.create(m);
            for (String s : L1) {
                SkillCard skill = SkillCard.simple(s, s, "{question}");
                long right = tasks.stream().filter(t -> e.call(new ExpertRequest(t, m, skill, t.question(), List.of(),
                        ExpertRequest.Sampling.DEFAULT)).answer().orElseThrow().equals(t.answers().get(0))).count();
                double p = overall(acc.get(new Pair(m.id(), s)));
                double se = Math.sqrt(p * (1 - p) / tasks.size());
                assertThat(right / (double) tasks.size()).as(m.id() + "@@" + s).isCloseTo(p, within(4.5 * se));
            }
        }
    }

    static String table(Map<Pair, Map<String, Double>> acc) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-42s", "pair (expected accuracy %, paper-sim)"));
        SimulatedSuite.FAMILIES.forEach(g -> sb.append(String.format(Locale.ROOT, "%11s", g)));
        sb.append(String.format(Locale.ROOT, "%9s%n", "all"));
        acc.entrySet().stream().sorted(Comparator.comparingDouble(e -> -overall(e.getValue()))).forEach(e -> {
            sb.append(String.format(Locale.ROOT, "%-42s", e.getKey().id()));
            e.getValue().values().forEach(v -> sb.append(String.format(Locale.ROOT, "%11.1f", 100 * v)));
            sb.append(String.format(Locale.ROOT, "%9.1f%n", 100 * overall(e.getValue())));
        });
        double oracle = 0;
        sb.append(String.format(Locale.ROOT, "%nper-group best pair:%n"));
        for (String g : SimulatedSuite.FAMILIES) {
            Pair best = bestIn(acc, g);
            oracle += acc.get(best).get(g) / SimulatedSuite.FAMILIES.size();
            sb.append(String.format(Locale.ROOT, "  %-11s %-42s %5.1f%n", g, best.id(), 100 * acc.get(best).get(g)));
        }
        Optional<Map.Entry<Pair, Map<String, Double>>> single = acc.entrySet().stream()
                .max(Comparator.comparingDouble(e -> overall(e.getValue())));
        sb.append(String.format(Locale.ROOT, "per-group best-pair oracle: %.1f%%; best single pair %s: %.1f%%%n", 100 * oracle,
                single.orElseThrow().getKey().id(), 100 * overall(single.orElseThrow().getValue())));
        return sb.toString();
    }

    static List<ModelCard> concat(List<ModelCard> a, List<ModelCard> b) {
        List<ModelCard> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
