package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.maestro.MaestroException;
import java.io.ByteArrayInputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Arbitrary bytes never crash the reader with anything but a MaestroException, and lenient mode never throws. */
class RecordedOutputsPropertiesTest {
    private static final byte[] GOOD = "{\"task_id\": \"1\", \"model\": \"M\", \"skill\": \"s\", \"correct\": true}\n".getBytes();

    @Property(tries = 300)
    void should_fail_only_with_maestro_exception_in_strict_mode(@ForAll @Size(max = 400) byte[] junk) {
        Throwable t = catchThrowable(() -> RecordedOutputs.read(new ByteArrayInputStream(concat(GOOD, junk)), "fuzz",
                RecordedOutputs.Mode.STRICT));
        if (t != null) {
            assertThat(t).isInstanceOf(MaestroException.class).hasMessageStartingWith("fuzz:");
        }
    }

    @Property(tries = 300)
    void should_keep_good_rows_and_never_throw_in_lenient_mode(@ForAll @Size(max = 400) byte[] junk) {
        byte[] bytes = concat(concat(GOOD, junk), "\n".getBytes());
        RecordedOutputs out = RecordedOutputs.read(new ByteArrayInputStream(bytes), "fuzz", RecordedOutputs.Mode.LENIENT);
        assertThat(out.find("1", "M", "s")).isPresent();
        assertThat(out.problems()).allSatisfy(p -> assertThat(p).startsWith("fuzz:"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
