package dev.maestro.onboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuestionClustersTest {
    /** n questions around each of three directions of a 16-dimensional space, the first kind twice as many. */
    static float[][] blobs(int n, List<String> questions, List<Integer> kind) {
        SplittableRandom rng = new SplittableRandom(3);
        List<float[]> out = new ArrayList<>();
        int[] sizes = {2 * n, n, n};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < sizes[c]; i++) {
                float[] v = new float[16];
                v[c * 5] = 1;
                for (int d = 0; d < 16; d++) {
                    v[d] += (float) (0.15 * (rng.nextDouble() - 0.5));
                }
                out.add(v);
                questions.add("kind " + c + " question " + i);
                kind.add(c);
            }
        }
        return out.toArray(float[][]::new);
    }

    @Test
    void should_find_separated_kinds_of_question_and_name_each_cluster_by_its_most_central_question() {
        List<String> q = new ArrayList<>();
        List<Integer> kind = new ArrayList<>();
        float[][] v = blobs(60, q, kind);

        List<String> groups = QuestionClusters.groups(v, q, 3, 1);

        // each cluster is one kind, the largest kind is cluster 1, and a cluster's name is one of its questions
        for (int c = 0; c < 3; c++) {
            var names = new HashSet<String>();
            for (int i = 0; i < q.size(); i++) {
                if (kind.get(i) == c) {
                    names.add(groups.get(i));
                }
            }
            assertThat(names).hasSize(1);
            assertThat(names.iterator().next()).contains("kind " + c + " question");
        }
        assertThat(groups.get(0)).startsWith("cluster 1: kind 0");
        assertThat(QuestionClusters.groups(v, q, 3, 1)).isEqualTo(groups);
    }

    @Test
    void should_split_only_when_there_are_enough_questions_and_never_into_more_than_eight() {
        assertThat(QuestionClusters.count(99)).isZero();
        assertThat(QuestionClusters.count(100)).isEqualTo(2);
        assertThat(QuestionClusters.count(260)).isEqualTo(5);
        assertThat(QuestionClusters.count(100_000)).isEqualTo(8);
        assertThatThrownBy(() -> QuestionClusters.groups(new float[3][2], List.of("a", "b", "c"), 4, 1))
                .hasMessageContaining("clusters must be in [2, 3]");
    }
}
