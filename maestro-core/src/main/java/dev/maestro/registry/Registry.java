package dev.maestro.registry;

import dev.maestro.MaestroException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An immutable, validated set of expert models and skills, and the (model, skill) pairs the
 * policy may call. Build one with {@link RegistryLoader} from files or {@link #of} in code.
 */
public final class Registry {
    private final String name;
    private final Optional<Path> folder;
    private final Map<String, ModelCard> models;
    private final Map<String, SkillCard> skills;
    private final List<Pair> pairs;

    private Registry(String name, Optional<Path> folder, Collection<ModelCard> models, Collection<SkillCard> skills) {
        this.name = name;
        this.folder = folder;
        Map<String, ModelCard> m = new LinkedHashMap<>();
        for (ModelCard c : models) {
            if (m.put(c.id(), c) != null) {
                throw new MaestroException("duplicate model id '" + c.id() + "' in registry " + name + "; model ids must be unique");
            }
        }
        Map<String, SkillCard> s = new LinkedHashMap<>();
        for (SkillCard c : skills) {
            if (s.put(c.name(), c) != null) {
                throw new MaestroException("duplicate skill name '" + c.name() + "' in registry " + name + "; skill names must be unique");
            }
        }
        this.models = Collections.unmodifiableMap(m);
        this.skills = Collections.unmodifiableMap(s);
        this.pairs = List.copyOf(computePairs(m, s));
    }

    public static Registry of(String name, Collection<ModelCard> models, Collection<SkillCard> skills) {
        return new Registry(name, Optional.empty(), models, skills);
    }

    public static Registry of(String name, Path folder, Collection<ModelCard> models, Collection<SkillCard> skills) {
        return new Registry(name, Optional.of(folder), models, skills);
    }

    /**
     * A model may be paired with the level-1 skills it lists (or all), where modalities overlap; a router with
     * {@code expose-children: true} also pairs the model with the router's level-2 children.
     */
    private static List<Pair> computePairs(Map<String, ModelCard> models, Map<String, SkillCard> skills) {
        List<Pair> out = new ArrayList<>();
        for (ModelCard m : models.values()) {
            Collection<String> names = m.skills().isEmpty() ? skills.keySet() : m.skills();
            for (String sn : names) {
                SkillCard s = skills.get(sn);
                if (s == null || s.level() != 1) {
                    continue;
                }
                if (m.backend() != Backend.NONE && Collections.disjoint(m.modalities(), s.modalities())) {
                    continue;
                }
                out.add(new Pair(m.id(), s.name()));
                if (s.workflow().exposeChildren()) {
                    // An exposed router's children become pairs of the router's models (same modality rule), so
                    // the policy can call a fine-grained solver directly instead of going through rule routing.
                    for (String cn : s.children()) {
                        SkillCard c = skills.get(cn);
                        if (c == null || (m.backend() != Backend.NONE && Collections.disjoint(m.modalities(), c.modalities()))) {
                            continue;
                        }
                        Pair p = new Pair(m.id(), c.name());
                        if (!out.contains(p)) {
                            out.add(p);
                        }
                    }
                }
            }
        }
        return out;
    }

    public String name() { return name; }
    public Optional<Path> folder() { return folder; }
    public Collection<ModelCard> models() { return models.values(); }
    public Collection<SkillCard> skills() { return skills.values(); }
    public List<Pair> pairs() { return pairs; }
    public Optional<ModelCard> model(String id) { return Optional.ofNullable(models.get(id)); }
    public Optional<SkillCard> skill(String name) { return Optional.ofNullable(skills.get(name)); }

    public boolean hasPair(Pair p) {
        return pairs.contains(p);
    }

    /** Finds a model ignoring case, as the paper's orchestrator writes names loosely. */
    public Optional<ModelCard> modelIgnoreCase(String id) {
        ModelCard exact = models.get(id);
        if (exact != null) {
            return Optional.of(exact);
        }
        return models.values().stream().filter(m -> m.id().equalsIgnoreCase(id.trim())).findFirst();
    }

    public Optional<SkillCard> skillIgnoreCase(String name) {
        SkillCard exact = skills.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        return skills.values().stream().filter(s -> s.name().equalsIgnoreCase(name.trim())).findFirst();
    }

    public Set<String> modelIds() { return models.keySet(); }
    public Set<String> skillNames() { return skills.keySet(); }

    /** The MCP servers the skills declare ({@code mcp:} in SKILL.md), by name; a loaded registry names each once. */
    public Map<String, McpServer> mcpServers() {
        Map<String, McpServer> out = new LinkedHashMap<>();
        for (SkillCard s : skills.values()) {
            s.workflow().mcpServers().forEach(m -> out.putIfAbsent(m.name(), m));
        }
        return Collections.unmodifiableMap(out);
    }

    /** A registry with only the models that pass the filter (skills unchanged). */
    public Registry filterModels(Predicate<ModelCard> keep) {
        return new Registry(name, folder, models.values().stream().filter(keep).toList(), skills.values());
    }

    /** A registry with the given models added (or replaced by id). */
    public Registry withModels(Collection<ModelCard> extra) {
        Map<String, ModelCard> m = new LinkedHashMap<>(models);
        extra.forEach(c -> m.put(c.id(), c));
        return new Registry(name, folder, m.values(), skills.values());
    }

    public Registry withSkills(Collection<SkillCard> extra) {
        Map<String, SkillCard> s = new LinkedHashMap<>(skills);
        extra.forEach(c -> s.put(c.name(), c));
        return new Registry(name, folder, models.values(), s.values());
    }

    public Registry renamed(String newName) {
        return new Registry(newName, folder, models.values(), skills.values());
    }

    public boolean simulated() {
        return models.values().stream().anyMatch(m -> m.backend() == Backend.SIMULATED);
    }

    /** SHA-256 over what a policy can depend on: ids, descriptions, prices, modalities, pairs. */
    public String fingerprint() {
        StringBuilder sb = new StringBuilder();
        for (ModelCard m : models.values()) {
            sb.append("M|").append(m.id()).append('|').append(m.backend().id()).append('|').append(m.description())
                    .append('|').append(m.price().inputPerMillion()).append('|').append(m.price().outputPerMillion())
                    .append('|').append(m.modalities().stream().map(Modality::id).sorted().collect(Collectors.joining(",")))
                    .append('\n');
        }
        for (SkillCard s : skills.values()) {
            sb.append("S|").append(s.name()).append('|').append(s.level()).append('|').append(s.description()).append('\n');
        }
        pairs.forEach(p -> sb.append("P|").append(p.id()).append('\n'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Registry[" + name + ", " + models.size() + " models, " + skills.size() + " skills, " + pairs.size() + " pairs]";
    }
}
