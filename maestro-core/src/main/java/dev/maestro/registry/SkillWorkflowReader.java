package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoader.PLACEHOLDERS;
import static dev.maestro.registry.SkillsReader.PLACEHOLDER;

import dev.maestro.registry.Fields.Ctx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the workflow keys of a SKILL.md front matter into a {@link SkillWorkflow}: {@code steps} (tool, model
 * and answer steps with their arguments), {@code route} (a router's rules), {@code implementation} and
 * {@code expose-children}. Called by {@link SkillsReader} for each skill.
 */
final class SkillWorkflowReader {
    private final ReadContext ctx;
    private final Fields fields;

    SkillWorkflowReader(ReadContext ctx, Fields fields) {
        this.ctx = ctx;
        this.fields = fields;
    }

    /** Reads and checks {@code steps}, {@code route}, {@code implementation} and {@code expose-children}. */
    SkillWorkflow parseWorkflow(Ctx c, Map<String, YamlNode> m, int level, List<String> children,
                                List<String> tools, String body) {
        String file = c.file();
        List<SkillWorkflow.Step> steps = new ArrayList<>();
        YamlNode sn = m.get("steps");
        if (sn != null && !sn.isNull()) {
            if (!sn.isList() || sn.list().isEmpty()) {
                ctx.error(file, sn.line(), "steps", "steps must be a non-empty list such as '- tool: zoom', "
                        + "'- model: true', '- answer: tool:count-circles', got " + sn.kind());
            } else {
                steps = parseSteps(file, sn.list(), tools, body);
            }
        }
        List<SkillWorkflow.RouteRule> rules = new ArrayList<>();
        Optional<String> dflt = Optional.empty();
        YamlNode rn = m.get("route");
        if (rn != null && !rn.isNull()) {
            if (level != 1 || children.isEmpty()) {
                ctx.error(file, rn.line(), "route", "route needs a level-1 router with children: it picks one of "
                        + "'children:'" + (level == 2 ? "; a level-2 skill cannot route" : ""));
            } else if (!rn.isList() || rn.list().isEmpty()) {
                ctx.error(file, rn.line(), "route", "route must be a non-empty list of rules such as "
                        + "'- {if-question-matches: \"(?i)handwrit\", skill: CHILD}' ending with '- default: CHILD', got "
                        + rn.kind());
            } else {
                dflt = parseRoute(file, rn, children, rules);
            }
            if (sn != null && !sn.isNull()) {
                ctx.error(file, sn.line(), "steps", "a router with route: cannot also have steps: the chosen child "
                        + "runs its own steps");
            }
        }
        Optional<String> impl = Optional.empty();
        Optional<String> iv = fields.string(c, m, "implementation", false);
        if (iv.isPresent()) {
            String v = iv.get();
            if (!v.startsWith("java:") || !v.substring(5).matches("[A-Za-z][A-Za-z0-9_.-]*")) {
                ctx.error(file, Fields.line(m, "implementation", c), "implementation", "implementation must be "
                        + "'java:NAME' (NAME of a SkillImplementation on the class path), got '" + v + "'");
            } else {
                impl = Optional.of(v.substring(5));
                if (sn != null && !sn.isNull()) {
                    ctx.error(file, Fields.line(m, "implementation", c), "implementation", "a skill with a Java "
                            + "implementation cannot also have steps: the implementation is the workflow");
                }
            }
        }
        boolean expose = false;
        YamlNode en = m.get("expose-children");
        if (en != null && !en.isNull()) {
            if (!(en.value() instanceof Boolean b)) {
                ctx.error(file, en.line(), "expose-children", "expose-children must be true or false, got " + en.kind());
            } else {
                expose = b;
                if (b && (level != 1 || children.isEmpty())) {
                    ctx.error(file, en.line(), "expose-children", "expose-children needs a level-1 router with "
                            + "children (its level-2 children become callable pairs)");
                }
            }
        }
        return new SkillWorkflow(steps, rules, dflt, impl, expose);
    }

    List<SkillWorkflow.Step> parseSteps(String file, List<YamlNode> entries, List<String> tools, String body) {
        List<SkillWorkflow.Step> out = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        String shapes = "'- tool: NAME' (optional 'argument: TEXT', or 'arguments:' for an MCP tool SERVER/TOOL), "
                + "'- model: true', '- answer: tool:NAME' or '- answer: model'";
        int models = 0;
        boolean answered = false;
        for (int i = 0; i < entries.size(); i++) {
            YamlNode e = entries.get(i);
            String field = "steps[" + i + "]";
            if (!e.isMap()) {
                ctx.error(file, e.line(), field, "a step must be a mapping: " + shapes + ", got " + e.kind());
                continue;
            }
            Map<String, YamlNode> sm = e.map();
            List<String> kinds = sm.keySet().stream().filter(k -> List.of("tool", "model", "answer").contains(k)).toList();
            for (String k : sm.keySet()) {
                if (!List.of("tool", "model", "answer", "argument", "arguments").contains(k)) {
                    ctx.error(file, sm.get(k).line(), field + "." + k, "unknown step key '" + k + "'; valid: tool, "
                            + "argument, arguments, model, answer");
                }
            }
            if (kinds.size() != 1) {
                ctx.error(file, e.line(), field, "a step does exactly one thing: " + shapes + "; got keys " + sm.keySet());
                continue;
            }
            if (answered) {
                ctx.error(file, e.line(), field, "the answer step must be the last step");
            }
            String kind = kinds.get(0);
            YamlNode v = sm.get(kind);
            for (String a : List.of("argument", "arguments")) {
                if (sm.containsKey(a) && !kind.equals("tool")) {
                    ctx.error(file, sm.get(a).line(), field + "." + a, "only a tool step takes " + a);
                }
            }
            switch (kind) {
                case "tool" -> {
                    String name = v.isScalar() ? v.text().strip() : "";
                    if (name.isEmpty()) {
                        ctx.error(file, v.line(), field + ".tool", "tool must name a tool, got " + v.kind());
                        continue;
                    }
                    if (!tools.contains(name)) {
                        ctx.error(file, v.line(), field + ".tool", "step tool '" + name + "' is not declared in "
                                + "tools: " + tools + " (add it to 'tools:')");
                    }
                    if (!ctx.knownTools.isEmpty() && !ctx.knownTools.contains(name) && tools.contains(name)
                            && !McpServer.isMcpTool(name)) {
                        ctx.error(file, v.line(), field + ".tool", "unknown tool '" + name + "'; valid: "
                                + String.join(", ", new TreeSet<>(ctx.knownTools)));
                    }
                    String arg = "";
                    YamlNode an = sm.get("argument");
                    if (an != null && !an.isNull()) {
                        if (!an.isScalar()) {
                            ctx.error(file, an.line(), field + ".argument", "argument must be text, got " + an.kind());
                        } else {
                            arg = an.text();
                            checkArgument(file, an.line(), field + ".argument", arg, ran);
                        }
                    }
                    Map<String, Object> named = arguments(file, field, sm, name, ran);
                    ran.add(name);
                    out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.TOOL, name, arg, named, e.line()));
                }
                case "model" -> {
                    if (!(v.value() instanceof Boolean b) || !b) {
                        ctx.error(file, v.line(), field + ".model", "write 'model: true' to call the chosen model, "
                                + "got '" + (v.isNull() ? "" : v.toPlain()) + "'");
                        continue;
                    }
                    if (++models > 1) {
                        ctx.error(file, e.line(), field, "only one model step is allowed (the skill makes one model call)");
                    }
                    if (body.isEmpty()) {
                        ctx.error(file, e.line(), field, "a model step needs a prompt template after the front matter");
                    }
                    out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.MODEL, "model", "", e.line()));
                }
                default -> {
                    String t = v.isScalar() ? v.text().strip() : "";
                    answered = true;
                    if (t.equals("model")) {
                        if (models == 0) {
                            ctx.error(file, v.line(), field + ".answer", "answer: model needs an earlier "
                                    + "'- model: true' step");
                        }
                        out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.ANSWER, "model", "", e.line()));
                    } else if (t.startsWith("tool:") && ran.contains(t.substring(5))) {
                        out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.ANSWER, t.substring(5), "", e.line()));
                    } else {
                        ctx.error(file, v.line(), field + ".answer", "answer must be 'model' or 'tool:NAME' for a "
                                + "tool run in an earlier step; tools run so far: " + ran + ", got '" + t + "'");
                    }
                }
            }
        }
        if (models == 0 && !answered && !entries.isEmpty()) {
            ctx.error(file, entries.get(0).line(), "steps", "the steps never produce an answer: add '- model: true' "
                    + "(the model answers) or '- answer: tool:NAME' (a tool answers)");
        }
        return out;
    }

    /**
     * The {@code arguments:} of an MCP tool step: a mapping of the tool's argument names to values, whose strings are
     * templates like {@code argument} (checked here); types are matched to the tool's schema when it is called.
     */
    private Map<String, Object> arguments(String file, String field, Map<String, YamlNode> sm, String tool, List<String> ran) {
        YamlNode n = sm.get("arguments");
        if (n == null || n.isNull()) {
            return Map.of();
        }
        String f = field + ".arguments";
        if (!McpServer.isMcpTool(tool)) {
            ctx.error(file, n.line(), f, "arguments: is for MCP tools (written SERVER/TOOL); the built-in tool '" + tool
                    + "' takes one 'argument: TEXT'");
            return Map.of();
        }
        if (sm.containsKey("argument") && !sm.get("argument").isNull()) {
            ctx.error(file, n.line(), f, "give either 'argument: TEXT' (for a tool with one argument) or 'arguments:' "
                    + "(name: value for each), not both");
            return Map.of();
        }
        if (!n.isMap() || n.map().isEmpty()) {
            ctx.error(file, n.line(), f, "arguments must map the tool's argument names to values, e.g. "
                    + "{city: \"{input}\", days: 3}, got " + n.kind());
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
            checkTemplates(file, f + "." + e.getKey(), e.getValue(), ran);
            out.put(e.getKey(), e.getValue().toPlainKeepingNulls());
        }
        return out;
    }

    private void checkTemplates(String file, String field, YamlNode v, List<String> ran) {
        if (v.isMap()) {
            v.map().forEach((k, x) -> checkTemplates(file, field + "." + k, x, ran));
        } else if (v.isList()) {
            for (int i = 0; i < v.list().size(); i++) {
                checkTemplates(file, field + "[" + i + "]", v.list().get(i), ran);
            }
        } else if (v.value() instanceof String t) {
            checkArgument(file, v.line(), field, t, ran);
        }
    }

    void checkArgument(String file, int line, String field, String arg, List<String> ran) {
        Matcher mt = PLACEHOLDER.matcher(arg);
        while (mt.find()) {
            String ph = mt.group(1);
            String a = mt.group(2);
            if (a == null && PLACEHOLDERS.contains(ph)) {
                continue;
            }
            if (ph.equals("tool") && a != null && ran.contains(a)) {
                continue;
            }
            List<String> valid = new ArrayList<>(PLACEHOLDERS.stream().map(p -> "{" + p + "}").toList());
            ran.forEach(t -> valid.add("{tool:" + t + "}"));
            ctx.error(file, line, field, "unknown placeholder " + mt.group() + " in a step argument; valid here: "
                    + String.join(", ", valid));
        }
    }

    Optional<String> parseRoute(String file, YamlNode rn, List<String> children, List<SkillWorkflow.RouteRule> rules) {
        Optional<String> dflt = Optional.empty();
        List<YamlNode> entries = rn.list();
        for (int i = 0; i < entries.size(); i++) {
            YamlNode e = entries.get(i);
            String field = "route[" + i + "]";
            if (!e.isMap()) {
                ctx.error(file, e.line(), field, "a rule must be a mapping such as "
                        + "{if-question-matches: REGEX, skill: CHILD} or {default: CHILD}, got " + e.kind());
                continue;
            }
            Map<String, YamlNode> rm = e.map();
            if (dflt.isPresent()) {
                ctx.error(file, e.line(), field, "'default' must be the last rule; rules after it never apply");
            }
            if (rm.containsKey("default")) {
                if (rm.size() != 1) {
                    ctx.error(file, e.line(), field, "a default rule has only 'default: CHILD'; got keys " + rm.keySet());
                }
                String child = rm.get("default").isScalar() ? rm.get("default").text().strip() : "";
                checkChild(file, rm.get("default").line(), field + ".default", child, children);
                dflt = Optional.of(child);
                continue;
            }
            List<String> conds = rm.keySet().stream().filter(k -> k.startsWith("if-")).toList();
            for (String k : rm.keySet()) {
                if (!List.of("if-question-matches", "if-input-matches", "skill").contains(k)) {
                    ctx.error(file, rm.get(k).line(), field + "." + k, "unknown rule key '" + k + "'; valid: "
                            + "if-question-matches, if-input-matches, skill, default");
                }
            }
            if (conds.size() != 1 || !rm.containsKey("skill")) {
                ctx.error(file, e.line(), field, "a rule needs one condition (if-question-matches or "
                        + "if-input-matches) and 'skill: CHILD'; got keys " + rm.keySet());
                continue;
            }
            String cond = conds.get(0);
            String regex = rm.get(cond).isScalar() ? rm.get(cond).text() : "";
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException ex) {
                ctx.error(file, rm.get(cond).line(), field + "." + cond, "not a valid Java regular expression: "
                        + ex.getDescription() + " near index " + ex.getIndex());
                continue;
            }
            String child = rm.get("skill").isScalar() ? rm.get("skill").text().strip() : "";
            checkChild(file, rm.get("skill").line(), field + ".skill", child, children);
            rules.add(new SkillWorkflow.RouteRule(cond.equals("if-question-matches") ? "question" : "input",
                    regex, child, e.line()));
        }
        if (dflt.isEmpty()) {
            ctx.error(file, rn.line(), "route", "route needs a final '- default: CHILD' rule so every question "
                    + "reaches a child; children: " + children);
        }
        return dflt;
    }

    void checkChild(String file, int line, String field, String child, List<String> children) {
        if (!children.contains(child)) {
            ctx.error(file, line, field, "'" + child + "' is not one of this router's children: " + children);
        }
    }
}
