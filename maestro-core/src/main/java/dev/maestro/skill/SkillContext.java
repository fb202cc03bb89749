package dev.maestro.skill;

import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.skill.tool.ToolInput;
import dev.maestro.skill.tool.ToolResult;
import dev.maestro.skill.tool.Tools;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link SkillImplementation} gets for one call: the task, the chosen model and its expert, the skill
 * card, the orchestrator's input, the tools and the sampling parameters, plus helpers for the usual moves.
 */
public record SkillContext(Task task, ModelCard model, SkillCard skill, String input, Expert expert, Tools tools,
                           ExpertRequest.Sampling sampling) {

    /** The question as this skill phrases it (a task may carry per-skill question variants). */
    public String question() {
        return task.questionFor(skill.name());
    }

    /** Runs a tool on the task's images with the question; never throws (a failure is a result). */
    public ToolResult tool(String name, String argument) {
        return tools.run(name, new ToolInput(task.images(), argument, question()));
    }

    /** Renders the skill's template with the given tool outputs for {@code {tool:NAME}}. */
    public String render(Map<String, String> toolOutputs) {
        return PromptTemplate.render(skill.template(), task, skill.name(), input, toolOutputs);
    }

    /** Calls the chosen model with a prompt and images. */
    public ExpertReply callModel(String prompt, List<Path> images) {
        return expert.call(ExpertRequests.of(task, model, skill, prompt, images, sampling));
    }
}
