package dev.maestro.skill;

import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerExtractor;
import dev.maestro.task.Task;
import java.util.Map;

/**
 * The plain skill runtime: render the skill's prompt template, call the model with the task's images,
 * and extract an answer from the response when the backend did not supply one.
 */
public final class PromptSkillRunner implements SkillRunner {
    private final ExpertRequest.Sampling sampling;

    public PromptSkillRunner(ExpertRequest.Sampling sampling) {
        this.sampling = sampling;
    }

    public static PromptSkillRunner create() {
        return new PromptSkillRunner(ExpertRequest.Sampling.DEFAULT);
    }

    @Override
    public ExpertReply run(Task task, ModelCard model, SkillCard skill, String input, Expert expert) {
        String prompt = PromptTemplate.render(skill.template(), task, skill.name(), input, Map.of());
        ExpertReply reply = expert.call(ExpertRequests.of(task, model, skill, prompt, task.images(), sampling));
        if (reply.ok() && reply.answer().isEmpty() && reply.text().isPresent()) {
            return reply.withAnswer(AnswerExtractor.extract(reply.text().get(), task));
        }
        return reply;
    }
}
