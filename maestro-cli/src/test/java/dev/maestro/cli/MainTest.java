package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void should_refuse_bad_input_in_one_line_without_a_stack_trace() {
        // given
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            // when
            code = Main.run("eval", "--suite", "no-such-suite", "--no-progress");
        } finally {
            System.setErr(old);
        }
        // then
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(Main.BAD_INPUT);
        assertThat(text).startsWith("maestro eval: no suite 'no-such-suite'").contains("mathv");
        assertThat(text).doesNotContain("\tat ").doesNotContain("MaestroException");
        assertThat(text.strip().lines().count()).isEqualTo(1);
    }
}
