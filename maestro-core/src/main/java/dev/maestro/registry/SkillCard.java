package dev.maestro.registry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A skill as declared by a {@code SKILL.md} file: YAML front matter plus a prompt template body.
 *
 * <p>Level-1 skills are coarse workflows or routers the policy calls; level-2 skills are
 * fine-grained solvers or tools a level-1 router dispatches to. The template may use
 * {@code {question}}, {@code {input}}, {@code {options}}, {@code {conversation}} and {@code {tool:NAME}} placeholders.
 * {@link #workflow()} holds the executable front matter ({@code steps}, {@code route}, {@code implementation},
 * {@code expose-children}); see docs/skills.md.
 */
public record SkillCard(
        String name,
        int level,
        String description,
        Optional<String> parent,
        List<String> children,
        List<String> tools,
        Set<Modality> modalities,
        String template,
        Optional<String> source,
        SkillWorkflow workflow) {

    public SkillCard {
        children = List.copyOf(children);
        tools = List.copyOf(tools);
        modalities = Set.copyOf(modalities);
        Objects.requireNonNull(workflow);
    }

    /** A skill without an executable workflow (the shape before {@code steps:} existed). */
    public SkillCard(String name, int level, String description, Optional<String> parent, List<String> children,
                     List<String> tools, Set<Modality> modalities, String template, Optional<String> source) {
        this(name, level, description, parent, children, tools, modalities, template, source, SkillWorkflow.NONE);
    }

    /** This card with another workflow. */
    public SkillCard withWorkflow(SkillWorkflow w) {
        return new SkillCard(name, level, description, parent, children, tools, modalities, template, source, w);
    }

    public boolean isRouter() {
        return level == 1 && !children.isEmpty();
    }

    public static SkillCard simple(String name, String description, String template) {
        return new SkillCard(name, 1, description, Optional.empty(), List.of(), List.of(),
                Set.of(Modality.TEXT, Modality.IMAGE), template, Optional.empty());
    }
}
