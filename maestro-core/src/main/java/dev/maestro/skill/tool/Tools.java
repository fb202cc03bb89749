package dev.maestro.skill.tool;

import dev.maestro.MaestroException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable registry of tools by name. */
public final class Tools {

    private final Map<String, Tool> byName;

    private Tools(Map<String, Tool> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Every built-in tool. */
    public static Tools defaults() {
        return of(List.of(
                new CropTool("crop"), new CropTool("zoom"), new ResizeTool(),
                new OcrTool(), new CalculatorTool(),
                new CountShapesTool(), new NestedSquaresTool(), new GridSizeTool(),
                new LineIntersectionsTool(), new TouchingCirclesTool()));
    }

    /** A registry of the given tools; names must be unique. */
    public static Tools of(List<? extends Tool> tools) {
        Map<String, Tool> map = new LinkedHashMap<>();
        for (Tool t : tools) {
            if (map.putIfAbsent(t.name(), t) != null) {
                throw new MaestroException("duplicate tool name '" + t.name() + "'; tool names must be unique");
            }
        }
        return new Tools(map);
    }

    /** These tools and {@code more} (names must stay unique). */
    public Tools plus(List<? extends Tool> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<Tool> all = new ArrayList<>(byName.values());
        all.addAll(more);
        return of(all);
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tool of this name, or a MaestroException listing the valid names. */
    public Tool require(String name) {
        Tool t = byName.get(name);
        if (t == null) {
            throw new MaestroException("unknown tool '" + name + "'; valid tools: " + String.join(", ", names()));
        }
        return t;
    }

    /**
     * Runs the named tool; an unknown name is a failure result (not an exception), because the name may
     * come from a policy's action.
     */
    public ToolResult run(String name, ToolInput in) {
        Tool t = byName.get(name);
        if (t == null) {
            return ToolResult.failure("unknown tool '" + name + "'; valid tools: " + String.join(", ", names()), 0);
        }
        return t.run(in);
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public List<Tool> all() {
        return List.copyOf(byName.values());
    }
}
