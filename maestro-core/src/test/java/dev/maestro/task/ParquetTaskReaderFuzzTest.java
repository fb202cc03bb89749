package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.MaestroException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link ParquetTaskReader}: arbitrary bytes as a {@code .parquet} file either give
 * tasks whose images stay inside the parquet's folder or the image folder, or a {@link MaestroException} naming the
 * file; nothing else may escape (no SQLException, NullPointerException, ClassCastException, ...).
 *
 * <p>DuckDB parses the file in native code that Jazzer does not instrument, so guidance comes only from the Java
 * side (column shapes, JSON of the rows, image paths); a native crash would end the JVM and show as a failed run.
 * Every read opens an in-memory DuckDB, so keep seeds few and small. Seeds in
 * {@code src/test/resources/dev/maestro/task/ParquetTaskReaderFuzzTestInputs/fuzzRead/} are parquet files; under
 * plain {@code mvn test} this runs in regression mode, with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class ParquetTaskReaderFuzzTest {
    private static final Path DIR;
    private static final Path FILE;
    private static final Path IMAGES;

    static {
        try {
            DIR = Files.createTempDirectory("parquet-fuzz").toRealPath();
            FILE = DIR.resolve("tasks.parquet");
            IMAGES = DIR.resolve("images");
            // a real image next to the file, so path-only rows can resolve
            Files.write(DIR.resolve("a.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void fuzzRead(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            List<Task> tasks = ParquetTaskReader.read(FILE, IMAGES);
            assertThat(tasks).doesNotContainNull();
            assertThat(new HashSet<>(tasks.stream().map(Task::id).toList())).hasSize(tasks.size());
            for (Task t : tasks) {
                assertThat(t.question()).isNotBlank();
                for (Path image : t.images()) {
                    assertThat(image.toRealPath()).startsWith(DIR);
                }
            }
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
