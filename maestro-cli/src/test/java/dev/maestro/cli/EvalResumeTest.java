package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --resume}: an evaluation cut short (with a torn last trace line) ends with the report of an uninterrupted one. */
class EvalResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String[] eval(Path out, Path traces, boolean resume) {
        List<String> args = new ArrayList<>(List.of("eval", "--suite", "../data/blind", "--tasks",
                dir.resolve("tasks.jsonl").toString(), "--split", "all", "--seed", "7", "--threads", "2", "--no-progress",
                "--out", out.toString(), "--traces", traces.toString()));
        if (resume) {
            args.add("--resume");
        }
        return args.toArray(String[]::new);
    }

    /** The report without what measures this machine's speed (decision time of the policy). */
    private static JsonNode stable(Path report) throws IOException {
        JsonNode r = JSON.readTree(report.toFile());
        r.get("systems").forEach(s -> ((ObjectNode) s).remove("decision_us_p50"));
        return r;
    }

    @Test
    void should_end_a_resumed_evaluation_with_the_report_of_an_uninterrupted_one() throws IOException {
        // given 40 BlindTest tasks and a reference run
        List<String> all = Files.readAllLines(Path.of("../data/blind/tasks.jsonl"));
        Files.write(dir.resolve("tasks.jsonl"), all.subList(0, 40));
        // task images are resolved next to the task file (copied: a symbolic link out of the folder is refused)
        Files.createDirectories(dir.resolve("images"));
        Matcher img = Pattern.compile("images/[^\"]+").matcher(String.join("\n", all.subList(0, 40)));
        while (img.find()) {
            Path to = dir.resolve(img.group());
            if (!Files.exists(to)) {
                Files.copy(Path.of("../data/blind").resolve(img.group()), to);
            }
        }
        Path refTraces = dir.resolve("ref.jsonl");
        assertThat(Main.run(eval(dir.resolve("ref"), refTraces, false))).isZero();
        List<String> refLines = Files.readAllLines(refTraces);
        assertThat(refLines).hasSizeGreaterThan(100);

        // and a run "killed" half way: half of its trace lines, then half of the next one without its newline
        Path traces = dir.resolve("cut.jsonl");
        int half = refLines.size() / 2;
        String kept = String.join("\n", refLines.subList(0, half)) + "\n";
        String torn = refLines.get(half).substring(0, refLines.get(half).length() / 2);
        Files.writeString(traces, kept + torn, StandardCharsets.UTF_8);

        // when it is resumed
        int code = Main.run(eval(dir.resolve("resumed"), traces, true));

        // then the report is the reference's
        assertThat(code).isZero();
        assertThat(stable(dir.resolve("resumed/report.json"))).isEqualTo(stable(dir.resolve("ref/report.json")));
        // and the trace keeps the first half as it was, every line whole, then only the episodes not in it: an
        // episode is fixed by (policy, task, seed), and one the reference ran twice (the fit split overlaps the
        // evaluated one under --split all) is taken from the trace the second time, not traced again
        List<String> lines = Files.readAllLines(traces);
        assertThat(lines.subList(0, half)).isEqualTo(refLines.subList(0, half));
        Set<String> keptKeys = keys(refLines.subList(0, half));
        Set<String> refKeys = keys(refLines);
        Set<String> missing = new HashSet<>(refKeys);
        missing.removeAll(keptKeys);
        assertThat(lines).hasSize(half + missing.size());
        assertThat(keys(lines)).isEqualTo(refKeys);
    }

    private static Set<String> keys(List<String> lines) throws IOException {
        Set<String> keys = new HashSet<>();
        for (String l : lines) {
            JsonNode e = JSON.readTree(l);
            keys.add(e.get("policy").asText() + "|" + e.get("taskId").asText() + "|" + e.get("seed").asText());
        }
        return keys;
    }

    @Test
    void should_refuse_resume_without_a_trace_file() throws IOException {
        Files.write(dir.resolve("tasks.jsonl"), Files.readAllLines(Path.of("../data/blind/tasks.jsonl")).subList(0, 5));
        int code = Main.run("eval", "--suite", "../data/blind", "--tasks", dir.resolve("tasks.jsonl").toString(),
                "--out", dir.resolve("x").toString(), "--resume", "--no-progress");
        assertThat(code).isNotZero();
        assertThat(dir.resolve("x/report.json")).doesNotExist();
    }
}
