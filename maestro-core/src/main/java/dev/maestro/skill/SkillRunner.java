package dev.maestro.skill;

import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;

/** Executes one (model, skill) call for a task: renders the skill, runs its tools, calls the expert. */
public interface SkillRunner {
    ExpertReply run(Task task, ModelCard model, SkillCard skill, String input, Expert expert);
}
