package dev.maestro.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The executable part of a {@code SKILL.md} front matter: workflow {@code steps}, a router's {@code route}
 * rules, a Java {@code implementation}, {@code expose-children}, and the MCP servers it declares ({@code mcp:}).
 * All of it is optional; a skill without
 * any of it is a plain prompt skill. The registry only validates the shape; {@code dev.maestro.skill}
 * executes it (the registry package must not depend on the runtime).
 *
 * @param steps          ordered workflow steps; empty = render the template and call the model once
 * @param route          rule routing of a level-1 router, first match wins; empty = no rule routing
 * @param routeDefault   the child taken when no rule matches (required when {@code route} is set)
 * @param implementation name of a Java {@code SkillImplementation} ({@code implementation: java:NAME})
 * @param exposeChildren a router's level-2 children become callable pairs of the router's models
 * @param mcpServers     MCP servers this skill declares; their tools ({@code SERVER/TOOL}) are usable by every skill
 */
public record SkillWorkflow(
        List<Step> steps,
        List<RouteRule> route,
        Optional<String> routeDefault,
        Optional<String> implementation,
        boolean exposeChildren,
        List<McpServer> mcpServers) {

    public static final SkillWorkflow NONE = new SkillWorkflow(List.of(), List.of(), Optional.empty(), Optional.empty(), false);

    public SkillWorkflow {
        steps = List.copyOf(steps);
        route = List.copyOf(route);
        Objects.requireNonNull(routeDefault);
        Objects.requireNonNull(implementation);
        mcpServers = List.copyOf(mcpServers);
    }

    /** A workflow that declares no MCP server. */
    public SkillWorkflow(List<Step> steps, List<RouteRule> route, Optional<String> routeDefault,
                         Optional<String> implementation, boolean exposeChildren) {
        this(steps, route, routeDefault, implementation, exposeChildren, List.of());
    }

    /** True when the skill is a plain prompt skill (nothing to execute beyond the template). */
    public boolean isPlain() {
        return steps.isEmpty() && route.isEmpty() && implementation.isEmpty();
    }

    /** What a workflow step does. */
    public enum Kind {
        /** Run a tool; its output is available to later steps as {@code {tool:NAME}}. */
        TOOL,
        /** Call the chosen model with the rendered template and the current images. */
        MODEL,
        /** Take the skill's answer from a tool ({@code answer: tool:NAME}) or the model ({@code answer: model}). */
        ANSWER
    }

    /**
     * One workflow step.
     *
     * @param kind      what it does
     * @param target    the tool name (TOOL, and ANSWER from a tool) or {@code model} (MODEL, ANSWER from the model)
     * @param argument  the tool argument, a template with the SKILL.md placeholders ({@code {input}}, ...)
     * @param arguments named arguments of an MCP tool ({@code arguments:}): plain YAML values (maps, lists, strings,
     *                  numbers, booleans) whose strings are templates like {@code argument}; empty for other steps
     * @param line      1-based line in the SKILL.md (0 when built in code), for messages
     */
    public record Step(Kind kind, String target, String argument, Map<String, Object> arguments, int line) {
        public Step {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(target);
            Objects.requireNonNull(argument);
            arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        }

        /** A step without named arguments. */
        public Step(Kind kind, String target, String argument, int line) {
            this(kind, target, argument, Map.of(), line);
        }

        /** A tool step with named arguments (an MCP tool). */
        public static Step tool(String name, Map<String, Object> arguments) {
            return new Step(Kind.TOOL, name, "", arguments, 0);
        }

        public static Step tool(String name, String argument) {
            return new Step(Kind.TOOL, name, argument, 0);
        }

        public static Step model() {
            return new Step(Kind.MODEL, "model", "", 0);
        }

        public static Step answerFromTool(String name) {
            return new Step(Kind.ANSWER, name, "", 0);
        }

        public static Step answerFromModel() {
            return new Step(Kind.ANSWER, "model", "", 0);
        }

        /** How the step reads in SKILL.md, for traces and messages. */
        public String describe() {
            return switch (kind) {
                case TOOL -> "tool: " + target + (argument.isEmpty() ? "" : " (argument: " + argument + ")")
                        + (arguments.isEmpty() ? "" : " (arguments: " + String.join(", ", arguments.keySet()) + ")");
                case MODEL -> "model: true";
                case ANSWER -> "answer: " + (target.equals("model") ? "model" : "tool:" + target);
            };
        }
    }

    /**
     * A routing rule: when {@code field} ({@code question} or {@code input}) matches {@code regex}
     * (Java syntax, {@code find()} semantics), dispatch to {@code skill}.
     */
    public record RouteRule(String field, String regex, String skill, int line) {
        public RouteRule {
            Objects.requireNonNull(field);
            Objects.requireNonNull(regex);
            Objects.requireNonNull(skill);
        }

        public static RouteRule ifQuestionMatches(String regex, String skill) {
            return new RouteRule("question", regex, skill, 0);
        }

        public static RouteRule ifInputMatches(String regex, String skill) {
            return new RouteRule("input", regex, skill, 0);
        }
    }
}
