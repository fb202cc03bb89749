package dev.maestro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void should_run_every_index_once_whatever_the_thread_count() {
        for (int threads : new int[] {0, 1, 3}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(50);
            Parallel.forEach(threads, "test", seen.length(), seen::incrementAndGet);
            int[] counts = new int[seen.length()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = seen.get(i);
            }
            assertThat(Arrays.stream(counts).distinct().toArray()).as("threads=%d", threads).containsExactly(1);
        }
    }

    @Test
    void should_pass_a_user_facing_error_through_and_name_the_work_on_a_bug() {
        assertThatThrownBy(() -> Parallel.forEach(2, "evaluation", 10, i -> {
            throw new MaestroException("bad input " + i);
        })).isInstanceOf(MaestroException.class).hasMessageStartingWith("bad input ");
        assertThatThrownBy(() -> Parallel.forEach(2, "evaluation", 10, i -> {
            throw new ArithmeticException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("evaluation failed: ");
    }
}
