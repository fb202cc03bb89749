package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.MaestroException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of {@link RecordedOutputs#read(java.io.InputStream, String, RecordedOutputs.Mode)}:
 * arbitrary bytes either give an index or a {@link MaestroException} (strict); nothing else may escape.
 *
 * <p>Under plain {@code mvn test} this runs in regression mode, once per file in
 * {@code src/test/resources/dev/maestro/expert/RecordedOutputsFuzzTestInputs/fuzzRead/} (among them lines
 * without a newline, longer than the reader's first buffer, and gzip streams of one endless line or of endless
 * newlines). With {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration}, with a dictionary of long-line and
 * no-newline tokens; the file reader then runs with caps small enough (4 KiB lines, 1 MiB inflated) to be reached.
 */
class RecordedOutputsFuzzTest {
    private static final Path FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("recorded-fuzz");
            dir.toFile().deleteOnExit();
            FILE = dir.resolve("recorded.jsonl.gz");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/maestro/io/long-lines.dict")
    void fuzzRead(byte[] data) throws IOException {
        try {
            RecordedOutputs strict = RecordedOutputs.read(new ByteArrayInputStream(data), "fuzz.jsonl",
                    RecordedOutputs.Mode.STRICT);
            assertThat(strict.skipped()).isZero();
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).startsWith("fuzz.jsonl");
        }

        // lenient skips what strict rejects
        try {
            RecordedOutputs lenient = RecordedOutputs.read(new ByteArrayInputStream(data), "fuzz.jsonl",
                    RecordedOutputs.Mode.LENIENT);
            assertThat(lenient.skipped()).isNotNegative();
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).contains("fuzz.jsonl");
        }

        // the file reader: gzip by magic bytes, line and inflated-size caps; an index or one message naming the file
        Files.write(FILE, data);
        try {
            RecordedOutputs r = RecordedOutputs.read(FILE, RecordedOutputs.Mode.LENIENT, 4096, 1 << 20);
            assertThat(r.skipped()).isNotNegative();
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).contains(FILE.toString()).doesNotContain("\n");
        }
    }
}
