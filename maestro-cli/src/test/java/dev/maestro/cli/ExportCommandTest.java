package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.task.Split;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {

    @TempDir
    Path dir;

    @Test
    void should_export_the_chosen_split_as_verl_parquet() throws Exception {
        // given ten text tasks and the MATH-V replay registry
        StringBuilder jsonl = new StringBuilder();
        int tests = 0;
        for (int i = 1; i <= 10; i++) {
            jsonl.append("{\"id\":\"").append(i).append("\",\"source\":\"math-v\",\"question\":\"What is ").append(i)
                    .append("+1?\",\"options\":[],\"answer\":\"").append(i + 1).append("\",\"split\":\"test\"}\n");
            if (Split.of(Split.DEFAULT_SALT, 0.5, 0).assign(String.valueOf(i)) == Split.Part.TEST) {
                tests++;
            }
        }
        Path tasks = write("tasks.jsonl", jsonl.toString());
        Path out = dir.resolve("test.parquet");
        StringWriter stdout = new StringWriter();
        CommandLine cmd = new CommandLine(new ExportCommand());
        cmd.setOut(new PrintWriter(stdout));
        // when
        int code = cmd.execute("verl", "--registry", "../data/mathv/registry", "--tasks", tasks.toString(),
                "--out", out.toString(), "--split", "test");
        // then
        assertThat(code).isZero();
        assertThat(stdout.toString()).contains("wrote " + tests + " of 10 tasks (test split, 0 images)");
        List<String> splits = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement st = db.prepareStatement(
                     "SELECT extra_info.split, prompt[1].content FROM read_parquet(?)")) {
            st.setString(1, out.toString());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    splits.add(rs.getString(1));
                    assertThat(rs.getString(2)).contains("# Expert models").contains("Gemini-Pro");
                }
            }
        }
        assertThat(splits).hasSize(tests).containsOnly("test");
    }

    @Test
    void should_fail_with_a_clear_message_for_a_missing_registry() throws IOException {
        // given
        Path tasks = write("t.jsonl", "{\"id\":\"1\",\"source\":\"x\",\"question\":\"q\",\"answer\":\"1\"}\n");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ExportCommand());
        cmd.setErr(new PrintWriter(err));
        // when
        int code = cmd.execute("verl", "--registry", dir.resolve("nope").toString(), "--tasks", tasks.toString(),
                "--out", dir.resolve("o.parquet").toString());
        // then
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("export verl: ").contains("nope");
        assertThat(dir.resolve("o.parquet")).doesNotExist();
    }

    @Test
    void should_refuse_an_unknown_split() throws IOException {
        Path tasks = write("t.jsonl", "{\"id\":\"1\",\"source\":\"x\",\"question\":\"q\",\"answer\":\"1\"}\n");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ExportCommand());
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("verl", "--registry", "../data/mathv/registry", "--tasks", tasks.toString(),
                "--out", dir.resolve("o.parquet").toString(), "--split", "validation");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--split must be train, test or all, got 'validation'");
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
