package example;

import dev.maestro.runtime.Answer;
import dev.maestro.runtime.Maestro;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.nio.file.Path;
import java.util.List;

/**
 * Maestro as a library: the facade on the shipped MATH-V replay registry (recorded outputs of real models, so it runs
 * offline and free), answering three tasks with the pair Gemini-Pro@@direct, then one question of our own (which the
 * replay has no recording for: the answer says so instead of guessing).
 */
public final class AnswerWithMaestro {
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        List<Task> tasks = TaskReader.read(root.resolve("data/mathv/tasks.jsonl")).subList(0, 3);
        try (Maestro maestro = Maestro.builder()
                .registry(root.resolve("data/mathv/registry"))
                .policy("fixed:Gemini-Pro@@direct")
                .build()) {
            for (Task t : tasks) {
                Answer a = maestro.answer(t);
                System.out.printf("task %s: answer %s (gold %s), %d call(s), $%.6f%n", t.id(), a.text(),
                        String.join("|", t.answers()), a.calls(), a.costUsd());
            }
            Answer own = maestro.answer("What is 17 * 23?");
            System.out.println("own question: answered=" + own.answered() + ", errors=" + own.errors());
            if (own.errors().isEmpty()) {
                throw new IllegalStateException("a question the replay never saw must report 'not recorded'");
            }
        }
    }
}
