package dev.maestro.train;

import dev.maestro.MaestroException;
import dev.maestro.episode.Environment;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.List;

/** What training checks about its tasks before it spends a call on them. */
public final class TrainingTasks {
    /** Fewer validation tasks than this make early stopping a coin toss: training warns. */
    public static final int MIN_VALIDATION = 50;
    private static final int SHOWN = 5;

    private TrainingTasks() {
    }

    /**
     * Refuses tasks whose answers nothing could grade (no gold, no judge, no recorded correctness flag): training on
     * them would either learn nothing or, if they counted as wrong, learn the wrong thing.
     *
     * @return warnings worth printing (a small validation split)
     * @throws MaestroException naming how many tasks cannot be graded, the first few ids, and what would fix it
     */
    public static List<String> check(Environment env, List<Task> train, List<Task> validation) {
        List<String> ungradable = new ArrayList<>();
        int total = 0;
        for (List<Task> part : List.of(train, validation)) {
            for (Task t : part) {
                total++;
                if (!env.canGrade(t)) {
                    ungradable.add(t.id());
                }
            }
        }
        if (!ungradable.isEmpty()) {
            throw new MaestroException(ungradable.size() + " of " + total + " training and validation tasks have neither "
                    + "a gold answer nor a judge (nor a recorded correctness flag), e.g. "
                    + String.join(", ", ungradable.subList(0, Math.min(SHOWN, ungradable.size())))
                    + (ungradable.size() > SHOWN ? ", ..." : "") + "; give each task row an \"answer\" "
                    + "(docs/evaluation.md) or add judge: {model: ID, rubric: \"...\"} to suite.yaml");
        }
        List<String> warnings = new ArrayList<>();
        if (validation.size() < MIN_VALIDATION) {
            warnings.add("the validation split has " + validation.size() + " tasks (fewer than " + MIN_VALIDATION
                    + "): the checkpoint kept by early stopping is chosen on little evidence; use more tasks or a "
                    + "larger split.validation in suite.yaml");
        }
        return warnings;
    }
}
