package dev.maestro.skill;

import dev.maestro.expert.ExpertRequest;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.ChatContext;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The request a skill sends its model, with the conversation of a served task ({@link Task#chat()}):
 * <ul>
 *   <li>the runner's sampling, with the client's sampling request put over it;</li>
 *   <li>when the skill's template has no {@code {conversation}} placeholder: every earlier message (system
 *       prompts, user and assistant turns with their images) as chat history before the rendered prompt;</li>
 *   <li>when it has one: the turns were rendered into the prompt, so only the system messages go as history, and
 *       the images of the earlier turns are sent with the prompt after its own.</li>
 * </ul>
 * Dataset tasks have no chat context: their requests are exactly what they were before.
 */
public final class ExpertRequests {
    private ExpertRequests() {
    }

    public static ExpertRequest of(Task task, ModelCard model, SkillCard skill, String prompt, List<Path> images,
                                   ExpertRequest.Sampling sampling) {
        ChatContext chat = task.chat();
        if (chat.isEmpty()) {
            return new ExpertRequest(task, model, skill, prompt, images, sampling);
        }
        ExpertRequest.Sampling s = sampling.overriddenBy(chat.sampling());
        if (!PromptTemplate.usesConversation(skill.template())) {
            return new ExpertRequest(task, model, skill, prompt, images, s, chat.history());
        }
        List<Path> all = new ArrayList<>(images);
        chat.turnImages().stream().filter(p -> !all.contains(p)).forEach(all::add);
        return new ExpertRequest(task, model, skill, prompt, all, s, chat.system());
    }
}
