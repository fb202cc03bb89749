package dev.maestro.registry;

import dev.maestro.registry.RegistryProblem.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a registry folder ({@code models.yaml} + {@code skills/<name>/SKILL.md}) into a validated
 * {@link Registry}.
 *
 * <p>Validation collects every problem before failing, so one run of {@code maestro registry check}
 * shows everything to fix. {@link #load(Path)} throws a {@link RegistryException} when there is at least
 * one {@linkplain Severity#ERROR error}; {@link #check(Path)} returns the problems instead. Warnings (such as
 * an unset API key variable) do not stop loading, because replay and simulated runs never need the key.
 *
 * <pre>{@code
 * Registry r = RegistryLoader.load(Path.of("data/mathv/registry"));
 * Registry t = RegistryLoader.builder().env(Map.of("VLLM_URL", "http://127.0.0.1:8000/v1")).build().load(dir);
 * }</pre>
 *
 * The format and each rule are documented in {@code docs/registry.md}.
 */
public final class RegistryLoader {
    public static final String MODELS_FILE = "models.yaml";
    public static final String SKILLS_DIR = "skills";
    public static final String SKILL_FILE = "SKILL.md";

    /** Keys of a model entry that map to {@link ModelCard} fields; every other key is a backend setting. */
    public static final List<String> MODEL_KEYS = List.of("id", "backend", "description", "modalities", "price",
            "base-url", "model-name", "api-key-env", "max-concurrency", "timeout", "skills");
    static final List<String> TOP_KEYS = List.of("name", "description", "defaults", "models");
    static final List<String> PRICE_KEYS = List.of("input-per-1m", "output-per-1m");
    static final List<String> SKILL_KEYS = List.of("name", "level", "description", "parent", "children", "tools",
            "modalities", "steps", "route", "implementation", "expose-children");
    static final List<String> PLACEHOLDERS = List.of("question", "input", "options");
    static final int MAX_CONCURRENCY = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryLoader.class);
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // A placeholder is {identifier} or {identifier:argument}; {2}, {"a": 1} or { x } stay literal text,
    // so prompts such as "answer in curly brackets, e.g. {3}" need no escaping.
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_-]*)(?::([^{}\\s]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private RegistryLoader() {
    }

    /** Loads and validates a registry folder, with {@code ${VAR}} taken from {@link System#getenv()}. */
    public static Registry load(Path folder) {
        return builder().build().load(folder);
    }

    /** Every problem in a registry folder (errors and warnings), without throwing. Empty means clean. */
    public static List<RegistryProblem> check(Path folder) {
        return builder().build().check(folder);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a backend setting holds a path that is resolved against the registry folder: {@code recorded}
     * and any key ending in {@code -file}, {@code -path}, {@code -dir} or {@code -folder}.
     */
    public static boolean isPathSetting(String key) {
        return key.equals("recorded") || key.endsWith("-file") || key.endsWith("-path") || key.endsWith("-dir")
                || key.endsWith("-folder");
    }

    /** A path-valued setting of a loaded model (already absolute and normalised by the loader). */
    public static Optional<Path> settingPath(ModelCard model, String key) {
        Object v = model.settings().get(key);
        return v instanceof String s && !s.isBlank() ? Optional.of(Path.of(s)) : Optional.empty();
    }

    /** Options for reading registries; everything has a default. */
    public static final class Builder {
        private Map<String, String> env = System.getenv();
        private boolean strict;
        private Set<String> knownTools = Set.of();

        private Builder() {
        }

        /** The environment used for {@code ${VAR}} and {@code api-key-env}; default {@link System#getenv()}. */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /** When true, {@link Reader#load} also refuses registries that only have warnings. Default false. */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /**
         * Tool names the runtime provides; when non-empty, a skill's {@code tools:} entry outside this set is
         * an error. Empty (the default) accepts any tool name, since tools live in the skill runtime.
         */
        public Builder knownTools(Set<String> tools) {
            this.knownTools = Set.copyOf(tools);
            return this;
        }

        public Reader build() {
            return new Reader(env, strict, knownTools);
        }
    }

    /** A configured loader. Thread-safe and reusable. */
    public static final class Reader {
        private final Map<String, String> env;
        private final boolean strict;
        private final Set<String> knownTools;

        private Reader(Map<String, String> env, boolean strict, Set<String> knownTools) {
            this.env = env;
            this.strict = strict;
            this.knownTools = knownTools;
        }

        /** Loads and validates; throws {@link RegistryException} listing every problem if there are errors. */
        public Registry load(Path folder) {
            Run run = new Run(folder);
            run.run();
            List<RegistryProblem> problems = run.sorted();
            boolean fail = problems.stream().anyMatch(p -> p.isError() || strict);
            if (fail || run.registry == null) {
                throw new RegistryException(run.displayName(), problems);
            }
            problems.forEach(p -> LOG.warn("registry {}: {}", run.displayName(), p));
            return run.registry;
        }

        /** Every problem found, sorted by file and line. */
        public List<RegistryProblem> check(Path folder) {
            return inspect(folder).problems();
        }

        /**
         * Problems and, when there is no error, the registry, from one read of the folder. Nothing is logged
         * and nothing is thrown (the strict option is not applied: look at the problems' severities).
         */
        public Inspection inspect(Path folder) {
            Run run = new Run(folder);
            run.run();
            return new Inspection(run.sorted(), Optional.ofNullable(run.registry));
        }

        // One pass over one folder; holds the problems found so far.
        private final class Run {
            final Path root;
            final Path base;
            final List<RegistryProblem> problems = new ArrayList<>();
            // Scalars whose text came (partly) from the environment: never echoed in messages.
            final Set<YamlNode> fromEnv = Collections.newSetFromMap(new IdentityHashMap<>());
            String name;
            Registry registry;
            // Skills whose SKILL.md exists but is too broken to use; not reported again as "does not exist".
            final Set<String> brokenSkills = new HashSet<>();

            Run(Path folder) {
                this.root = folder.toAbsolutePath().normalize();
                this.base = root.getParent() == null ? root : root.getParent();
                this.name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
            }

            String displayName() {
                return "'" + name + "' (" + root + ")";
            }

            List<RegistryProblem> sorted() {
                List<RegistryProblem> out = new ArrayList<>(problems);
                out.sort(Comparator.comparing((RegistryProblem p) -> p.file().equals(".") ? "" : p.file())
                        .thenComparingInt(RegistryProblem::line));
                return List.copyOf(out);
            }

            void error(String file, int line, String field, String message) {
                problems.add(RegistryProblem.error(file, line, field, message));
            }

            void warning(String file, int line, String field, String message) {
                problems.add(RegistryProblem.warning(file, line, field, message));
            }

            void run() {
                if (!Files.isDirectory(root)) {
                    error(".", 0, "", "registry folder " + root + " does not exist or is not a directory");
                    return;
                }
                Map<String, ParsedSkill> skills = readSkills();
                List<ParsedModel> models = readModels(skills);
                checkSkillGraph(skills);
                if (problems.stream().anyMatch(RegistryProblem::isError)) {
                    return;
                }
                registry = Registry.of(name, root, models.stream().map(ParsedModel::card).toList(),
                        skills.values().stream().map(ParsedSkill::card).toList());
                Set<String> paired = registry.pairs().stream().map(Pair::model).collect(Collectors.toSet());
                for (ParsedModel m : models) {
                    if (!paired.contains(m.card().id()) && !skills.isEmpty()) {
                        warning(MODELS_FILE, m.line(), m.label(), "model has no callable pair: none of its "
                                + "level-1 skills shares a modality with it " + modalities(m.card().modalities()));
                    }
                }
            }

            // ---------------------------------------------------------------- skills

            Map<String, ParsedSkill> readSkills() {
                Map<String, ParsedSkill> out = new TreeMap<>();
                Path dir = root.resolve(SKILLS_DIR);
                if (!Files.exists(dir)) {
                    warning(SKILLS_DIR, 0, "", "no skills folder: models cannot be paired with any skill "
                            + "(expected skills/<name>/SKILL.md)");
                    return out;
                }
                if (!Files.isDirectory(dir)) {
                    error(SKILLS_DIR, 0, "", "skills must be a folder holding skills/<name>/SKILL.md");
                    return out;
                }
                List<Path> entries;
                try (Stream<Path> s = Files.list(dir)) {
                    entries = s.sorted().toList();
                } catch (IOException e) {
                    error(SKILLS_DIR, 0, "", "cannot list the skills folder: " + e.getMessage());
                    return out;
                }
                for (Path entry : entries) {
                    String folderName = entry.getFileName().toString();
                    if (folderName.startsWith(".")) {
                        continue;
                    }
                    String relDir = SKILLS_DIR + "/" + folderName;
                    if (!Files.isDirectory(entry)) {
                        warning(relDir, 0, "", "not a skill folder (expected skills/<name>/SKILL.md); ignored");
                        continue;
                    }
                    Path file = entry.resolve(SKILL_FILE);
                    if (!Files.isRegularFile(file)) {
                        error(relDir, 0, "", "skill folder has no " + SKILL_FILE);
                        brokenSkills.add(folderName);
                        continue;
                    }
                    if (!realInside(file)) {
                        // a symlinked skill folder or SKILL.md must not pull text from outside the suite folder
                        error(relDir + "/" + SKILL_FILE, 0, "", SKILL_FILE + " escapes the registry's parent folder '"
                                + base.getFileName() + "' through a symbolic link; registry files must stay within it");
                        brokenSkills.add(folderName);
                        continue;
                    }
                    Optional<ParsedSkill> parsed = parseSkill(file, relDir + "/" + SKILL_FILE, folderName);
                    if (parsed.isEmpty()) {
                        brokenSkills.add(folderName);
                    }
                    parsed.ifPresent(s -> {
                        ParsedSkill prev = out.get(s.card().name());
                        if (prev != null) {
                            error(s.file(), s.line("name"), "name", "duplicate skill name '" + s.card().name()
                                    + "' (also declared in " + prev.file() + ")");
                        } else {
                            out.put(s.card().name(), s);
                        }
                    });
                }
                return out;
            }

            /** Whether an existing file, every symbolic link followed, lies inside the (real) suite folder. */
            boolean realInside(Path file) {
                try {
                    return file.toRealPath().startsWith(base.toRealPath());
                } catch (IOException | SecurityException e) {
                    return false;
                }
            }

            Optional<ParsedSkill> parseSkill(Path path, String file, String folderName) {
                String text;
                try {
                    text = Files.readString(path, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    error(file, 0, "", "cannot read: " + e.getMessage());
                    return Optional.empty();
                }
                if (text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                String[] lines = text.replace("\r\n", "\n").split("\n", -1);
                if (lines.length == 0 || !lines[0].strip().equals("---")) {
                    error(file, 1, "", "SKILL.md must start with YAML front matter: a '---' line, the keys "
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
                    error(file, 1, "", "front matter is not closed: no second '---' line");
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
                    node = YamlNode.parse(front, 1, (k, l) -> error(file, l, k, "duplicate key '" + k + "'"));
                } catch (YamlNode.SyntaxError e) {
                    error(file, e.line, "", e.getMessage());
                    return Optional.empty();
                }
                if (node.isNull()) {
                    node = new YamlNode(new LinkedHashMap<String, YamlNode>(), 2);
                }
                if (!node.isMap()) {
                    error(file, node.line(), "", "front matter must be a mapping of keys ("
                            + String.join(", ", SKILL_KEYS) + "), got " + node.kind());
                    return Optional.empty();
                }
                Ctx c = new Ctx(file, "", node.line());
                Map<String, YamlNode> m = substituteMap(node, c).map();
                for (Map.Entry<String, YamlNode> e : m.entrySet()) {
                    if (!SKILL_KEYS.contains(e.getKey())) {
                        warning(file, e.getValue().line(), e.getKey(), "unknown key ignored" + suggestion(e.getKey(),
                                SKILL_KEYS) + "; valid: " + String.join(", ", SKILL_KEYS));
                    }
                }
                Optional<String> skillName = string(c, m, "name", true);
                skillName.ifPresent(n -> {
                    checkId(c, m, "name", n, "skill name");
                    if (!n.equals(folderName)) {
                        brokenSkills.add(folderName);
                        error(file, line(m, "name", c), "name", "name '" + n + "' does not match its folder '"
                                + folderName + "' (a skill lives in skills/<name>/SKILL.md)");
                    }
                });
                Optional<Integer> level = integer(c, m, "level", true);
                level.ifPresent(l -> {
                    if (l != 1 && l != 2) {
                        error(file, line(m, "level", c), "level", "level must be 1 (workflow or router the policy "
                                + "calls) or 2 (solver or tool a router dispatches to), got " + l);
                    }
                });
                Optional<String> description = string(c, m, "description", true);
                Optional<String> parent = string(c, m, "parent", false);
                List<String> children = stringList(c, m, "children").orElse(List.of());
                List<String> tools = stringList(c, m, "tools").orElse(List.of());
                Set<Modality> mods = modalitySet(c, m).orElse(EnumSet.of(Modality.TEXT, Modality.IMAGE));
                checkUnique(c, m, "children", children);
                checkUnique(c, m, "tools", tools);
                if (!knownTools.isEmpty()) {
                    for (String t : tools) {
                        if (!knownTools.contains(t)) {
                            error(file, line(m, "tools", c), "tools", "unknown tool '" + t + "'; valid: "
                                    + String.join(", ", new java.util.TreeSet<>(knownTools)));
                        }
                    }
                }
                checkTemplate(file, body, firstBodyLine, tools, level.orElse(0), children);
                // A skill with other errors is still kept for the cross-file checks (so a router does not also
                // report its broken child as missing); the registry is not built when any error exists.
                if (skillName.isEmpty() || level.isEmpty() || (level.get() != 1 && level.get() != 2)) {
                    skillName.ifPresent(brokenSkills::add);
                    return Optional.empty();
                }
                SkillWorkflow workflow = parseWorkflow(c, m, level.get(), children, tools, body);
                SkillCard card = new SkillCard(skillName.get(), level.get(), description.orElse(""), parent, children,
                        tools, mods, body, Optional.of(path.toString()), workflow);
                return Optional.of(new ParsedSkill(card, file, m, c));
            }

            /** Reads and checks {@code steps}, {@code route}, {@code implementation} and {@code expose-children}. */
            SkillWorkflow parseWorkflow(Ctx c, Map<String, YamlNode> m, int level, List<String> children,
                                        List<String> tools, String body) {
                String file = c.file();
                List<SkillWorkflow.Step> steps = new ArrayList<>();
                YamlNode sn = m.get("steps");
                if (sn != null && !sn.isNull()) {
                    if (!sn.isList() || sn.list().isEmpty()) {
                        error(file, sn.line(), "steps", "steps must be a non-empty list such as '- tool: zoom', "
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
                        error(file, rn.line(), "route", "route needs a level-1 router with children: it picks one of "
                                + "'children:'" + (level == 2 ? "; a level-2 skill cannot route" : ""));
                    } else if (!rn.isList() || rn.list().isEmpty()) {
                        error(file, rn.line(), "route", "route must be a non-empty list of rules such as "
                                + "'- {if-question-matches: \"(?i)handwrit\", skill: CHILD}' ending with '- default: CHILD', got "
                                + rn.kind());
                    } else {
                        dflt = parseRoute(file, rn, children, rules);
                    }
                    if (sn != null && !sn.isNull()) {
                        error(file, sn.line(), "steps", "a router with route: cannot also have steps: the chosen child "
                                + "runs its own steps");
                    }
                }
                Optional<String> impl = Optional.empty();
                Optional<String> iv = string(c, m, "implementation", false);
                if (iv.isPresent()) {
                    String v = iv.get();
                    if (!v.startsWith("java:") || !v.substring(5).matches("[A-Za-z][A-Za-z0-9_.-]*")) {
                        error(file, line(m, "implementation", c), "implementation", "implementation must be "
                                + "'java:NAME' (NAME of a SkillImplementation on the class path), got '" + v + "'");
                    } else {
                        impl = Optional.of(v.substring(5));
                        if (sn != null && !sn.isNull()) {
                            error(file, line(m, "implementation", c), "implementation", "a skill with a Java "
                                    + "implementation cannot also have steps: the implementation is the workflow");
                        }
                    }
                }
                boolean expose = false;
                YamlNode en = m.get("expose-children");
                if (en != null && !en.isNull()) {
                    if (!(en.value() instanceof Boolean b)) {
                        error(file, en.line(), "expose-children", "expose-children must be true or false, got " + en.kind());
                    } else {
                        expose = b;
                        if (b && (level != 1 || children.isEmpty())) {
                            error(file, en.line(), "expose-children", "expose-children needs a level-1 router with "
                                    + "children (its level-2 children become callable pairs)");
                        }
                    }
                }
                return new SkillWorkflow(steps, rules, dflt, impl, expose);
            }

            List<SkillWorkflow.Step> parseSteps(String file, List<YamlNode> entries, List<String> tools, String body) {
                List<SkillWorkflow.Step> out = new ArrayList<>();
                List<String> ran = new ArrayList<>();
                String shapes = "'- tool: NAME' (optional 'argument: TEXT'), '- model: true', '- answer: tool:NAME' "
                        + "or '- answer: model'";
                int models = 0;
                boolean answered = false;
                for (int i = 0; i < entries.size(); i++) {
                    YamlNode e = entries.get(i);
                    String field = "steps[" + i + "]";
                    if (!e.isMap()) {
                        error(file, e.line(), field, "a step must be a mapping: " + shapes + ", got " + e.kind());
                        continue;
                    }
                    Map<String, YamlNode> sm = e.map();
                    List<String> kinds = sm.keySet().stream().filter(k -> List.of("tool", "model", "answer").contains(k)).toList();
                    for (String k : sm.keySet()) {
                        if (!List.of("tool", "model", "answer", "argument").contains(k)) {
                            error(file, sm.get(k).line(), field + "." + k, "unknown step key '" + k + "'; valid: tool, "
                                    + "argument, model, answer");
                        }
                    }
                    if (kinds.size() != 1) {
                        error(file, e.line(), field, "a step does exactly one thing: " + shapes + "; got keys " + sm.keySet());
                        continue;
                    }
                    if (answered) {
                        error(file, e.line(), field, "the answer step must be the last step");
                    }
                    String kind = kinds.get(0);
                    YamlNode v = sm.get(kind);
                    if (sm.containsKey("argument") && !kind.equals("tool")) {
                        error(file, sm.get("argument").line(), field + ".argument", "only a tool step takes an argument");
                    }
                    switch (kind) {
                        case "tool" -> {
                            String name = v.isScalar() ? v.text().strip() : "";
                            if (name.isEmpty()) {
                                error(file, v.line(), field + ".tool", "tool must name a tool, got " + v.kind());
                                continue;
                            }
                            if (!tools.contains(name)) {
                                error(file, v.line(), field + ".tool", "step tool '" + name + "' is not declared in "
                                        + "tools: " + tools + " (add it to 'tools:')");
                            }
                            if (!knownTools.isEmpty() && !knownTools.contains(name) && tools.contains(name)) {
                                error(file, v.line(), field + ".tool", "unknown tool '" + name + "'; valid: "
                                        + String.join(", ", new java.util.TreeSet<>(knownTools)));
                            }
                            String arg = "";
                            YamlNode an = sm.get("argument");
                            if (an != null && !an.isNull()) {
                                if (!an.isScalar()) {
                                    error(file, an.line(), field + ".argument", "argument must be text, got " + an.kind());
                                } else {
                                    arg = an.text();
                                    checkArgument(file, an.line(), field + ".argument", arg, ran);
                                }
                            }
                            ran.add(name);
                            out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.TOOL, name, arg, e.line()));
                        }
                        case "model" -> {
                            if (!(v.value() instanceof Boolean b) || !b) {
                                error(file, v.line(), field + ".model", "write 'model: true' to call the chosen model, "
                                        + "got '" + (v.isNull() ? "" : v.toPlain()) + "'");
                                continue;
                            }
                            if (++models > 1) {
                                error(file, e.line(), field, "only one model step is allowed (the skill makes one model call)");
                            }
                            if (body.isEmpty()) {
                                error(file, e.line(), field, "a model step needs a prompt template after the front matter");
                            }
                            out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.MODEL, "model", "", e.line()));
                        }
                        default -> {
                            String t = v.isScalar() ? v.text().strip() : "";
                            answered = true;
                            if (t.equals("model")) {
                                if (models == 0) {
                                    error(file, v.line(), field + ".answer", "answer: model needs an earlier "
                                            + "'- model: true' step");
                                }
                                out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.ANSWER, "model", "", e.line()));
                            } else if (t.startsWith("tool:") && ran.contains(t.substring(5))) {
                                out.add(new SkillWorkflow.Step(SkillWorkflow.Kind.ANSWER, t.substring(5), "", e.line()));
                            } else {
                                error(file, v.line(), field + ".answer", "answer must be 'model' or 'tool:NAME' for a "
                                        + "tool run in an earlier step; tools run so far: " + ran + ", got '" + t + "'");
                            }
                        }
                    }
                }
                if (models == 0 && !answered && !entries.isEmpty()) {
                    error(file, entries.get(0).line(), "steps", "the steps never produce an answer: add '- model: true' "
                            + "(the model answers) or '- answer: tool:NAME' (a tool answers)");
                }
                return out;
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
                    error(file, line, field, "unknown placeholder " + mt.group() + " in a step argument; valid here: "
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
                        error(file, e.line(), field, "a rule must be a mapping such as "
                                + "{if-question-matches: REGEX, skill: CHILD} or {default: CHILD}, got " + e.kind());
                        continue;
                    }
                    Map<String, YamlNode> rm = e.map();
                    if (dflt.isPresent()) {
                        error(file, e.line(), field, "'default' must be the last rule; rules after it never apply");
                    }
                    if (rm.containsKey("default")) {
                        if (rm.size() != 1) {
                            error(file, e.line(), field, "a default rule has only 'default: CHILD'; got keys " + rm.keySet());
                        }
                        String child = rm.get("default").isScalar() ? rm.get("default").text().strip() : "";
                        checkChild(file, rm.get("default").line(), field + ".default", child, children);
                        dflt = Optional.of(child);
                        continue;
                    }
                    List<String> conds = rm.keySet().stream().filter(k -> k.startsWith("if-")).toList();
                    for (String k : rm.keySet()) {
                        if (!List.of("if-question-matches", "if-input-matches", "skill").contains(k)) {
                            error(file, rm.get(k).line(), field + "." + k, "unknown rule key '" + k + "'; valid: "
                                    + "if-question-matches, if-input-matches, skill, default");
                        }
                    }
                    if (conds.size() != 1 || !rm.containsKey("skill")) {
                        error(file, e.line(), field, "a rule needs one condition (if-question-matches or "
                                + "if-input-matches) and 'skill: CHILD'; got keys " + rm.keySet());
                        continue;
                    }
                    String cond = conds.get(0);
                    String regex = rm.get(cond).isScalar() ? rm.get(cond).text() : "";
                    try {
                        java.util.regex.Pattern.compile(regex);
                    } catch (java.util.regex.PatternSyntaxException ex) {
                        error(file, rm.get(cond).line(), field + "." + cond, "not a valid Java regular expression: "
                                + ex.getDescription() + " near index " + ex.getIndex());
                        continue;
                    }
                    String child = rm.get("skill").isScalar() ? rm.get("skill").text().strip() : "";
                    checkChild(file, rm.get("skill").line(), field + ".skill", child, children);
                    rules.add(new SkillWorkflow.RouteRule(cond.equals("if-question-matches") ? "question" : "input",
                            regex, child, e.line()));
                }
                if (dflt.isEmpty()) {
                    error(file, rn.line(), "route", "route needs a final '- default: CHILD' rule so every question "
                            + "reaches a child; children: " + children);
                }
                return dflt;
            }

            void checkChild(String file, int line, String field, String child, List<String> children) {
                if (!children.contains(child)) {
                    error(file, line, field, "'" + child + "' is not one of this router's children: " + children);
                }
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
                                error(file, firstLine + i, "template", "placeholder {tool:" + arg + "} names a tool "
                                        + "the skill does not declare; declared tools: " + tools
                                        + " (add it to 'tools:')");
                            }
                            continue;
                        }
                        List<String> valid = new ArrayList<>(PLACEHOLDERS.stream().map(p -> "{" + p + "}").toList());
                        tools.forEach(t -> valid.add("{tool:" + t + "}"));
                        error(file, firstLine + i, "template", "unknown placeholder " + mt.group() + "; valid: "
                                + String.join(", ", valid));
                    }
                }
                if (level == 1 && children.isEmpty() && !body.isEmpty() && !seesTask) {
                    warning(file, firstLine, "template", "the template uses neither {question} nor {input}, so "
                            + "the expert never sees the task");
                }
            }

            void checkSkillGraph(Map<String, ParsedSkill> skills) {
                List<String> level1 = skills.values().stream().filter(s -> s.card().level() == 1)
                        .map(s -> s.card().name()).toList();
                for (ParsedSkill s : skills.values()) {
                    SkillCard k = s.card();
                    if (k.level() == 2) {
                        if (k.parent().isEmpty()) {
                            error(s.file(), s.line("level"), "parent", "a level-2 skill needs 'parent: <level-1 "
                                    + "router>'; level-1 skills: " + level1);
                        } else {
                            String pn = k.parent().get();
                            ParsedSkill p = skills.get(pn);
                            if (p == null && brokenSkills.contains(pn)) {
                                // already reported in the parent's own file
                            } else if (p == null) {
                                error(s.file(), s.line("parent"), "parent", "parent '" + pn + "' does not exist; "
                                        + "level-1 skills: " + level1);
                            } else if (p.card().level() != 1) {
                                error(s.file(), s.line("parent"), "parent", "parent '" + pn + "' is level "
                                        + p.card().level() + "; a parent must be a level-1 router");
                            } else if (!p.card().children().contains(k.name())) {
                                error(s.file(), s.line("parent"), "parent", "parent '" + pn + "' does not list '"
                                        + k.name() + "' in its children; add it to 'children:' in " + p.file());
                            }
                        }
                        if (!k.children().isEmpty()) {
                            error(s.file(), s.line("children"), "children", "a level-2 skill cannot have children; "
                                    + "only level-1 routers dispatch");
                        }
                    } else {
                        k.parent().ifPresent(pn -> error(s.file(), s.line("parent"), "parent", "a level-1 skill "
                                + "cannot have a parent; use 'level: 2' for a skill a router dispatches to"));
                        for (String child : k.children()) {
                            ParsedSkill ch = skills.get(child);
                            if (ch == null && brokenSkills.contains(child)) {
                                continue;
                            }
                            if (ch == null) {
                                error(s.file(), s.line("children"), "children", "child '" + child
                                        + "' does not exist; skills: " + skills.keySet());
                            } else if (ch.card().level() != 2) {
                                error(s.file(), s.line("children"), "children", "child '" + child + "' is level "
                                        + ch.card().level() + "; children must be level-2 skills");
                            } else if (ch.card().parent().isPresent()
                                    && !ch.card().parent().get().equals(k.name())) {
                                error(s.file(), s.line("children"), "children", "child '" + child
                                        + "' declares parent '" + ch.card().parent().get() + "', not '" + k.name()
                                        + "'");
                            }
                        }
                    }
                }
                findCycles(skills);
            }

            // Depth-first search over children edges; every cycle is reported once, at its smallest member.
            void findCycles(Map<String, ParsedSkill> skills) {
                Set<String> reported = new HashSet<>();
                Map<String, Integer> state = new HashMap<>();
                for (String start : skills.keySet()) {
                    dfs(start, skills, state, new ArrayList<>(), reported);
                }
            }

            void dfs(String node, Map<String, ParsedSkill> skills, Map<String, Integer> state, List<String> stack,
                     Set<String> reported) {
                int st = state.getOrDefault(node, 0);
                if (st == 2) {
                    return;
                }
                if (st == 1) {
                    List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(node), stack.size()));
                    String first = cycle.stream().min(Comparator.naturalOrder()).orElseThrow();
                    int at = cycle.indexOf(first);
                    List<String> rotated = new ArrayList<>(cycle.subList(at, cycle.size()));
                    rotated.addAll(cycle.subList(0, at));
                    rotated.add(first);
                    String key = String.join(" -> ", rotated);
                    if (reported.add(key)) {
                        ParsedSkill s = skills.get(first);
                        error(s.file(), s.line("children"), "children", "router cycle: " + key);
                    }
                    return;
                }
                state.put(node, 1);
                stack.add(node);
                for (String child : skills.get(node).card().children()) {
                    if (skills.containsKey(child)) {
                        dfs(child, skills, state, stack, reported);
                    }
                }
                stack.remove(stack.size() - 1);
                state.put(node, 2);
            }

            // ---------------------------------------------------------------- models

            List<ParsedModel> readModels(Map<String, ParsedSkill> skills) {
                List<ParsedModel> out = new ArrayList<>();
                Path path = root.resolve(MODELS_FILE);
                String file = MODELS_FILE;
                if (!Files.isRegularFile(path)) {
                    error(file, 0, "", "models.yaml not found; a registry folder holds models.yaml and "
                            + "skills/<name>/SKILL.md");
                    return out;
                }
                YamlNode top;
                try {
                    top = YamlNode.parse(Files.readString(path, StandardCharsets.UTF_8), 0,
                            (k, l) -> error(file, l, k, "duplicate key '" + k + "'"));
                } catch (YamlNode.SyntaxError e) {
                    error(file, e.line, "", e.getMessage());
                    return out;
                } catch (IOException e) {
                    error(file, 0, "", "cannot read: " + e.getMessage());
                    return out;
                }
                if (!top.isMap()) {
                    error(file, top.line(), "", "models.yaml must be a mapping with keys "
                            + String.join(", ", TOP_KEYS) + ", got " + (top.isNull() ? "an empty file" : top.kind()));
                    return out;
                }
                Ctx c = new Ctx(file, "", 1);
                Map<String, YamlNode> m = top.map();
                for (Map.Entry<String, YamlNode> e : m.entrySet()) {
                    if (!TOP_KEYS.contains(e.getKey())) {
                        error(file, e.getValue().line(), e.getKey(), "unknown key" + suggestion(e.getKey(), TOP_KEYS)
                                + "; valid: " + String.join(", ", TOP_KEYS));
                    }
                }
                Map<String, YamlNode> head = new LinkedHashMap<>();
                for (String k : List.of("name", "description")) {
                    if (m.containsKey(k)) {
                        head.put(k, substitute(m.get(k), file, c.field(k)));
                    }
                }
                string(c, head, "name", false).ifPresent(n -> name = n);
                Map<String, YamlNode> defaults = Map.of();
                if (m.containsKey("defaults") && !m.get("defaults").isNull()) {
                    YamlNode d = m.get("defaults");
                    if (!d.isMap()) {
                        error(file, d.line(), "defaults", "defaults must be a mapping of model keys, got " + d.kind());
                    } else {
                        defaults = substituteMap(d, new Ctx(file, "defaults", d.line())).map();
                        if (defaults.containsKey("id")) {
                            error(file, defaults.get("id").line(), "defaults.id", "defaults cannot set id: "
                                    + "every model needs its own");
                        }
                    }
                }
                YamlNode list = m.get("models");
                if (list == null || list.isNull()) {
                    error(file, 1, "models", "required field 'models' is missing (a list of model entries)");
                    return out;
                }
                if (!list.isList()) {
                    error(file, list.line(), "models", "models must be a list of model entries, got " + list.kind());
                    return out;
                }
                if (list.list().isEmpty()) {
                    error(file, list.line(), "models", "models is empty: a registry needs at least one model");
                }
                Map<String, Integer> seen = new HashMap<>();
                for (int i = 0; i < list.list().size(); i++) {
                    YamlNode item = list.list().get(i);
                    if (!item.isMap()) {
                        error(file, item.line(), "models[" + i + "]", "each model must be a mapping with at least "
                                + "id, backend and description, got " + item.kind());
                        continue;
                    }
                    YamlNode rawId = item.map().get("id");
                    String label = rawId != null && rawId.isScalar() && !rawId.text().contains("${")
                            ? "models[" + rawId.text() + "]" : "models[" + i + "]";
                    Ctx mc = new Ctx(file, label, item.line());
                    Map<String, YamlNode> merged = new LinkedHashMap<>(defaults);
                    merged.putAll(substituteMap(item, mc).map());
                    parseModel(mc, merged, skills, seen).ifPresent(out::add);
                }
                return out;
            }

            Optional<ParsedModel> parseModel(Ctx c, Map<String, YamlNode> m, Map<String, ParsedSkill> skills,
                                             Map<String, Integer> seen) {
                int before = errorCount();
                Optional<String> id = string(c, m, "id", true);
                id.ifPresent(v -> {
                    checkId(c, m, "id", v, "model id");
                    Integer first = seen.putIfAbsent(v, line(m, "id", c));
                    if (first != null) {
                        error(c.file(), line(m, "id", c), c.field("id"), "duplicate model id '" + v
                                + "' (first declared on line " + first + ")");
                    }
                });
                Optional<Backend> backend = string(c, m, "backend", true).flatMap(b -> {
                    try {
                        return Optional.of(Backend.parse(b));
                    } catch (IllegalArgumentException e) {
                        error(c.file(), line(m, "backend", c), c.field("backend"), "unknown backend "
                                + show(m.get("backend")) + "; valid: " + Stream.of(Backend.values()).map(Backend::id)
                                .collect(Collectors.joining(", ")));
                        return Optional.empty();
                    }
                });
                Optional<String> description = string(c, m, "description", true);
                Set<Modality> mods = modalitySet(c, m).orElse(EnumSet.of(Modality.TEXT));
                Price price = price(c, m);
                Optional<String> baseUrl = string(c, m, "base-url", false);
                baseUrl.ifPresent(u -> checkUrl(c, m, u));
                Optional<String> modelName = string(c, m, "model-name", false);
                Optional<String> apiKeyEnv = string(c, m, "api-key-env", false);
                int maxConcurrency = integer(c, m, "max-concurrency", false).map(v -> {
                    if (v < 1 || v > MAX_CONCURRENCY) {
                        error(c.file(), line(m, "max-concurrency", c), c.field("max-concurrency"), "max-concurrency "
                                + "must be a whole number from 1 to " + MAX_CONCURRENCY + ", got " + v);
                    }
                    return v;
                }).orElse(4);
                Duration timeout = duration(c, m, "timeout").orElse(Duration.ofSeconds(120));
                List<String> modelSkills = stringList(c, m, "skills").orElse(List.of());
                checkUnique(c, m, "skills", modelSkills);
                for (String s : modelSkills) {
                    ParsedSkill ps = skills.get(s);
                    List<String> level1 = skills.values().stream().filter(x -> x.card().level() == 1)
                            .map(x -> x.card().name()).toList();
                    if (ps == null && brokenSkills.contains(s)) {
                        continue;
                    }
                    if (ps == null) {
                        error(c.file(), line(m, "skills", c), c.field("skills"), "unknown skill '" + s
                                + "'; level-1 skills: " + level1);
                    } else if (ps.card().level() != 1) {
                        error(c.file(), line(m, "skills", c), c.field("skills"), "skill '" + s + "' is level 2; "
                                + "models are paired with level-1 skills (a level-2 skill is reached through its "
                                + "router " + ps.card().parent().map(p -> "'" + p + "'").orElse("") + ")");
                    }
                }
                Map<String, Object> settings = new LinkedHashMap<>();
                for (Map.Entry<String, YamlNode> e : m.entrySet()) {
                    if (MODEL_KEYS.contains(e.getKey())) {
                        continue;
                    }
                    String near = suggestion(e.getKey(), MODEL_KEYS);
                    if (!near.isEmpty()) {
                        warning(c.file(), e.getValue().line(), c.field(e.getKey()), "unknown key kept as a backend "
                                + "setting" + near);
                    }
                    if (isPathSetting(e.getKey())) {
                        resolvePath(c, e.getKey(), e.getValue()).ifPresent(p -> settings.put(e.getKey(), p.toString()));
                    } else {
                        settings.put(e.getKey(), e.getValue().toPlain());
                    }
                }
                backend.ifPresent(b -> checkBackend(c, m, b, settings, apiKeyEnv));
                if (errorCount() > before || id.isEmpty() || backend.isEmpty() || description.isEmpty()) {
                    return Optional.empty();
                }
                ModelCard.Builder b = ModelCard.builder(id.get(), backend.get()).description(description.get())
                        .modalities(mods).price(price).maxConcurrency(maxConcurrency).timeout(timeout)
                        .skills(modelSkills).settings(settings);
                baseUrl.ifPresent(b::baseUrl);
                modelName.ifPresent(b::modelName);
                apiKeyEnv.ifPresent(b::apiKeyEnv);
                return Optional.of(new ParsedModel(b.build(), c.field(""), line(m, "id", c)));
            }

            void checkBackend(Ctx c, Map<String, YamlNode> m, Backend b, Map<String, Object> settings,
                              Optional<String> apiKeyEnv) {
                if (b == Backend.OPENAI) {
                    for (String k : List.of("base-url", "model-name")) {
                        if (!m.containsKey(k)) {
                            error(c.file(), c.line(), c.field(k), "the openai backend needs " + k + " ("
                                    + (k.equals("base-url") ? "e.g. http://127.0.0.1:8000/v1" : "the name the "
                                    + "endpoint serves, e.g. Qwen/Qwen3-VL-8B-Instruct") + ")");
                        }
                    }
                    apiKeyEnv.ifPresent(v -> {
                        if (ENV_NAME.matcher(v).matches() && !env.containsKey(v)) {
                            warning(c.file(), line(m, "api-key-env", c), c.field("api-key-env"), "environment "
                                    + "variable " + v + " is not set; calls to this model will fail until it is "
                                    + "(replay and simulated runs do not need it)");
                        }
                    });
                } else {
                    for (String k : List.of("base-url", "api-key-env")) {
                        if (m.containsKey(k)) {
                            warning(c.file(), m.get(k).line(), c.field(k), k + " is ignored by the " + b.id()
                                    + " backend");
                        }
                    }
                }
                if (b == Backend.REPLAY && !m.containsKey("recorded")) {
                    error(c.file(), c.line(), c.field("recorded"), "the replay backend needs recorded: "
                            + "<file.jsonl[.gz]> (relative to the registry folder)");
                }
                if (b == Backend.REPLAY && settings.get("recorded") instanceof String r
                        && !Files.isRegularFile(Path.of(r))) {
                    error(c.file(), line(m, "recorded", c), c.field("recorded"), "recorded file not found: "
                            + show(m.get("recorded")) + " (resolved against the registry folder)");
                }
                apiKeyEnv.ifPresent(v -> {
                    if (!ENV_NAME.matcher(v).matches()) {
                        // Someone may have pasted the key itself: say so without echoing it.
                        error(c.file(), line(m, "api-key-env", c), c.field("api-key-env"), "api-key-env must be the "
                                + "NAME of an environment variable (letters, digits, '_'), never the key itself; "
                                + "value not shown");
                    }
                });
            }

            Optional<Path> resolvePath(Ctx c, String key, YamlNode node) {
                if (!node.isScalar() || node.value() instanceof Boolean || node.text().isBlank()) {
                    error(c.file(), node.line(), c.field(key), key + " must be a path (relative to the registry "
                            + "folder), got " + node.kind());
                    return Optional.empty();
                }
                Path p;
                try {
                    p = root.resolve(node.text()).normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    error(c.file(), node.line(), c.field(key), "not a valid path: " + show(node));
                    return Optional.empty();
                }
                boolean inside = p.startsWith(base);
                if (inside && Files.exists(p)) {
                    try {
                        // A symlink inside the suite folder must not lead outside it either.
                        inside = p.toRealPath().startsWith(base.toRealPath());
                    } catch (IOException e) {
                        inside = false;
                    }
                }
                if (!inside) {
                    error(c.file(), node.line(), c.field(key), "path " + show(node) + " escapes the registry's "
                            + "parent folder '" + base.getFileName() + "'; registry paths must stay within it");
                    return Optional.empty();
                }
                return Optional.of(p);
            }

            void checkUrl(Ctx c, Map<String, YamlNode> m, String url) {
                // The URL is not echoed: it may carry credentials (user:password@host) or come from the environment.
                try {
                    URI u = new URI(url.strip());
                    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                    if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                        return;
                    }
                } catch (URISyntaxException e) {
                    // fall through
                }
                error(c.file(), line(m, "base-url", c), c.field("base-url"), "base-url must be an http(s) URL with "
                        + "a host, such as http://127.0.0.1:8000/v1");
            }

            Price price(Ctx c, Map<String, YamlNode> m) {
                YamlNode p = m.get("price");
                if (p == null || p.isNull()) {
                    return Price.FREE;
                }
                if (!p.isMap()) {
                    error(c.file(), p.line(), c.field("price"), "price must be a mapping {input-per-1m: USD, "
                            + "output-per-1m: USD}, got " + p.kind());
                    return Price.FREE;
                }
                Ctx pc = new Ctx(c.file(), c.field("price"), p.line());
                for (Map.Entry<String, YamlNode> e : p.map().entrySet()) {
                    if (!PRICE_KEYS.contains(e.getKey())) {
                        error(c.file(), e.getValue().line(), pc.field(e.getKey()), "unknown price key"
                                + suggestion(e.getKey(), PRICE_KEYS) + "; valid: " + String.join(", ", PRICE_KEYS));
                    }
                }
                double[] v = new double[2];
                boolean ok = true;
                for (int i = 0; i < 2; i++) {
                    String k = PRICE_KEYS.get(i);
                    Optional<Double> d = number(pc, p.map(), k, true);
                    if (d.isPresent() && !(d.get() >= 0 && Double.isFinite(d.get()))) {
                        error(c.file(), line(p.map(), k, pc), pc.field(k), k + " must be a finite number >= 0 "
                                + "(US dollars per 1M tokens), got " + d.get());
                        ok = false;
                    }
                    ok &= d.isPresent();
                    v[i] = d.orElse(0.0);
                }
                return ok ? new Price(v[0], v[1]) : Price.FREE;
            }

            Optional<Duration> duration(Ctx c, Map<String, YamlNode> m, String key) {
                YamlNode n = m.get(key);
                if (n == null || n.isNull()) {
                    return Optional.empty();
                }
                Optional<Duration> d = n.isScalar() ? parseDuration(n.text()) : Optional.empty();
                if (d.isEmpty() || d.get().isNegative() || d.get().isZero()) {
                    error(c.file(), n.line(), c.field(key), key + " must be a positive duration such as 30s, 500ms, "
                            + "2m, 1h or PT2M (a bare number means seconds), got " + show(n));
                    return Optional.empty();
                }
                return d;
            }

            // ---------------------------------------------------------------- value helpers

            Optional<String> string(Ctx c, Map<String, YamlNode> m, String key, boolean required) {
                YamlNode n = m.get(key);
                if (n == null || n.isNull()) {
                    if (required) {
                        error(c.file(), c.line(), c.field(key), "required field '" + key + "' is missing");
                    }
                    return Optional.empty();
                }
                if (!n.isScalar()) {
                    error(c.file(), n.line(), c.field(key), key + " must be a string, got " + n.kind());
                    return Optional.empty();
                }
                String s = n.text().strip();
                if (s.isEmpty()) {
                    if (required) {
                        error(c.file(), n.line(), c.field(key), key + " must not be empty");
                    }
                    return Optional.empty();
                }
                return Optional.of(s);
            }

            Optional<Integer> integer(Ctx c, Map<String, YamlNode> m, String key, boolean required) {
                YamlNode n = m.get(key);
                if (n == null || n.isNull()) {
                    if (required) {
                        error(c.file(), c.line(), c.field(key), "required field '" + key + "' is missing");
                    }
                    return Optional.empty();
                }
                if (n.value() instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
                        && Math.abs(num.doubleValue()) < Integer.MAX_VALUE) {
                    return Optional.of(num.intValue());
                }
                if (n.value() instanceof String s && s.strip().matches("-?\\d{1,9}")) {
                    return Optional.of(Integer.parseInt(s.strip()));
                }
                error(c.file(), n.line(), c.field(key), key + " must be a whole number, got " + show(n));
                return Optional.empty();
            }

            Optional<Double> number(Ctx c, Map<String, YamlNode> m, String key, boolean required) {
                YamlNode n = m.get(key);
                if (n == null || n.isNull()) {
                    if (required) {
                        error(c.file(), c.line(), c.field(key), "required field '" + key + "' is missing");
                    }
                    return Optional.empty();
                }
                if (n.value() instanceof Number num) {
                    return Optional.of(num.doubleValue());
                }
                if (n.value() instanceof String s) {
                    try {
                        return Optional.of(Double.parseDouble(s.strip()));
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                }
                error(c.file(), n.line(), c.field(key), key + " must be a number, got " + show(n));
                return Optional.empty();
            }

            /** A list of strings; a single scalar is accepted as a one-element list. */
            Optional<List<String>> stringList(Ctx c, Map<String, YamlNode> m, String key) {
                YamlNode n = m.get(key);
                if (n == null || n.isNull()) {
                    return Optional.empty();
                }
                if (n.isScalar() && !(n.value() instanceof Boolean)) {
                    return Optional.of(List.of(n.text().strip()));
                }
                if (!n.isList()) {
                    error(c.file(), n.line(), c.field(key), key + " must be a list of names, got " + n.kind());
                    return Optional.empty();
                }
                List<String> out = new ArrayList<>();
                for (YamlNode e : n.list()) {
                    if (!e.isScalar() || e.text().isBlank()) {
                        error(c.file(), e.line(), c.field(key), key + " must be a list of names, got an entry that is "
                                + (e.isScalar() ? "empty" : e.kind()));
                        return Optional.empty();
                    }
                    out.add(e.text().strip());
                }
                return Optional.of(out);
            }

            Optional<Set<Modality>> modalitySet(Ctx c, Map<String, YamlNode> m) {
                Optional<List<String>> names = stringList(c, m, "modalities");
                if (names.isEmpty()) {
                    return Optional.empty();
                }
                Set<Modality> out = EnumSet.noneOf(Modality.class);
                for (String s : names.get()) {
                    try {
                        out.add(Modality.parse(s));
                    } catch (IllegalArgumentException e) {
                        error(c.file(), line(m, "modalities", c), c.field("modalities"), "unknown modality '" + s
                                + "'; valid: " + Stream.of(Modality.values()).map(Modality::id)
                                .collect(Collectors.joining(", ")));
                    }
                }
                if (out.isEmpty() && names.get().isEmpty()) {
                    error(c.file(), line(m, "modalities", c), c.field("modalities"), "modalities must not be "
                            + "empty; valid: text, image");
                }
                return out.isEmpty() ? Optional.empty() : Optional.of(out);
            }

            void checkUnique(Ctx c, Map<String, YamlNode> m, String key, List<String> values) {
                Set<String> seen = new HashSet<>();
                for (String v : values) {
                    if (!seen.add(v)) {
                        error(c.file(), line(m, key, c), c.field(key), "'" + v + "' is listed twice");
                    }
                }
            }

            void checkId(Ctx c, Map<String, YamlNode> m, String key, String v, String what) {
                // The paper's protocol writes MODEL@@SKILL: INPUT, so these characters would make calls ambiguous.
                if (v.contains("@@") || v.contains(":") || v.contains("\n") || v.contains("<") || v.contains(">")) {
                    error(c.file(), line(m, key, c), c.field(key), what + " " + show(m.get(key)) + " must not "
                            + "contain '@@', ':', '<', '>' or line breaks (they delimit <search> MODEL@@SKILL: INPUT "
                            + "</search>)");
                }
            }

            YamlNode substitute(YamlNode n, String file, String field) {
                if (n.isMap()) {
                    Map<String, YamlNode> out = new LinkedHashMap<>();
                    n.map().forEach((k, v) -> out.put(k, substitute(v, file, field.isEmpty() ? k : field + "." + k)));
                    return new YamlNode(out, n.line());
                }
                if (n.isList()) {
                    List<YamlNode> out = new ArrayList<>();
                    for (int i = 0; i < n.list().size(); i++) {
                        out.add(substitute(n.list().get(i), file, field + "[" + i + "]"));
                    }
                    return new YamlNode(out, n.line());
                }
                if (!(n.value() instanceof String s) || !s.contains("${")) {
                    return n;
                }
                StringBuilder sb = new StringBuilder();
                Matcher mt = ENV_REF.matcher(s);
                int last = 0;
                boolean usedEnv = false;
                while (mt.find()) {
                    checkNoStrayRef(s.substring(last, mt.start()), file, n.line(), field);
                    sb.append(s, last, mt.start());
                    String var = mt.group(1);
                    String val = env.get(var);
                    if (val != null) {
                        sb.append(val);
                        usedEnv = true;
                    } else if (mt.group(2) != null) {
                        sb.append(mt.group(2));
                    } else {
                        error(file, n.line(), field, "environment variable " + var + " is not set and has "
                                + "no default; set it, or write ${" + var + ":-default}");
                    }
                    last = mt.end();
                }
                checkNoStrayRef(s.substring(last), file, n.line(), field);
                sb.append(s.substring(last));
                YamlNode out = new YamlNode(sb.toString(), n.line());
                if (usedEnv) {
                    fromEnv.add(out);
                }
                return out;
            }

            YamlNode substituteMap(YamlNode n, Ctx c) {
                return substitute(n, c.file(), c.prefix());
            }

            void checkNoStrayRef(String segment, String file, int line, String field) {
                if (segment.contains("${")) {
                    error(file, line, field, "malformed environment reference; write ${NAME} or "
                            + "${NAME:-default} (NAME: letters, digits, '_')");
                }
            }

            String show(YamlNode n) {
                if (n == null) {
                    return "nothing";
                }
                if (fromEnv.contains(n)) {
                    return "(a value from the environment, not shown)";
                }
                if (!n.isScalar()) {
                    return n.kind();
                }
                String t = n.text();
                return "'" + (t.length() > 60 ? t.substring(0, 57) + "..." : t) + "'";
            }

            int line(Map<String, YamlNode> m, String key, Ctx c) {
                YamlNode n = m.get(key);
                return n == null ? c.line() : n.line();
            }

            int errorCount() {
                return (int) problems.stream().filter(RegistryProblem::isError).count();
            }
        }
    }

    /**
     * The result of {@link Reader#inspect}: every problem, and the registry when none of them is an error.
     *
     * @param problems errors and warnings, sorted by file and line
     * @param registry present exactly when {@code problems} holds no error
     */
    public record Inspection(List<RegistryProblem> problems, Optional<Registry> registry) {
        public Inspection {
            problems = List.copyOf(problems);
        }

        public long errors() {
            return problems.stream().filter(RegistryProblem::isError).count();
        }

        public long warnings() {
            return problems.size() - errors();
        }
    }

    /** Where a value sits: file, dotted field prefix, and the line of the enclosing entry. */
    private record Ctx(String file, String prefix, int line) {
        String field(String key) {
            if (key.isEmpty()) {
                return prefix;
            }
            return prefix.isEmpty() ? key : prefix + "." + key;
        }
    }

    private record ParsedSkill(SkillCard card, String file, Map<String, YamlNode> front, Ctx ctx) {
        int line(String key) {
            YamlNode n = front.get(key);
            return n == null ? ctx.line() : n.line();
        }
    }

    private record ParsedModel(ModelCard card, String label, int line) {
    }

    static Optional<Duration> parseDuration(String text) {
        String t = text.strip();
        if (t.toUpperCase(Locale.ROOT).startsWith("PT")) {
            try {
                return Optional.of(Duration.parse(t.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            return Optional.empty();
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> v;
            case "m" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> v * 1000;
        };
        return millis > Long.MAX_VALUE / 2 ? Optional.empty() : Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    private static String modalities(Set<Modality> mods) {
        return mods.stream().map(Modality::id).sorted().collect(Collectors.joining(", ", "[", "]"));
    }

    /** "; did you mean 'x'?" when a key is within two edits of a valid one (typos such as 'descripton'). */
    static String suggestion(String key, List<String> valid) {
        String best = null;
        int bestD = 3;
        for (String v : valid) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), v);
            if (d < bestD) {
                bestD = d;
                best = v;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
