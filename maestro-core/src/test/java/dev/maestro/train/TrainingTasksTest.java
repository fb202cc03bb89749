package dev.maestro.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.episode.Environment;
import dev.maestro.eval.JudgeStub;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training refuses tasks nothing can grade, and warns about a small validation split. */
class TrainingTasksTest {
    private static List<Task> withoutGold(int n) {
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Task("open-" + i, "own", "Write a haiku " + i, List.of(), List.of(), AnswerType.UNKNOWN, "open",
                    List.of(), Map.of(), Map.of(), Map.of()));
        }
        return out;
    }

    @Test
    void should_refuse_tasks_with_neither_gold_nor_a_judge_saying_which_and_how_many() {
        // given 96 tasks with gold and 7 without
        List<Task> train = new ArrayList<>(ToyWorld.tasks(96));
        train.addAll(withoutGold(7));

        // then
        assertThatThrownBy(() -> GrpoTrainer.builder(ToyWorld.env(), train, ToyWorld.CFG, new ToyWorld.BagOfWords(), "bow-32")
                .validation(ToyWorld.tasks(60)).build())
                .isInstanceOf(MaestroException.class)
                .hasMessageStartingWith("7 of 163 training and validation tasks have neither a gold answer nor a judge")
                .hasMessageContaining("open-0, open-1, open-2, open-3, open-4, ...")
                .hasMessageContaining("judge: {model: ID, rubric:");
    }

    @Test
    void should_accept_tasks_without_gold_when_a_judge_grades_them_and_warn_about_a_small_validation_split() {
        // given an environment whose grader is a judge
        Environment judged = Environment.builder(ToyWorld.registry(), Map.of("chartist", ToyWorld.expert("chartist"),
                "medic", ToyWorld.expert("medic"), "generalist", ToyWorld.expert("generalist")), JudgeStub.alwaysCorrect())
                .build();

        // when
        List<String> warnings = TrainingTasks.check(judged, withoutGold(20), withoutGold(12));

        // then
        assertThat(warnings).singleElement().asString().startsWith("the validation split has 12 tasks (fewer than 50)");
        assertThat(TrainingTasks.check(judged, withoutGold(20), withoutGold(50))).isEmpty();
    }
}
