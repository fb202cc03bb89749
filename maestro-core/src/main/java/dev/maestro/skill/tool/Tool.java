package dev.maestro.skill.tool;

/**
 * A Level-2 tool: a program run on a task's images and a text argument (built in), or a tool of an MCP server a
 * SKILL.md declares (provided by a {@link ToolProvider}).
 *
 * <p>Implementations must not throw for bad input or failed work: they return {@link ToolResult#failure}
 * with a message naming the problem and what would be valid, because a tool's output becomes an
 * observation the policy reads.
 */
public interface Tool {

    /** Unique dash-case name, as written in {@code SKILL.md} ({@code {tool:NAME}}) and in calls. */
    String name();

    /** One honest line on what the tool does and what argument it takes; the policy may read it. */
    String description();

    /** Runs the tool; never throws for bad input (returns a failure result instead). */
    ToolResult run(ToolInput in);

    /**
     * Whether the tool works on the task's images. A workflow skips such a step on a task without images
     * (instead of recording a failure), so image steps cost nothing on text-only tasks.
     */
    default boolean readsImages() {
        return true;
    }

    /**
     * Whether the same input always gives the same result, so a workflow may remember results (the built-in tools
     * are programs over the task's images). A tool backed by a remote service (an MCP server) says no unless its
     * declaration says otherwise.
     */
    default boolean deterministic() {
        return true;
    }
}
