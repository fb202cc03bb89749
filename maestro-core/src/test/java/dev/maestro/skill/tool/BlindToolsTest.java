package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The BlindTest tools on puzzles drawn here with Java2D (not the shipped data), to check they generalise
 * beyond the images they were tuned on.
 */
class BlindToolsTest {

    @TempDir
    Path dir;

    private final Tools tools = Tools.defaults();

    private String answer(String tool, Path img, String question) {
        ToolResult r = tools.run(tool, new ToolInput(List.of(img), "", question));
        assertThat(r.error()).as("error of %s", tool).isEmpty();
        return r.answer().orElseThrow();
    }

    @ParameterizedTest
    @CsvSource({"3,4,500,10,false", "4,3,500,20,true", "7,9,1250,10,true", "10,10,2000,20,false", "2,6,800,6,true"})
    void should_count_rows_then_columns(int rows, int cols, int size, int lineWidth, boolean words) {
        // given
        Path img = Drawings.grid(dir, rows, cols, size, lineWidth, words);

        // when / then
        assertThat(answer("grid-size", img, "")).isEqualTo(rows + "x" + cols);
    }

    @ParameterizedTest
    @CsvSource({"2,2,40", "3,3,60", "5,4,50", "6,2,45"})
    void should_count_nested_squares(int n, int thickness, int gap) {
        // given
        Path img = Drawings.nestedSquares(dir, n, thickness, gap);

        // when / then
        assertThat(answer("nested-squares", img, "How many squares are in the image?")).isEqualTo(Integer.toString(n));
    }

    @ParameterizedTest
    @CsvSource({
            "5,40,90,false,true", "6,40,90,false,false", "9,30,65,false,true", "7,25,80,false,true",
            "5,40,90,true,false", "8,35,75,true,true", "9,30,62,true,false", "6,20,60,true,true"})
    void should_count_olympic_circles_and_pentagons(int n, double r, double spacing, boolean pentagons, boolean colored) {
        // given
        Path img = Drawings.olympic(dir, n, r, spacing, pentagons, colored);
        String question = "How many " + (pentagons ? "pentagons" : "circles") + " are in the image?";

        // when
        ToolResult res = tools.run("count-circles", new ToolInput(List.of(img), "", question));

        // then
        assertThat(res.answer()).contains(Integer.toString(n));
        assertThat(res.text()).hasValueSatisfying(t -> assertThat(t).contains(pentagons ? "pentagons" : "circles"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            // blue y at x = 0, 1/2, 1 ; red y ; expected crossings
            "0.2,0.8,0.2; 0.8,0.2,0.8; 2",
            "0.1,0.3,0.5; 0.6,0.4,0.2; 1",
            "0.1,0.2,0.1; 0.6,0.7,0.9; 0",
            "0.5,0.1,0.5; 0.3,0.6,0.9; 1",
            "0.5,0.5,0.5; 0.52,0.2,0.2; 1",
            "0.9,0.5,0.9; 0.85,0.2,0.1; 0"})
    void should_count_line_crossings(String blue, String red, int expected) {
        // given
        Path img = Drawings.lines(dir, 512, 3, ys(blue), ys(red));

        // when / then
        assertThat(answer("line-intersections", img, "")).isEqualTo(Integer.toString(expected));
    }

    private static double[] ys(String csv) {
        return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    @ParameterizedTest
    @CsvSource({
            // gap px, touching?, overlapping?
            "-15, Yes, Yes", "-4, Yes, Yes", "0, Yes, No", "8, No, No", "40, No, No"})
    void should_answer_touching_and_overlapping_by_the_question(double gap, String touching, String overlapping) {
        // given
        Path img = Drawings.twoCircles(dir, 600, 50, gap, 0.7);

        // when / then
        assertThat(answer("touching-circles", img, "Are the two circles touching each other? Answer with Yes/No."))
                .isEqualTo(touching);
        assertThat(answer("touching-circles", img, "Are the two circles overlapping? Answer with Yes/No."))
                .isEqualTo(overlapping);
        assertThat(tools.run("touching-circles", ToolInput.image(img, "prompt-2")).answer()).contains(overlapping);
        // an explicit argument wins over the question's wording
        assertThat(tools.run("touching-circles", new ToolInput(List.of(img), "touching", "overlapping?")).answer())
                .contains(touching);
    }

    @Test
    void should_fail_clearly_on_an_image_without_the_expected_content() {
        // given
        Path blank = Drawings.png(dir, "blank", 200, 200, g -> { });

        // then
        assertThat(tools.run("count-circles", ToolInput.image(blank, "")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("no ink"));
        assertThat(tools.run("grid-size", ToolInput.image(blank, "")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("found 0 horizontal and 0 vertical ruling lines"));
        assertThat(tools.run("line-intersections", ToolInput.image(blank, "")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("needs a blue and a red line"));
        assertThat(tools.run("touching-circles", ToolInput.image(blank, "")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("needs two circles of different colours"));
        assertThat(tools.run("nested-squares", ToolInput.text("")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("needs one image"));
    }
}
