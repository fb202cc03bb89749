package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GradingCommandTest {

    @TempDir
    Path dir;

    @Test
    void should_print_agreement_figures_and_disagreements() throws IOException {
        // given
        Path tasks = write("t.jsonl", "{\"id\":\"1\",\"source\":\"ours\",\"question\":\"q\",\"answer\":\"4/3\"}");
        Path rec = write("r.jsonl", "{\"task_id\":\"1\",\"model\":\"M\",\"skill\":\"s\",\"answer\":\"\\\\frac{4}{3}\",\"correct\":false}\n"
                + "{\"task_id\":\"1\",\"model\":\"N\",\"skill\":\"s\",\"answer\":\"2\",\"correct\":false}");
        Path flags = write("f.jsonl", "");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new GradingCommand());
        cmd.setOut(new PrintWriter(out));

        // when
        int code = cmd.execute("check", "--tasks", tasks.toString(), "--recorded", rec.toString(), "--flags",
                flags.toString(), "--show", "5");

        // then
        assertThat(code).isZero();
        assertThat(out.toString()).contains("rows graded:                     2")
                .contains("agreement:                       1 (50.00%)")
                .contains("ours correct / recorded wrong:   1")
                .contains("1\tM@@s\trecorded=false");
    }

    @Test
    void should_fail_with_a_clear_message_for_a_missing_file() {
        // given
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new GradingCommand());
        cmd.setErr(new PrintWriter(err));

        // when
        int code = cmd.execute("check", "--tasks", dir.resolve("none.jsonl").toString(), "--recorded", "x", "--flags", "y");

        // then
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("grading check: cannot read tasks file").contains("none.jsonl");
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
