package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps the counts printed in docs/splits.md true. */
class SplitCountsTest {

    static Map<Split.Part, Integer> counts(List<Task> tasks) {
        Map<Split.Part, Integer> m = new EnumMap<>(Split.Part.class);
        for (Split.Part p : Split.Part.values()) {
            m.put(p, Split.standard().filter(tasks, p).size());
        }
        return m;
    }

    @Test
    void should_match_the_documented_standard_split_counts() {
        // when
        Map<Split.Part, Integer> mathv = counts(TaskReader.read(Data.mathv("tasks.jsonl")));
        Map<Split.Part, Integer> blind = counts(TaskReader.read(Data.blind("tasks.jsonl")));

        // then
        assertThat(mathv).isEqualTo(Map.of(Split.Part.TRAIN, MATHV[0], Split.Part.VALIDATION, MATHV[1], Split.Part.TEST, MATHV[2]));
        assertThat(blind).isEqualTo(Map.of(Split.Part.TRAIN, BLIND[0], Split.Part.VALIDATION, BLIND[1], Split.Part.TEST, BLIND[2]));
    }

    // train, validation, test — as in docs/splits.md
    private static final int[] MATHV = {1208, 287, 1545};
    private static final int[] BLIND = {2048, 523, 2549};
}
