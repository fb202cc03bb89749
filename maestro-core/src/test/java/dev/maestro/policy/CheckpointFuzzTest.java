package dev.maestro.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.MaestroException;
import dev.maestro.policy.nn.Adam;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link Checkpoint#decode}: arbitrary bytes give contents or a {@link MaestroException}
 * naming the problem; never an OutOfMemoryError, NegativeArraySizeException, NullPointerException, ...
 *
 * <p>The SHA-256 trailer would stop a fuzzer at the first byte, so each input is decoded twice: as raw file bytes,
 * and <em>framed</em> — {@code MAESTROCKPT}, format {@value Checkpoint#FORMAT}, the input, and the correct digest —
 * which lets it reach the header, parameter, optimizer and history parsers with forged lengths. Seed files in
 * {@code src/test/resources/dev/maestro/train/CheckpointFuzzTestInputs/fuzzDecode/} are therefore checkpoint
 * bodies without magic, format and digest. Under plain {@code mvn test} this runs in regression mode; with
 * {@code JAZZER_FUZZ=1} it fuzzes.
 */
class CheckpointFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void fuzzDecode(byte[] data) {
        decodeCleanly(data);
        decodeCleanly(frame(data));
    }

    /** MAGIC · int FORMAT · body · SHA-256 of all before it: what {@link Checkpoint#encode} writes around a body. */
    static byte[] frame(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Checkpoint.MAGIC.length + 4 + body.length);
        b.put(Checkpoint.MAGIC).putInt(Checkpoint.FORMAT).put(body);
        byte[] head = b.array();
        byte[] all = Arrays.copyOf(head, head.length + 32);
        System.arraycopy(Checkpoint.sha256(head), 0, all, head.length, 32);
        return all;
    }

    private static void decodeCleanly(byte[] file) {
        Checkpoint.Contents c;
        try {
            c = Checkpoint.decode(file, "fuzz.ckpt");
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).startsWith("fuzz.ckpt").hasSizeGreaterThan("fuzz.ckpt: ".length());
            return;
        }
        Checkpoint.Header h = c.header();
        assertThat(h.registryName()).isNotNull();
        assertThat(h.registryFingerprint()).isNotNull();
        assertThat(h.embedder()).isNotNull();
        assertThat(h.config()).isNotNull();
        assertThat(h.priors()).isNotNull();
        assertThat(h.notes()).isNotNull();
        assertThat(c.parameters()).isNotNull();
        // the optimizer block is only parsed on resume: it must fail as cleanly
        try {
            c.restoreOptimizer(Adam.builder().build(), "fuzz.ckpt");
        } catch (MaestroException expected) {
            assertThat(expected.getMessage()).startsWith("fuzz.ckpt");
        }
    }
}
