package dev.maestro.skill;

import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a SKILL.md body: {@code {question}}, {@code {input}}, {@code {options}}, {@code {conversation}} (the earlier
 * turns of a served chat, {@link dev.maestro.task.ChatContext#transcript()}; empty for dataset tasks) and
 * {@code {tool:NAME}} (filled from tool outputs; an MCP tool's NAME is {@code SERVER/TOOL}). Single pass, so text
 * substituted in is never re-expanded.
 */
public final class PromptTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(question|input|options|conversation|tool:[A-Za-z0-9_./-]+)}");

    private PromptTemplate() {
    }

    public static String render(String template, Task task, String skillName, String input, Map<String, String> toolOutputs) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder(template.length() + 256);
        int last = 0;
        while (m.find()) {
            String key = m.group(1);
            String value = switch (key) {
                case "question" -> task.questionFor(skillName);
                case "input" -> input;
                case "options" -> formatOptions(task.options());
                case "conversation" -> task.chat().transcript();
                default -> toolOutputs.getOrDefault(key.substring(5), "");
            };
            // appended as it is: appendReplacement would need it quoted, then parse the quoting again (seen per served request)
            sb.append(template, last, m.start()).append(value);
            last = m.end();
        }
        sb.append(template, last, template.length());
        return sb.toString().strip();
    }

    /** Whether a template places the conversation itself ({@code {conversation}}). */
    public static boolean usesConversation(String template) {
        return template.contains("{conversation}");
    }

    /** Tool names referenced by {@code {tool:NAME}}, in order of appearance. */
    public static List<String> toolsReferenced(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (m.group(1).startsWith("tool:")) {
                out.add(m.group(1).substring(5));
            }
        }
        return out;
    }

    static String formatOptions(List<String> options) {
        if (options.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("Options:");
        for (int i = 0; i < options.size(); i++) {
            sb.append('\n').append((char) ('A' + i)).append(". ").append(options.get(i));
        }
        return sb.toString();
    }
}
