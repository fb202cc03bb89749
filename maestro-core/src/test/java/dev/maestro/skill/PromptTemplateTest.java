package dev.maestro.skill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
    private static final Task TASK = new Task("t1", "test", "Is $1 \\ {input} a price?", List.of("yes $0", "no"), List.of("A"),
            AnswerType.CHOICE, "price", List.of(), Map.of(), Map.of(), Map.of());

    @Test
    void should_put_values_in_as_they_are_and_never_expand_them_again() {
        String out = PromptTemplate.render("  Q: {question}\n{options}\nIn: {input}\nOCR: {tool:ocr} {tool:mcp/find} {unknown} {tool:}  ",
                TASK, "skill", "x $2 \\n {question}", Map.of("ocr", "$ \\ {input}"));

        assertThat(out).isEqualTo("Q: Is $1 \\ {input} a price?\nOptions:\nA. yes $0\nB. no\nIn: x $2 \\n {question}\n"
                + "OCR: $ \\ {input}  {unknown} {tool:}");
    }

    @Test
    void should_keep_a_template_without_placeholders() {
        assertThat(PromptTemplate.render("plain {text} $1", TASK, "skill", "in", Map.of())).isEqualTo("plain {text} $1");
    }
}
