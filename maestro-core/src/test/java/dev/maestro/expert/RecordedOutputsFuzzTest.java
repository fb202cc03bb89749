package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.MaestroException;
import java.io.ByteArrayInputStream;

/**
 * Coverage-guided fuzzing of {@link RecordedOutputs#read(java.io.InputStream, String, RecordedOutputs.Mode)}:
 * arbitrary bytes either give an index or a {@link MaestroException} (strict); nothing else may escape.
 *
 * <p>Under plain {@code mvn test} this runs in regression mode, once per file in
 * {@code src/test/resources/dev/maestro/expert/RecordedOutputsFuzzTestInputs/fuzzRead/}. With
 * {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration}.
 */
class RecordedOutputsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void fuzzRead(byte[] data) {
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
    }
}
