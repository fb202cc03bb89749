package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedSuiteTest {
    static final Path COMMITTED = Path.of("..", "data", "paper-sim", "tasks.jsonl");

    @Test
    void should_write_byte_identical_files_for_the_same_seed(@TempDir Path dir) throws IOException {
        // given two generations with one seed and one with another
        Path a = dir.resolve("a/tasks.jsonl");
        Path b = dir.resolve("b/tasks.jsonl");
        Path c = dir.resolve("c/tasks.jsonl");
        SimulatedSuite.generate(a, 7, 50);
        SimulatedSuite.generate(b, 7, 50);
        SimulatedSuite.generate(c, 8, 50);
        // then the same seed gives the same bytes, another seed other tasks
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
        assertThat(Files.readAllBytes(c)).isNotEqualTo(Files.readAllBytes(a));
    }

    @Test
    void should_match_the_committed_suite() throws IOException {
        // the committed file must be what the generator makes with the documented defaults
        String expected = SimulatedSuite.render(SimulatedSuite.DEFAULT_SEED, SimulatedSuite.DEFAULT_PER_FAMILY);
        assertThat(Files.readString(COMMITTED)).isEqualTo(expected);
    }

    @Test
    void should_balance_the_families_and_write_well_formed_tasks() throws IOException {
        List<Task> tasks = SimSuiteTasks.parse(Files.readString(COMMITTED));
        assertThat(tasks).hasSize(1400);
        Map<String, Long> perGroup = tasks.stream().collect(Collectors.groupingBy(Task::group, TreeMap::new, Collectors.counting()));
        assertThat(perGroup.keySet()).containsExactlyInAnyOrderElementsOf(SimulatedSuite.FAMILIES);
        assertThat(perGroup.values()).containsOnly(200L);
        assertThat(tasks.stream().map(Task::id).collect(Collectors.toSet())).hasSize(1400);
        Set<String> keys = new HashSet<>();
        for (Task t : tasks) {
            assertThat(t.source()).isEqualTo("paper-sim");
            assertThat(t.id()).startsWith(t.group() + "-");
            assertThat(keys.add(t.question() + t.options())).as("duplicate task %s", t.id()).isTrue();
            double d = Double.parseDouble(t.metadata().get("difficulty"));
            assertThat(d).isBetween(-3.0, 3.0);
            assertThat(t.metadata().get("split")).isIn("train", "test");
            String gold = t.answers().get(0);
            switch (t.answerType()) {
                case CHOICE -> {
                    assertThat(t.options()).hasSizeBetween(3, 4).doesNotHaveDuplicates();
                    assertThat(gold).matches("[A-D]");
                    assertThat(gold.charAt(0) - 'A').isLessThan(t.options().size());
                }
                case NUMBER -> assertThat(new BigDecimal(gold)).isNotNull();
                case TEXT -> assertThat(t.metadata().get("distractors")).as(t.id()).isNotBlank().doesNotContain("\"" + gold + "\"");
                case UNKNOWN -> throw new AssertionError("no unknown-type tasks expected: " + t.id());
            }
        }
        Map<String, Long> split = tasks.stream().collect(Collectors.groupingBy(t -> t.metadata().get("split"), Collectors.counting()));
        assertThat(split).containsEntry("train", 980L).containsEntry("test", 420L);
        // each family mixes several templates
        Map<String, Set<String>> templates = tasks.stream().collect(Collectors.groupingBy(Task::group,
                Collectors.mapping(t -> t.metadata().get("template"), Collectors.toSet())));
        templates.forEach((g, ts) -> assertThat(ts).as(g).hasSizeGreaterThanOrEqualTo(g.equals("medical") ? 1 : 4));
    }

    @Test
    void should_compute_gold_answers_exactly() throws IOException {
        List<Task> tasks = SimSuiteTasks.parse(Files.readString(COMMITTED));
        Map<String, Function<Task, String>> recompute = Map.of(
                "geometry.triangle-angle", t -> {
                    List<Integer> n = ints(t.question());
                    return String.valueOf(180 - n.get(0) - n.get(1));
                },
                "geometry.hypotenuse", t -> {
                    List<Integer> n = ints(t.question());
                    return String.valueOf((int) Math.round(Math.hypot(n.get(0), n.get(1))));
                },
                "counting.balloons", t -> {
                    List<Integer> n = ints(t.question());
                    return String.valueOf(n.get(0) * n.get(1) + n.get(2));
                },
                "ocr.receipt-total", t -> {
                    Matcher m = Pattern.compile("(\\d+\\.\\d{2})").matcher(t.question());
                    BigDecimal sum = BigDecimal.ZERO;
                    while (m.find()) {
                        sum = sum.add(new BigDecimal(m.group(1)));
                    }
                    return sum.toPlainString();
                },
                "chart.pie-remainder", t -> {
                    List<Integer> n = ints(t.question().replaceAll("^[^%]*?budget shows", ""));
                    return String.valueOf(100 - n.get(0) - n.get(1) - n.get(2));
                });
        int checked = 0;
        for (Task t : tasks) {
            Function<Task, String> f = recompute.get(t.metadata().get("template"));
            if (f != null) {
                assertThat(f.apply(t)).as(t.id() + ": " + t.question()).isEqualTo(t.answers().get(0));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void should_reject_a_silly_family_size() {
        assertThatThrownBy(() -> SimulatedSuite.render(1, 0)).isInstanceOf(MaestroException.class).hasMessageContaining("perFamily");
    }

    private static List<Integer> ints(String s) {
        Matcher m = Pattern.compile("(?<![\\d.])\\d+(?![\\d.])").matcher(s);
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group()));
        }
        return out;
    }
}
