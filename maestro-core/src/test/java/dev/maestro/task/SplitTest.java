package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.MaestroException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {

    private static List<Task> synthetic(int n) {
        return IntStream.range(0, n).mapToObj(i -> Task.text("t" + i, "q", "a", "g")).toList();
    }

    @Test
    void should_hit_the_requested_fractions_on_many_ids() {
        // given
        Split split = Split.of("s", 0.5, 0.2);
        Map<Split.Part, Integer> counts = new EnumMap<>(Split.Part.class);

        // when
        for (Task t : synthetic(20_000)) {
            counts.merge(split.assign(t), 1, Integer::sum);
        }

        // then: test 50%, validation 20% of the other half = 10%, train 40%
        assertThat(counts.get(Split.Part.TEST) / 20_000.0).isCloseTo(0.5, within(0.015));
        assertThat(counts.get(Split.Part.VALIDATION) / 20_000.0).isCloseTo(0.1, within(0.01));
        assertThat(counts.get(Split.Part.TRAIN) / 20_000.0).isCloseTo(0.4, within(0.015));
    }

    @Test
    void should_not_depend_on_order_or_on_other_tasks() {
        // given
        Split split = Split.standard();
        List<Task> tasks = new ArrayList<>(synthetic(500));
        List<Split.Part> before = tasks.stream().map(split::assign).toList();

        // when
        Collections.shuffle(tasks, new Random(3));
        List<Task> subset = tasks.subList(0, 100);

        // then
        for (Task t : subset) {
            assertThat(split.assign(t)).isEqualTo(before.get(Integer.parseInt(t.id().substring(1))));
        }
        assertThat(split.filter(tasks, Split.Part.TEST)).allSatisfy(t -> assertThat(split.assign(t)).isEqualTo(Split.Part.TEST));
    }

    @Test
    void should_be_pinned_to_sha256_of_salt_colon_id() {
        // given: sha256("maestro-v1:1") starts 6a03463a8085106c (computed independently with Python hashlib)
        Split split = Split.standard();

        // then
        assertThat(split.uniform("1")).isCloseTo(Long.parseUnsignedLong(PINNED_PREFIX_1, 16) / 0x1.0p64, within(1e-12));
        assertThat(split.uniform("1")).isNotEqualTo(Split.of("other", 0.5, 0.2).uniform("1"));
    }

    // First 16 hex digits of sha256("maestro-v1:1").
    private static final String PINNED_PREFIX_1 = "6a03463a8085106c";

    @Test
    void should_put_everything_in_one_part_at_the_extremes() {
        List<Task> tasks = synthetic(200);
        assertThat(Split.of("s", 1.0, 0.0).filter(tasks, Split.Part.TEST)).hasSize(200);
        assertThat(Split.of("s", 0.0, 0.0).filter(tasks, Split.Part.TRAIN)).hasSize(200);
    }

    @Test
    void should_reject_bad_fractions_and_salt() {
        assertThatThrownBy(() -> Split.of("s", 1.5, 0.2)).isInstanceOf(MaestroException.class).hasMessageContaining("testFraction");
        assertThatThrownBy(() -> Split.of("s", 0.5, 1.0)).isInstanceOf(MaestroException.class).hasMessageContaining("validationFraction");
        assertThatThrownBy(() -> Split.of("", 0.5, 0.2)).isInstanceOf(MaestroException.class).hasMessageContaining("salt");
        assertThatThrownBy(() -> Split.of("s", Double.NaN, 0.2)).isInstanceOf(MaestroException.class);
    }
}
