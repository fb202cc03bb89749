package dev.maestro.task;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Grades a final answer against a task's gold. Implementations are pure and thread-safe.
 */
public interface Grader {

    /**
     * @param task   the task, with its gold answers
     * @param answer the final answer text (already extracted from a response, see {@link AnswerExtractor})
     * @return a grade in [0, 1]; 0 when the task has no gold ({@link Task#hasGold()} is false)
     */
    double grade(Task task, String answer);

    /**
     * Grades against the gold of the wording a skill used (BlindTest TouchingCircle: "touching" and
     * "overlapping" disagree at distance 0). Falls back to the task's first gold answer.
     */
    default double grade(Task task, String skill, String answer) {
        String gold = task.answerByVariant().get(skill);
        if (gold == null) {
            return grade(task, answer);
        }
        Task asked = new Task(task.id(), task.source(), task.question(), task.options(), List.of(gold),
                task.answerType(), task.group(), task.images(), task.variants(), Map.of(), task.metadata());
        return grade(asked, answer);
    }

    /**
     * The grade of a final answer, or none when nothing can tell: the default grades tasks with gold (against the
     * gold of the wording {@code skill} used, when given) and leaves tasks without gold ungraded, never wrong. An
     * LLM judge overrides it to grade tasks without gold.
     */
    default Grade assess(Task task, Optional<String> skill, String answer) {
        if (!task.hasGold()) {
            return Grade.ungraded("no gold answer and no judge");
        }
        return Grade.of(skill.isPresent() ? grade(task, skill.get(), answer) : grade(task, answer), "grader");
    }

    /** Whether {@link #grade} can tell right from wrong for this task (some gold is known). */
    default boolean canGrade(Task task) {
        return task.hasGold() && task.answerType() != AnswerType.UNKNOWN;
    }
}
