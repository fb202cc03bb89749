package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Accuracy of the BlindTest image tools on every shipped puzzle image of their task type. */
class ToolAccuracyTest {

    private static Map<String, ToolAccuracy.Row> rows;

    static Path blindDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("data/blind");
            if (Files.isRegularFile(candidate.resolve("tasks.jsonl"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("data/blind/tasks.jsonl not found above " + Path.of("").toAbsolutePath());
    }

    @BeforeAll
    static void measure() {
        List<ToolAccuracy.Row> measured = ToolAccuracy.measure(blindDir(), Tools.defaults());
        System.out.print(ToolAccuracy.table(measured));
        rows = measured.stream().collect(Collectors.toMap(ToolAccuracy.Row::tool, Function.identity()));
    }

    @Test
    void should_measure_every_shipped_image_of_the_five_task_types() {
        assertThat(rows.keySet()).containsExactlyInAnyOrder("count-circles", "nested-squares", "grid-size",
                "line-intersections", "touching-circles");
        assertThat(rows.get("count-circles").n()).isEqualTo(150);
        assertThat(rows.get("nested-squares").n()).isEqualTo(120);
        assertThat(rows.get("grid-size").n()).isEqualTo(150);
        assertThat(rows.get("line-intersections").n()).isEqualTo(150);
        assertThat(rows.get("touching-circles").n()).isEqualTo(300); // 150 images x 2 prompt variants
        assertThat(rows.values()).allSatisfy(r -> assertThat(r.devN() + r.heldOutN()).isEqualTo(r.n()));
    }

    @Test
    void should_count_circles_and_pentagons_at_least_95_percent_right() {
        assertThat(rows.get("count-circles").accuracy()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void should_count_nested_squares_at_least_95_percent_right() {
        assertThat(rows.get("nested-squares").accuracy()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void should_count_rows_and_columns_at_least_95_percent_right() {
        assertThat(rows.get("grid-size").accuracy()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void should_count_line_intersections_at_least_95_percent_right() {
        assertThat(rows.get("line-intersections").accuracy()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void should_judge_touching_and_overlapping_circles_at_least_95_percent_right() {
        assertThat(rows.get("touching-circles").accuracy()).isGreaterThanOrEqualTo(0.95);
    }
}
