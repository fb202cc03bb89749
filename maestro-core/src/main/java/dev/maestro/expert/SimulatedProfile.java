package dev.maestro.expert;

import dev.maestro.MaestroException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The ability profile of one simulated expert model (an additive, IRT-style model).
 *
 * <p>For a call with skill {@code s} (whose parent, for a level-2 skill, is {@code p}) on a task
 * of group {@code g}:
 * <pre>
 *   ability(s, g) = default + skills[s] + groups[g] + pairs["s/g"]
 *   P(correct)    = sigmoid(ability(s, g) - difficulty(task))
 * </pre>
 * A missing term is 0, except that a level-2 skill with no term of its own inherits its parent's
 * term ({@code skills[p]}, {@code pairs["p/g"]}): a router's children are then as good as the
 * router unless the profile says otherwise. In YAML:
 * <pre>
 *   profile:
 *     default: -0.4                   # baseline log-odds of this model
 *     skills: {chart-solver: 0.2}     # how well the model follows each skill's prompt
 *     groups: {chart: 1.2, medical: -0.8}   # domain strength of the model
 *     pairs:  {chart-solver/chart: 1.2}     # extra gain when the skill matches the group
 * </pre>
 *
 * @param defaultAbility baseline log-odds
 * @param skills         per-skill terms
 * @param groups         per-task-group terms
 * @param pairs          per (skill, group) terms, keyed {@code skill/group}
 */
public record SimulatedProfile(
        double defaultAbility,
        Map<String, Double> skills,
        Map<String, Double> groups,
        Map<String, Double> pairs) {

    private static final Set<String> KEYS = Set.of("default", "skills", "groups", "pairs");

    public SimulatedProfile {
        skills = Map.copyOf(skills);
        groups = Map.copyOf(groups);
        pairs = Map.copyOf(pairs);
    }

    /**
     * Reads a profile from the map a YAML {@code profile:} block parses to. Numbers may be YAML
     * numbers or numeric strings (after {@code ${ENV}} substitution).
     *
     * @param where names the model, used in error messages
     * @throws MaestroException naming the field when the shape or a number is wrong
     */
    public static SimulatedProfile parse(String where, Object raw) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new MaestroException(where + ": 'profile' must be a map with keys default, skills, groups, pairs; got "
                    + describe(raw));
        }
        for (Object k : map.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new MaestroException(where + ": unknown key 'profile." + k + "'; valid: default, skills, groups, pairs");
            }
        }
        double def = map.containsKey("default") ? number(where, "profile.default", map.get("default")) : 0.0;
        Map<String, Double> skills = terms(where, "skills", map.get("skills"));
        Map<String, Double> groups = terms(where, "groups", map.get("groups"));
        Map<String, Double> pairs = terms(where, "pairs", map.get("pairs"));
        for (String key : pairs.keySet()) {
            int slash = key.indexOf('/');
            if (slash <= 0 || slash == key.length() - 1 || key.indexOf('/', slash + 1) >= 0) {
                throw new MaestroException(where + ": 'profile.pairs' key '" + key
                        + "' must be written SKILL/GROUP, e.g. chart-solver/chart");
            }
        }
        return new SimulatedProfile(def, skills, groups, pairs);
    }

    /** The log-odds of a correct answer before the task's difficulty is subtracted. */
    public double ability(String skill, Optional<String> parentSkill, String group) {
        double a = defaultAbility + groups.getOrDefault(group, 0.0);
        a += inherited(skills, skill, parentSkill.orElse(null));
        a += inherited(pairs, skill + "/" + group, parentSkill.map(p -> p + "/" + group).orElse(null));
        return a;
    }

    /** P(correct) = sigmoid(ability - difficulty). */
    public double probabilityCorrect(String skill, Optional<String> parentSkill, String group, double difficulty) {
        return sigmoid(ability(skill, parentSkill, group) - difficulty);
    }

    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    private static double inherited(Map<String, Double> terms, String key, String parentKey) {
        Double own = terms.get(key);
        if (own != null) {
            return own;
        }
        return parentKey == null ? 0.0 : terms.getOrDefault(parentKey, 0.0);
    }

    private static Map<String, Double> terms(String where, String field, Object raw) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new MaestroException(where + ": 'profile." + field + "' must be a map NAME: number; got " + describe(raw));
        }
        map.forEach((k, v) -> out.put(String.valueOf(k), number(where, "profile." + field + "." + k, v)));
        return out;
    }

    static double number(String where, String field, Object v) {
        OptionalDouble parsed = BackendSettings.asDouble(v);
        if (parsed.isEmpty()) {
            throw new MaestroException(where + ": '" + field + "' must be a number, got "
                    + (v instanceof String s ? "'" + s + "'" : describe(v)));
        }
        double d = parsed.getAsDouble();
        if (!Double.isFinite(d)) {
            throw new MaestroException(where + ": '" + field + "' must be finite, got " + d);
        }
        return d;
    }

    private static String describe(Object v) {
        return v == null ? "nothing" : v.getClass().getSimpleName() + " '" + v + "'";
    }
}
