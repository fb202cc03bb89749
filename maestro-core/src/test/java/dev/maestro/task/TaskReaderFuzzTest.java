package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.MaestroException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link TaskReader}: arbitrary bytes as a tasks.jsonl file either give tasks or a
 * {@link MaestroException}; nothing else may escape (no NullPointerException, no NumberFormatException, ...).
 *
 * <p>Under plain {@code mvn test} this runs in regression mode, once per file in
 * {@code src/test/resources/dev/maestro/task/TaskReaderFuzzTestInputs/fuzzRead/}. With {@code JAZZER_FUZZ=1}
 * it fuzzes for {@code maxDuration}.
 */
class TaskReaderFuzzTest {
    private static final Path FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("task-reader-fuzz");
            dir.toFile().deleteOnExit();
            FILE = dir.resolve("tasks.jsonl");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/maestro/io/long-lines.dict")
    void fuzzRead(byte[] data) throws IOException {
        Files.write(FILE, data);

        // strict: tasks, or the first corrupt row as a MaestroException
        try {
            checkTasks(TaskReader.read(FILE));
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }

        // lenient: corrupt rows are skipped and named; only an unreadable file may still throw
        try {
            TaskReader.Result r = TaskReader.read(FILE, TaskReader.Options.defaults().withLenient(true));
            checkTasks(r.tasks());
            assertThat(r.problems()).hasSize(r.skipped());
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }

        // a line cap small enough for the fuzzer to reach: over-long lines are refused (strict) or skipped (lenient)
        TaskReader.Options small = TaskReader.Options.defaults().withMaxLineChars(4096);
        try {
            checkTasks(TaskReader.read(FILE, small).tasks());
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            TaskReader.Result r = TaskReader.read(FILE, small.withLenient(true));
            assertThat(r.problems()).hasSize(r.skipped());
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private static void checkTasks(List<Task> tasks) {
        assertThat(tasks).doesNotContainNull();
        assertThat(new HashSet<>(tasks.stream().map(Task::id).toList())).hasSize(tasks.size());
    }
}
