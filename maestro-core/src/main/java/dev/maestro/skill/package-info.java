/**
 * The skill runtime: renders {@code SKILL.md} templates ({@link dev.maestro.skill.PromptTemplate}), runs plain
 * prompt skills ({@link dev.maestro.skill.PromptSkillRunner}) and workflow skills — tool steps, rule-routed
 * Level-1 routers and Java implementations ({@link dev.maestro.skill.WorkflowSkillRunner},
 * {@link dev.maestro.skill.SkillImplementation}). Tools live in {@code dev.maestro.skill.tool}.
 */
package dev.maestro.skill;
