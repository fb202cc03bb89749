package dev.maestro.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.episode.Environment;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Validation grades every episode, those with a failed expert call too: masking them scored a policy that calls a
 * pair with missing records on the subset of questions that pair has records for (on MMLU-Pro, the easier ones).
 */
class ValidationGradingTest {
    /** Right on every question it has a record for; no record for every fourth question (the "hard" ones). */
    private static Expert patchy() {
        return req -> {
            int i = Integer.parseInt(req.task().id().substring(1));
            if (i % 4 == 0) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.NOT_RECORDED, "not recorded"), 0);
            }
            return new ExpertReply(Optional.of("right"), Optional.of("right"), Optional.empty(), new Usage(10, 2), 0, 10,
                    Optional.empty(), true);
        };
    }

    @Test
    void should_grade_an_episode_with_a_failed_call_as_what_it_answered() {
        // given: one pair, which fails on a quarter of the tasks, so those episodes end without an answer
        ModelCard m = ModelCard.builder("patchy", Backend.SIMULATED).description("a model with gaps")
                .price(new Price(1, 1)).build();
        Registry reg = Registry.of("patchy-world", List.of(m), List.of(SkillCard.simple("solve", "solve it", "{question}")));
        Environment env = Environment.builder(reg, Map.of("patchy", patchy()), (t, a) -> t.answers().contains(a) ? 1 : 0)
                .build();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tasks.add(Task.text("q" + i, "Question " + i + "?", "right", "all"));
        }
        LearnedPolicy policy = LearnedPolicies.create(ToyWorld.CFG.architecture(), 0.75, 0, new ToyWorld.BagOfWords(),
                Map.of(new Pair("patchy", "solve"), 0.75));
        Validation v = new Validation(env, tasks, 7, 1, (r, w) -> r.grade() - 0.01 * r.calls());

        // when
        Validation.Score s = v.score(policy);

        // then: every task counts; the failed ones as wrong, minus what they spent
        assertThat(s.perTask()).doesNotContain(Double.NaN);
        assertThat(s.failedEpisodes()).isEqualTo(10);
        assertThat(s.accuracyMid()).isEqualTo(0.75);
        for (int i = 0; i < tasks.size(); i++) {
            assertThat(s.perTask()[i]).isLessThan(i % 4 == 0 ? 0 : 1);
        }
        assertThat(s.mean()).isCloseTo(Arrays.stream(s.perTask()).average().orElseThrow(), within(1e-12));
    }
}
