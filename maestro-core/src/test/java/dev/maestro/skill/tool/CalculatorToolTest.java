package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CalculatorToolTest {

    private final Tool calculator = new CalculatorTool();

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "(3+4)*2; 14",
            "1/3; 0.333333333333333",
            "2^10; 1024",
            "0.1+0.2; 0.3",
            "1/7*7; 1",
            "10 % 3; 1",
            "SQRT(16) + 1; 5",
            "2^-1; 0.5",
            "1e20*3; 3E+20",
            "-7 / 2; -3.5",
            "1 > 2; false"})
    void should_evaluate_expressions(String expression, String expected) {
        // when
        ToolResult r = calculator.run(ToolInput.text(expression));

        // then
        assertThat(r.error()).isEmpty();
        assertThat(r.answer()).contains(expected);
        assertThat(r.text()).hasValueSatisfying(t -> assertThat(t).contains("= " + expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "10/0; Division by zero",
            "3+; Missing second operand",
            "x + 1; unknown name(s) [x]",
            "'   '; empty expression",
            "\"abc\"; not a number"})
    void should_return_errors_as_results(String expression, String message) {
        // when
        ToolResult r = calculator.run(ToolInput.text(expression));

        // then
        assertThat(r.ok()).isFalse();
        assertThat(r.answer()).isEmpty();
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains(message));
    }

    @Test
    void should_cap_expression_length() {
        // given
        String longExpr = "1+".repeat(300) + "1";

        // when
        ToolResult r = calculator.run(ToolInput.text(longExpr));

        // then
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains("601 characters; the limit is 500"));
    }

    @Test
    void should_refuse_factorials_too_large_to_compute_quickly() {
        // when
        ToolResult small = calculator.run(ToolInput.text("FACT(5)"));
        ToolResult huge = calculator.run(ToolInput.text("FACT(3000000)"));

        // then
        assertThat(small.answer()).contains("120");
        assertThat(huge.error()).hasValueSatisfying(e -> assertThat(e).contains("FACT(3000000) is too large"));
        assertThat(huge.millis()).isLessThan(1_000);
    }

    @Test
    void should_overflow_into_an_error_not_a_hang() {
        // when
        ToolResult r = calculator.run(ToolInput.text("2^99999999999"));

        // then
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains("Overflow"));
    }
}
