package dev.maestro.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of {@link LineReader}, the line splitter under every JSONL reader: for any bytes and a
 * small cap it either returns lines that put back together give the input (a {@code \r} before each newline
 * aside), or refuses exactly when some line is longer than the cap. Seeds in
 * {@code src/test/resources/dev/maestro/io/LineReaderFuzzTestInputs/fuzzLines/}; {@code JAZZER_FUZZ=1} fuzzes with
 * the long-line / no-newline dictionary.
 */
class LineReaderFuzzTest {
    private static final int CAP = 64;

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/maestro/io/long-lines.dict")
    void fuzzLines(byte[] data) throws IOException {
        boolean tooLong = longestLine(data) > CAP;
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        try (LineReader r = LineReader.of(new ByteArrayInputStream(data), CAP, "fuzz")) {
            int expected = 0;
            while (r.next()) {
                assertThat(r.lineNumber()).isEqualTo(++expected);
                assertThat(r.length()).isBetween(0, CAP);
                back.write(r.buffer(), r.offset(), r.length());
                back.write('\n');
            }
            assertThat(tooLong).as("an over-long line was accepted").isFalse();
        } catch (LimitExceededException e) {
            assertThat(tooLong).as("refused without an over-long line: %s", e.getMessage()).isTrue();
            assertThat(e.getMessage()).startsWith("fuzz:").contains("MAESTRO_MAX_LINE_BYTES");
            return;
        }
        assertThat(back.toByteArray()).isEqualTo(normalised(data));
    }

    /** Longest line, counted as the reader counts it (a trailing \r is part of the line for the cap). */
    private static int longestLine(byte[] data) {
        int longest = 0;
        int run = 0;
        for (byte b : data) {
            if (b == '\n') {
                run = 0;
            } else {
                longest = Math.max(longest, ++run);
            }
        }
        return longest;
    }

    /** The input with one \r dropped before each newline and a newline added after a last unterminated line. */
    private static byte[] normalised(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length && start == data.length) {
                break;
            }
            if (i == data.length || data[i] == '\n') {
                int end = i;
                if (end > start && data[end - 1] == '\r') {
                    end--;
                }
                out.write(data, start, end - start);
                out.write('\n');
                start = i + 1;
            }
        }
        return out.toByteArray();
    }
}
