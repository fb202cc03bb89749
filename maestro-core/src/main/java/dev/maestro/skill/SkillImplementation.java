package dev.maestro.skill;

import dev.maestro.expert.ExpertReply;

/**
 * A skill written in Java: a {@code SKILL.md} with {@code implementation: java:NAME} runs the implementation
 * whose {@link #name()} is {@code NAME}. Implementations are found with {@link java.util.ServiceLoader}: list the
 * class in {@code META-INF/services/dev.maestro.skill.SkillImplementation} (it needs a public no-argument
 * constructor). Like an expert, an implementation should return failures as {@link ExpertReply#failure}, not
 * throw; the runner turns an exception into a failed reply anyway.
 */
public interface SkillImplementation {

    /** The name written after {@code java:} in SKILL.md. */
    String name();

    /** Runs the skill for one call. */
    ExpertReply run(SkillContext ctx);
}
