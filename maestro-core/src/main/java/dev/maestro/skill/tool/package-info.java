/**
 * Level-2 tools: small, deterministic programs a skill can run on a task's images or text.
 *
 * <p>{@link dev.maestro.skill.tool.Tool} is the contract, {@link dev.maestro.skill.tool.Tools} the registry
 * ({@code Tools.defaults()}). Tools never throw for bad input: a problem is a {@link dev.maestro.skill.tool.ToolResult}
 * with an error that names it, so an episode can show it to the policy as an observation.
 *
 * <p>General tools: {@code crop}/{@code zoom}, {@code resize}, {@code ocr} (Tesseract CLI), {@code calculator} (EvalEx).
 * BlindTest analysis tools (plain image processing, no learned model): {@code count-circles},
 * {@code nested-squares}, {@code grid-size}, {@code line-intersections}, {@code touching-circles}; their measured
 * accuracy is printed by {@link dev.maestro.skill.tool.ToolAccuracy}.
 */
package dev.maestro.skill.tool;
