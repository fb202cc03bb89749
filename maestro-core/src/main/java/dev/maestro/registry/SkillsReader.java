package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoader.PLACEHOLDERS;
import static dev.maestro.registry.RegistryLoader.SKILLS_DIR;
import static dev.maestro.registry.RegistryLoader.SKILL_FILE;
import static dev.maestro.registry.RegistryLoader.SKILL_KEYS;

import dev.maestro.registry.Fields.Ctx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads {@code skills/<name>/SKILL.md}: the folder layout, the YAML front matter and the prompt template after
 * it. The workflow keys ({@code steps}, {@code route}, {@code implementation}, {@code expose-children}) are
 * read by {@link SkillWorkflowReader}; links between skills (parents, children, cycles) are checked afterwards
 * by {@link RegistryGraphCheck}, once every skill has been read.
 *
 * <p>Adding a skill key: list it in {@link RegistryLoader#SKILL_KEYS} and read it in {@link #parseSkill}
 * (or, for a workflow key, in {@link SkillWorkflowReader#parseWorkflow}).
 */
final class SkillsReader {
    // A placeholder is {identifier} or {identifier:argument}; {2}, {"a": 1} or { x } stay literal text,
    // so prompts such as "answer in curly brackets, e.g. {3}" need no escaping.
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_-]*)(?::([^{}\\s]*))?}");

    private final ReadContext ctx;
    private final Fields fields;
    private final SkillWorkflowReader workflows;
    private final McpServersReader mcp;

    SkillsReader(ReadContext ctx, Fields fields) {
        this.ctx = ctx;
        this.fields = fields;
        this.workflows = new SkillWorkflowReader(ctx, fields);
        this.mcp = new McpServersReader(ctx, fields);
    }

    /** A skill read from its file, with the front matter kept for line numbers in later cross-file checks. */
    record ParsedSkill(SkillCard card, String file, Map<String, YamlNode> front, Ctx where) {
        int line(String key) {
            YamlNode n = front.get(key);
            return n == null ? where.line() : n.line();
        }
    }

    /** Every readable skill under {@code skills/}, by name; problems go to the context. */
    Map<String, ParsedSkill> read() {
        Map<String, ParsedSkill> out = new TreeMap<>();
        Path dir = ctx.root.resolve(SKILLS_DIR);
        if (!Files.exists(dir)) {
            ctx.warning(SKILLS_DIR, 0, "", "no skills folder: models cannot be paired with any skill "
                    + "(expected skills/<name>/SKILL.md)");
            return out;
        }
        if (!Files.isDirectory(dir)) {
            ctx.error(SKILLS_DIR, 0, "", "skills must be a folder holding skills/<name>/SKILL.md");
            return out;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            ctx.error(SKILLS_DIR, 0, "", "cannot list the skills folder: " + e.getMessage());
            return out;
        }
        Map<String, ParsedSkill> byFold = new HashMap<>();
        for (Path entry : entries) {
            String folderName = Fields.nfc(entry.getFileName().toString());
            if (folderName.startsWith(".")) {
                continue;
            }
            String relDir = SKILLS_DIR + "/" + folderName;
            if (!Files.isDirectory(entry)) {
                ctx.warning(relDir, 0, "", "not a skill folder (expected skills/<name>/SKILL.md); ignored");
                continue;
            }
            Path file = entry.resolve(SKILL_FILE);
            if (!Files.isRegularFile(file)) {
                ctx.error(relDir, 0, "", "skill folder has no " + SKILL_FILE);
                ctx.brokenSkills.add(folderName);
                continue;
            }
            if (!realInside(file)) {
                // a symlinked skill folder or SKILL.md must not pull text from outside the suite folder
                ctx.error(relDir + "/" + SKILL_FILE, 0, "", SKILL_FILE + " escapes the registry's parent folder '"
                        + ctx.base.getFileName() + "' through a symbolic link; registry files must stay within it");
                ctx.brokenSkills.add(folderName);
                continue;
            }
            Optional<ParsedSkill> parsed = parseSkill(file, relDir + "/" + SKILL_FILE, folderName);
            if (parsed.isEmpty()) {
                ctx.brokenSkills.add(folderName);
            }
            parsed.ifPresent(s -> {
                ParsedSkill prev = out.get(s.card().name());
                ParsedSkill twin = byFold.get(Fields.fold(s.card().name()));
                if (prev != null) {
                    ctx.error(s.file(), s.line("name"), "name", "duplicate skill name '" + s.card().name()
                            + "' (also declared in " + prev.file() + ")");
                } else if (twin != null) {
                    ctx.error(s.file(), s.line("name"), "name", "skill name '" + s.card().name() + "' differs from '"
                            + twin.card().name() + "' (" + twin.file() + ") only by case; skill names must be unique "
                            + "ignoring case, so that a reader can tell them apart");
                    ctx.brokenSkills.add(s.card().name());
                } else {
                    out.put(s.card().name(), s);
                    byFold.put(Fields.fold(s.card().name()), s);
                }
            });
        }
        return out;
    }

    /** Whether an existing file, every symbolic link followed, lies inside the (real) suite folder. */
    boolean realInside(Path file) {
        return ctx.realInside(file);
    }

    Optional<ParsedSkill> parseSkill(Path path, String file, String folderName) {
        Optional<String> read = ctx.readText(path, file);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        String text = read.get();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals("---")) {
            ctx.error(file, 1, "", "SKILL.md must start with YAML front matter: a '---' line, the keys "
                    + String.join(", ", SKILL_KEYS) + ", then a closing '---' line");
            return Optional.empty();
        }
        int close = -1;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].strip().equals("---")) {
                close = i;
                break;
            }
        }
        if (close < 0) {
            ctx.error(file, 1, "", "front matter is not closed: no second '---' line");
            return Optional.empty();
        }
        String front = String.join("\n", List.of(lines).subList(1, close));
        int bodyLine = close + 2;
        String body = String.join("\n", List.of(lines).subList(close + 1, lines.length)).strip();
        int firstBodyLine = bodyLine;
        for (int i = close + 1; i < lines.length && lines[i].isBlank(); i++) {
            firstBodyLine++;
        }
        YamlNode node;
        try {
            node = YamlNode.parse(front, 1, (k, l) -> ctx.error(file, l, k, "duplicate key '" + k + "'"));
        } catch (YamlNode.SyntaxError e) {
            ctx.error(file, e.line, "", e.getMessage());
            return Optional.empty();
        }
        if (node.isNull()) {
            node = new YamlNode(new LinkedHashMap<String, YamlNode>(), 2);
        }
        if (!node.isMap()) {
            ctx.error(file, node.line(), "", "front matter must be a mapping of keys ("
                    + String.join(", ", SKILL_KEYS) + "), got " + node.kind());
            return Optional.empty();
        }
        Ctx c = new Ctx(file, "", node.line());
        // ${VAR} is substituted now everywhere but in mcp:, whose values are resolved only when a server is
        // connected (they may be secrets; see McpServer)
        Map<String, YamlNode> m = new LinkedHashMap<>();
        node.map().forEach((k, v) -> m.put(k, k.equals("mcp") ? v : fields.substitute(v, file, k)));
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (!SKILL_KEYS.contains(e.getKey())) {
                ctx.warning(file, e.getValue().line(), e.getKey(), "unknown key ignored" + Fields.suggestion(e.getKey(),
                        SKILL_KEYS) + "; valid: " + String.join(", ", SKILL_KEYS));
            }
        }
        Optional<String> skillName = fields.string(c, m, "name", true).map(Fields::nfc);
        skillName.ifPresent(n -> {
            fields.checkId(c, m, "name", n, "skill name");
            if (!n.equals(folderName)) {
                ctx.brokenSkills.add(folderName);
                ctx.error(file, Fields.line(m, "name", c), "name", "name '" + n + "' does not match its folder '"
                        + folderName + "' (a skill lives in skills/<name>/SKILL.md)");
            }
        });
        Optional<Integer> level = fields.integer(c, m, "level", true);
        level.ifPresent(l -> {
            if (l != 1 && l != 2) {
                ctx.error(file, Fields.line(m, "level", c), "level", "level must be 1 (workflow or router the policy "
                        + "calls) or 2 (solver or tool a router dispatches to), got " + l);
            }
        });
        Optional<String> description = fields.string(c, m, "description", true);
        Optional<String> parent = fields.string(c, m, "parent", false).map(Fields::nfc);
        List<String> children = fields.stringList(c, m, "children").orElse(List.of()).stream().map(Fields::nfc).toList();
        List<String> tools = fields.stringList(c, m, "tools").orElse(List.of());
        Set<Modality> mods = fields.modalitySet(c, m).orElse(EnumSet.of(Modality.TEXT, Modality.IMAGE));
        fields.checkUnique(c, m, "children", children);
        fields.checkUnique(c, m, "tools", tools);
        if (!ctx.knownTools.isEmpty()) {
            for (String t : tools) {
                if (!ctx.knownTools.contains(t) && !McpServer.isMcpTool(t)) {
                    ctx.error(file, Fields.line(m, "tools", c), "tools", "unknown tool '" + t + "'; valid: "
                            + String.join(", ", new TreeSet<>(ctx.knownTools)));
                }
            }
        }
        checkTemplate(file, body, firstBodyLine, tools, level.orElse(0), children);
        // A skill with other errors is still kept for the cross-file checks (so a router does not also
        // report its broken child as missing); the registry is not built when any error exists.
        if (skillName.isEmpty() || level.isEmpty() || (level.get() != 1 && level.get() != 2)) {
            skillName.ifPresent(ctx.brokenSkills::add);
            return Optional.empty();
        }
        List<McpServer> servers = mcp.read(file, m.get("mcp"), path.toAbsolutePath().normalize().getParent());
        SkillWorkflow workflow = workflows.parseWorkflow(c, m, level.get(), children, tools, body);
        if (!servers.isEmpty()) {
            workflow = new SkillWorkflow(workflow.steps(), workflow.route(), workflow.routeDefault(),
                    workflow.implementation(), workflow.exposeChildren(), servers);
        }
        SkillCard card = new SkillCard(skillName.get(), level.get(), description.orElse(""), parent, children,
                tools, mods, body, Optional.of(path.toString()), workflow);
        return Optional.of(new ParsedSkill(card, file, m, c));
    }

    void checkTemplate(String file, String body, int firstLine, List<String> tools, int level,
                       List<String> children) {
        String[] lines = body.split("\n", -1);
        boolean seesTask = false;
        for (int i = 0; i < lines.length; i++) {
            Matcher mt = PLACEHOLDER.matcher(lines[i]);
            while (mt.find()) {
                String ph = mt.group(1);
                String arg = mt.group(2);
                if (arg == null && PLACEHOLDERS.contains(ph)) {
                    seesTask |= ph.equals("question") || ph.equals("input");
                    continue;
                }
                if (ph.equals("tool") && arg != null) {
                    if (!tools.contains(arg)) {
                        ctx.error(file, firstLine + i, "template", "placeholder {tool:" + arg + "} names a tool "
                                + "the skill does not declare; declared tools: " + tools
                                + " (add it to 'tools:')");
                    }
                    continue;
                }
                List<String> valid = new ArrayList<>(PLACEHOLDERS.stream().map(p -> "{" + p + "}").toList());
                tools.forEach(t -> valid.add("{tool:" + t + "}"));
                ctx.error(file, firstLine + i, "template", "unknown placeholder " + mt.group() + "; valid: "
                        + String.join(", ", valid));
            }
        }
        if (level == 1 && children.isEmpty() && !body.isEmpty() && !seesTask) {
            ctx.warning(file, firstLine, "template", "the template uses neither {question} nor {input}, so "
                    + "the expert never sees the task");
        }
    }
}
