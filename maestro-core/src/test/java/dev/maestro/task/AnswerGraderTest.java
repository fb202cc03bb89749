package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerGraderTest {

    private final AnswerGrader grader = AnswerGrader.create();

    private static Task choice(String gold, String... options) {
        return new Task("c", "math-v", "q", List.of(options), List.of(gold), AnswerType.CHOICE, "g", List.of(),
                Map.of(), Map.of(), Map.of());
    }

    private static Task of(AnswerType type, String gold) {
        return new Task("n", "math-v", "q", List.of(), List.of(gold), type, "g", List.of(), Map.of(), Map.of(), Map.of());
    }

    @ParameterizedTest(name = "{0} vs gold {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "C                  | C | 1",
        "c                  | C | 1",
        "(c)                | C | 1",
        "c)                 | C | 1",
        "Answer: C          | C | 1",
        "The answer is C.   | C | 1",
        "Option C           | C | 1",
        "[c]                | C | 1",
        "\\boxed{C}         | C | 1",
        "B                  | C | 0",
        "(b)                | C | 0",
        "F                  | C | 0",
        "8 kg               | C | 1",
        "8\\mathrm{~kg}     | C | 1",
        "$8 \\mathrm{~kg}$  | C | 1",
        "8                  | C | 1",
        "7 kg               | C | 0",
        "7                  | C | 0",
        "45°                | D | 1",
        "45                 | D | 1",
        "\\frac{1}{2}       | E | 1",
        "0.5                | E | 1",
        "1/2                | E | 1",
        "2 \\cdot 4 \\cdot 3 | A | 0",
        "                   | C | 0",
    })
    void should_grade_multiple_choice_by_letter_or_option_text(String answer, String gold, int expected) {
        // given
        Task task = choice(gold, "$3 \\mathrm{~kg}$", "$5 \\mathrm{~kg}$", "$8 \\mathrm{~kg}$", "$45^{\\circ}$", "$\\frac{1}{2}$");

        // then
        assertThat(grader.grade(task, answer == null ? "" : answer)).isEqualTo(expected);
    }

    @Test
    void should_not_name_an_option_when_two_options_share_the_value() {
        // given: 25 cm and 25 m both have value 25
        Task task = choice("A", "$25 \\mathrm{~cm}$", "$25 \\mathrm{~m}$", "$30 \\mathrm{~m}$");

        // then
        assertThat(grader.grade(task, "25")).isZero();
        assertThat(grader.grade(task, "25 cm")).isOne();
        assertThat(grader.grade(task, "25\\mathrm{~m}")).isZero();
    }

    @Test
    void should_accept_option_text_as_gold_in_our_own_suites() {
        Task task = choice("blue", "red", "blue", "green");
        assertThat(grader.grade(task, "B")).isOne();
        assertThat(grader.grade(task, "Blue.")).isOne();
        assertThat(grader.grade(task, "A")).isZero();
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "60                      | 60               | 1",
        "60.0                    | 60               | 1",
        "$60$                    | 60               | 1",
        "\\boxed{60}             | 60               | 1",
        "60 cm                   | 60               | 1",
        "60^{\\circ}             | 60               | 1",
        "60°                     | 60               | 1",
        "61                      | 60               | 0",
        "4/3                     | \\frac{4}{3}     | 1",
        "\\frac{4}{3}            | 4/3              | 1",
        "\\dfrac{8}{6}           | 4/3              | 1",
        "1.3333                  | 4/3              | 0",
        "1.33                    | \\frac{4}{3}     | 0",
        "-\\frac{24}{25}         | -0.96            | 1",
        "1,000                   | 1000             | 1",
        "\\$5                    | 5                | 1",
        "4!                      | 4                | 0",
        "6\\frac{1}{2}           | 6.5              | 1",
        "\\boxed{\\frac{16}{7}}  | $\\boxed{\\frac{16}{7}}$ | 1",
        "\\frac{7}{32}}.theansweris:\\frac{7}{32 | \\frac{7}{32} | 1",
        "2002^2                  | 4008004          | 1",
        "                        | 60               | 0",
        "sixty                   | 60               | 0",
    })
    void should_grade_numbers_exactly(String answer, String gold, int expected) {
        assertThat(grader.grade(of(AnswerType.NUMBER, gold), answer == null ? "" : answer)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "Yes                     | Yes     | 1",
        "yes.                    | Yes     | 1",
        "Yes, they touch.        | Yes     | 1",
        "No                      | Yes     | 0",
        "  NEW   york!           | new york | 0",
        "New York                | new york | 1",
        "'Paris'                 | Paris   | 1",
        "5x6                     | 5x6     | 1",
        "rows={5} columns={6}    | 5x6     | 1",
        "(5,6)                   | 5x6     | 1",
        "5 rows and 6 columns    | 5x6     | 1",
        "(6,5)                   | 5x6     | 0",
        "4\\pi                   | $4 \\pi$ | 1",
        "5\\sqrt{5}-10           | $5(\\sqrt{5}-2)$ | 1",
        "\\sqrt{\\frac{4}{\\pi}} | $\\frac{2}{\\sqrt{\\pi}}$ | 1",
        "1:2                     | \\frac{1}{2} | 1",
        "10sqrt(2)               | $10 \\sqrt{2}$ | 1",
        "8+2sqrt(2)              | $8+2 \\sqrt{2}$ | 1",
        "8+3sqrt(2)              | $8+2 \\sqrt{2}$ | 0",
        "\\frac{1}{3}            | $\\frac{3^{1008}-1}{3^{1009}}$ | 0",
    })
    void should_grade_text_pairs_and_expressions(String answer, String gold, int expected) {
        assertThat(grader.grade(of(AnswerType.TEXT, gold), answer)).isEqualTo(expected);
    }

    @Test
    void should_apply_relative_tolerance_per_source_only() {
        // given
        AnswerGrader tolerant = AnswerGrader.builder().tolerance("math-v", 0.01).build();
        Task task = of(AnswerType.NUMBER, "4/3");
        Task other = new Task("n", "other", "q", List.of(), List.of("4/3"), AnswerType.NUMBER, "g", List.of(),
                Map.of(), Map.of(), Map.of());

        // then
        assertThat(tolerant.grade(task, "1.333")).isOne();
        assertThat(tolerant.grade(task, "1.36")).isZero();
        assertThat(tolerant.grade(other, "1.333")).isZero();
        assertThat(tolerant.tolerance("math-v")).isEqualTo(0.01);
        assertThatThrownBy(() -> AnswerGrader.builder().tolerance("x", -1)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("tolerance for x");
    }

    @Test
    void should_grade_by_the_skill_wording_where_gold_differs() {
        // given: a tangent TouchingCircle puzzle
        Task task = new Task("t", "vlms-are-blind", "touching?", List.of(), List.of("Yes"), AnswerType.TEXT, "TouchingCircle",
                List.of(), Map.of("prompt-1", "touching?", "prompt-2", "overlapping?"),
                Map.of("prompt-1", "Yes", "prompt-2", "No"), Map.of());

        // then
        assertThat(grader.grade(task, "prompt-1", "Yes")).isOne();
        assertThat(grader.grade(task, "prompt-2", "Yes")).isZero();
        assertThat(grader.grade(task, "prompt-2", "No")).isOne();
    }

    @Test
    void should_grade_zero_without_gold() {
        Task task = new Task("w", "vlms-are-blind", "which letter?", List.of(), List.of(), AnswerType.UNKNOWN, "CircledWord",
                List.of(), Map.of(), Map.of(), Map.of());
        assertThat(grader.canGrade(task)).isFalse();
        assertThat(grader.grade(task, "a")).isZero();
    }

    @Test
    void should_grade_hostile_megabyte_answers_quickly() {
        String huge = "{".repeat(300_000) + "1".repeat(300_000) + "\\frac{".repeat(50_000);
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(grader.grade(of(AnswerType.NUMBER, "60"), huge)).isZero();
            assertThat(grader.grade(of(AnswerType.TEXT, "5x6"), huge)).isZero();
            assertThat(grader.grade(choice("A", "1", "2"), huge)).isZero();
            assertThat(AnswerExtractor.extract(huge, choice("A", "1", "2"))).isNotNull();
        });
    }

    // ---- properties ----

    @Property
    void letter_and_option_text_are_equivalent(@ForAll("optionSets") List<String> options,
                                               @ForAll @IntRange(min = 0, max = 4) int gold,
                                               @ForAll @IntRange(min = 0, max = 4) int said) {
        Task task = choice(String.valueOf((char) ('A' + gold)), options.toArray(String[]::new));
        double byLetter = grader.grade(task, String.valueOf((char) ('a' + said)));
        double byText = grader.grade(task, options.get(said));
        double byWrappedLetter = grader.grade(task, "(" + (char) ('A' + said) + ")");
        assertThat(byLetter).isEqualTo(byText).isEqualTo(byWrappedLetter).isEqualTo(gold == said ? 1.0 : 0.0);
    }

    @Provide
    Arbitrary<List<String>> optionSets() {
        Arbitrary<String> unit = Arbitraries.of("cm", "m", "kg", "g");
        Arbitrary<String> option = Combinators.combine(Arbitraries.integers().between(1, 999), unit)
                .as((n, u) -> "$" + n + " \\mathrm{~" + u + "}$");
        return option.list().ofSize(5).uniqueElements(o -> o.replaceAll("\\D", ""));
    }

    @Property
    void number_formatting_variants_grade_equal(@ForAll @IntRange(min = -10_000, max = 10_000) int p,
                                                @ForAll @IntRange(min = 1, max = 500) int q,
                                                @ForAll @IntRange(min = 0, max = 6) int form) {
        // given: gold p/q as a LaTeX fraction; the answer as any equivalent spelling
        Task task = of(AnswerType.NUMBER, "$\\frac{" + p + "}{" + q + "}$");
        String answer = switch (form) {
            case 0 -> p + "/" + q;
            case 1 -> "\\frac{" + (2 * p) + "}{" + (2 * q) + "}";
            case 2 -> "\\boxed{" + p + "/" + q + "}";
            case 3 -> "$" + (p < 0 ? "-" : "") + "\\frac{" + Math.abs(p) + "}{" + q + "}$";
            case 4 -> "Answer: " + p + "/" + q + ".";
            case 5 -> p + "/" + q + " cm";
            default -> new BigDecimal(p).divide(new BigDecimal(q), MathContext.DECIMAL128)
                    .toPlainString();
        };
        boolean exactDecimal = form != 6 || new BigDecimal(p).divide(new BigDecimal(q),
                MathContext.DECIMAL128).multiply(new BigDecimal(q)).compareTo(new BigDecimal(p)) == 0;

        // then
        assertThat(grader.grade(task, answer)).isEqualTo(exactDecimal ? 1.0 : 0.0);
        assertThat(grader.grade(task, (p + q) + "/" + q)).isZero();
    }

    @Property
    void grades_are_always_zero_or_one_and_never_throw(@ForAll String answer, @ForAll("golds") String gold) {
        for (AnswerType type : List.of(AnswerType.NUMBER, AnswerType.TEXT)) {
            assertThat(grader.grade(of(type, gold), answer)).isIn(0.0, 1.0);
        }
        assertThat(grader.grade(choice("B", "$1$", "x", "$\\frac{1}{2}$"), answer)).isIn(0.0, 1.0);
    }

    @Provide
    Arbitrary<String> golds() {
        return Arbitraries.of("60", "\\frac{4}{3}", "Yes", "5x6", "$4 \\pi$", "1:2", "\\sqrt{2}");
    }
}
