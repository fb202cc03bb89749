package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoader.MODELS_FILE;

import dev.maestro.registry.Fields.Ctx;
import dev.maestro.registry.ModelsReader.ParsedModel;
import dev.maestro.registry.SkillsReader.ParsedSkill;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that span files: a skill's parent and children exist, have the right levels and agree with each other;
 * routers do not form cycles; a model's skills are level-1 skills; every model has a callable pair. Each file
 * is first read on its own ({@link SkillsReader}, {@link ModelsReader}); these checks run on what they read. Model
 * fallbacks name other models and form no cycle.
 */
final class RegistryGraphCheck {
    private final ReadContext ctx;

    RegistryGraphCheck(ReadContext ctx) {
        this.ctx = ctx;
    }

    /** Parents, children and levels of every skill, then router cycles. */
    void checkSkills(Map<String, ParsedSkill> skills) {
        List<String> level1 = skills.values().stream().filter(s -> s.card().level() == 1)
                .map(s -> s.card().name()).toList();
        for (ParsedSkill s : skills.values()) {
            SkillCard k = s.card();
            if (k.level() == 2) {
                if (k.parent().isEmpty()) {
                    ctx.error(s.file(), s.line("level"), "parent", "a level-2 skill needs 'parent: <level-1 "
                            + "router>'; level-1 skills: " + level1);
                } else {
                    String pn = k.parent().get();
                    ParsedSkill p = skills.get(pn);
                    if (p == null && ctx.brokenSkills.contains(pn)) {
                        // already reported in the parent's own file
                    } else if (p == null) {
                        ctx.error(s.file(), s.line("parent"), "parent", "parent '" + pn + "' does not exist; "
                                + "level-1 skills: " + level1);
                    } else if (p.card().level() != 1) {
                        ctx.error(s.file(), s.line("parent"), "parent", "parent '" + pn + "' is level "
                                + p.card().level() + "; a parent must be a level-1 router");
                    } else if (!p.card().children().contains(k.name())) {
                        ctx.error(s.file(), s.line("parent"), "parent", "parent '" + pn + "' does not list '"
                                + k.name() + "' in its children; add it to 'children:' in " + p.file());
                    }
                }
                if (!k.children().isEmpty()) {
                    ctx.error(s.file(), s.line("children"), "children", "a level-2 skill cannot have children; "
                            + "only level-1 routers dispatch");
                }
            } else {
                k.parent().ifPresent(pn -> ctx.error(s.file(), s.line("parent"), "parent", "a level-1 skill "
                        + "cannot have a parent; use 'level: 2' for a skill a router dispatches to"));
                for (String child : k.children()) {
                    ParsedSkill ch = skills.get(child);
                    if (ch == null && ctx.brokenSkills.contains(child)) {
                        continue;
                    }
                    if (ch == null) {
                        ctx.error(s.file(), s.line("children"), "children", "child '" + child
                                + "' does not exist; skills: " + skills.keySet());
                    } else if (ch.card().level() != 2) {
                        ctx.error(s.file(), s.line("children"), "children", "child '" + child + "' is level "
                                + ch.card().level() + "; children must be level-2 skills");
                    } else if (ch.card().parent().isPresent()
                            && !ch.card().parent().get().equals(k.name())) {
                        ctx.error(s.file(), s.line("children"), "children", "child '" + child
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
                ctx.error(s.file(), s.line("children"), "children", "router cycle: " + key);
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

    /** A model's {@code skills:} name existing level-1 skills (a skill too broken to read is not reported again). */
    void checkModelSkills(Ctx c, Map<String, YamlNode> m, List<String> modelSkills, Map<String, ParsedSkill> skills) {
        for (String s : modelSkills) {
            ParsedSkill ps = skills.get(s);
            List<String> level1 = skills.values().stream().filter(x -> x.card().level() == 1)
                    .map(x -> x.card().name()).toList();
            if (ps == null && ctx.brokenSkills.contains(s)) {
                continue;
            }
            if (ps == null) {
                ctx.error(c.file(), Fields.line(m, "skills", c), c.field("skills"), "unknown skill '" + s
                        + "'; level-1 skills: " + level1);
            } else if (ps.card().level() != 1) {
                ctx.error(c.file(), Fields.line(m, "skills", c), c.field("skills"), "skill '" + s + "' is level 2; "
                        + "models are paired with level-1 skills (a level-2 skill is reached through its "
                        + "router " + ps.card().parent().map(p -> "'" + p + "'").orElse("") + ")");
            }
        }
    }

    /** After a clean read: a model none of whose level-1 skills shares a modality with it cannot be called. */
    void checkPairs(Registry registry, List<ParsedModel> models, Map<String, ParsedSkill> skills) {
        Set<String> paired = registry.pairs().stream().map(Pair::model).collect(Collectors.toSet());
        for (ParsedModel m : models) {
            if (!paired.contains(m.card().id()) && !skills.isEmpty()) {
                ctx.warning(MODELS_FILE, m.line(), m.label(), "model has no callable pair: none of its "
                        + "level-1 skills shares a modality with it " + modalities(m.card().modalities()));
            }
        }
    }

    /**
     * Every model's {@code fallbacks}: ids of other models of the registry, and no cycle (a model falling back,
     * directly or through others, to itself).
     */
    void checkFallbacks(List<ParsedModel> models) {
        Map<String, ParsedModel> byId = new LinkedHashMap<>();
        models.forEach(m -> byId.put(m.card().id(), m));
        List<String> ids = List.copyOf(byId.keySet());
        boolean clean = true;
        for (ParsedModel m : models) {
            for (String f : m.card().resilience().fallbacks()) {
                String field = m.label() + ".fallbacks";
                if (f.equals(m.card().id())) {
                    ctx.error(MODELS_FILE, m.line(), field, "a model cannot be its own fallback ('" + f + "')");
                    clean = false;
                } else if (!byId.containsKey(f)) {
                    ctx.error(MODELS_FILE, m.line(), field, "fallback '" + f + "' is not a model of this registry"
                            + Fields.suggestion(f, ids) + "; models: " + String.join(", ", ids));
                    clean = false;
                }
            }
        }
        if (!clean) {
            return;
        }
        Set<String> done = new HashSet<>();
        for (ParsedModel m : models) {
            List<String> path = new ArrayList<>();
            if (cycle(m.card().id(), byId, path, new HashSet<>(), done)) {
                ctx.error(MODELS_FILE, m.line(), m.label() + ".fallbacks", "fallbacks form a cycle: "
                        + String.join(" -> ", path) + "; remove one of these fallbacks");
                return; // one report per cycle is enough
            }
        }
    }

    private static boolean cycle(String id, Map<String, ParsedModel> byId, List<String> path, Set<String> onPath,
                                 Set<String> done) {
        if (onPath.contains(id)) {
            path.add(id);
            return true;
        }
        if (done.contains(id)) {
            return false;
        }
        onPath.add(id);
        path.add(id);
        for (String f : byId.get(id).card().resilience().fallbacks()) {
            if (cycle(f, byId, path, onPath, done)) {
                return true;
            }
        }
        onPath.remove(id);
        path.remove(path.size() - 1);
        done.add(id);
        return false;
    }

    private static String modalities(Set<Modality> mods) {
        return mods.stream().map(Modality::id).sorted().collect(Collectors.joining(", ", "[", "]"));
    }
}
