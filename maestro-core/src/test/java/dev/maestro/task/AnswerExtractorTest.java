package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AnswerExtractorTest {

    private static final Task NUMBER = new Task("n", "math-v", "How many?", List.of(), List.of("5"), AnswerType.NUMBER,
            "g", List.of(), Map.of(), Map.of(), Map.of());
    private static final Task CHOICE = new Task("c", "math-v", "Which?", List.of("1", "2", "3", "4", "5"), List.of("B"),
            AnswerType.CHOICE, "g", List.of(), Map.of(), Map.of(), Map.of());
    private static final Task ROWS = new Task("r", "vlms-are-blind",
            "Count the number of rows and columns and answer with numbers in curly brackets. For example, rows={5} columns={6}",
            List.of(), List.of("3x4"), AnswerType.TEXT, "CountingRowsAndColumns", List.of(),
            Map.of("prompt-1", "Count the number of rows and columns ...", "prompt-2",
                    "How many rows and columns are in the table? Answer with only the numbers in a pair (row, column), e.g., (5,6)"),
            Map.of(), Map.of());
    private static final Task YES_NO = new Task("y", "vlms-are-blind", "Are the two circles touching each other? Answer with Yes/No.",
            List.of(), List.of("Yes"), AnswerType.TEXT, "TouchingCircle", List.of(), Map.of(), Map.of(), Map.of());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "so x = 3 and the result is \\boxed{5}                              | 5",
        "nested \\boxed{\\frac{1}{2}} then \\boxed{\\frac{3}{\\sqrt{4}}}    | \\frac{3}{\\sqrt{4}}",
        "First 2 apples, then 3. Answer: 12                                 | 12",
        "We add them. The answer is 42. Because 40+2.                        | 42",
        "The final answer is: 7.5                                            | 7.5",
        "I count {7} intersections                                          | 7",
        "there are 3 cats and 4 dogs, so 7 animals                           | 7",
        "the ratio is 4/3 overall                                           | 4/3",
        "it is -\\frac{24}{25} in the end                                    | -\\frac{24}{25}",
        "There are 1,200 people                                              | 1,200",
    })
    void should_extract_numbers(String response, String expected) {
        assertThat(AnswerExtractor.extract(response, NUMBER)).contains(expected.strip());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "The correct option is (B).                                  | B",
        "Looking at A and C, I pick option D                          | D",
        "Answer: C                                                    | C",
        "The answer is (B) 45 degrees                                 | B",
        "e                                                            | E",
        "b) is right                                                  | B",
        "\\boxed{B}                                                   | B",
        "I pick B. Other shapes, e.g. circles, do not fit             | B",
    })
    void should_extract_option_letters(String response, String expected) {
        assertThat(AnswerExtractor.extract(response, CHOICE)).contains(expected.strip());
    }

    @Property
    void extracted_numbers_grade_correct_whatever_the_wording(@ForAll @IntRange(min = -100_000, max = 100_000) int n,
                                                              @ForAll @IntRange(min = 0, max = 5) int form) {
        // given
        String response = switch (form) {
            case 0 -> "Step 1: add 3 and 4. Step 2: so the total is \\boxed{" + n + "}";
            case 1 -> "We compute 12 then 7. The answer is " + n + ".";
            case 2 -> "Counting carefully, I get {" + n + "}";
            case 3 -> "After 2 steps the value becomes " + n;
            case 4 -> "Answer: $" + n + "$";
            default -> "Final answer: **" + n + "**";
        };
        Task task = new Task("p", "ours", "How many?", List.of(), List.of(Integer.toString(n)), AnswerType.NUMBER, "g",
                List.of(), Map.of(), Map.of(), Map.of());

        // when
        Optional<String> got = AnswerExtractor.extract(response, task);

        // then
        assertThat(got).isPresent();
        assertThat(AnswerGrader.create().grade(task, got.get())).isOne();
    }

    @Property
    void extraction_never_throws_on_arbitrary_text(@ForAll String response) {
        assertThat(AnswerExtractor.extract(response, CHOICE)).isNotNull();
        assertThat(AnswerExtractor.extract(response, ROWS)).isNotNull();
        assertThat(AnswerExtractor.extract(response, NUMBER)).isNotNull();
    }

    @Test
    void should_not_take_letters_beyond_the_options() {
        assertThat(AnswerExtractor.extract("(F) is not an option, 3 is", CHOICE)).contains("3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "I see rows={3} columns={4}                              | 3x4",
        "The table has (3,4)                                     | 3x4",
        "There are 3 rows and 4 columns.                         | 3x4",
    })
    void should_extract_rows_and_columns(String response, String expected) {
        // when
        Optional<String> got = AnswerExtractor.extract(response, ROWS);

        // then: and the grader accepts it
        assertThat(got).contains(expected.strip());
        assertThat(AnswerGrader.create().grade(ROWS, got.orElseThrow())).isOne();
    }

    @Test
    void should_extract_yes_or_no_and_nothing_from_blank_text() {
        assertThat(AnswerExtractor.extract("No, they are apart.", YES_NO)).contains("No");
        assertThat(AnswerExtractor.extract("Looking closely: yes", YES_NO)).contains("Yes");
        assertThat(AnswerExtractor.extract("   ", NUMBER)).isEmpty();
        assertThat(AnswerExtractor.extract("no digits here", NUMBER)).isEmpty();
    }

    @Test
    void should_handle_unclosed_boxes_and_huge_responses() {
        assertThat(AnswerExtractor.extract("\\boxed{5 and then the stream ended", NUMBER)).contains("5");
        String huge = "x ".repeat(1_000_000) + "\\boxed{9}";
        assertThat(AnswerExtractor.extract(huge, NUMBER)).contains("9");
    }
}
