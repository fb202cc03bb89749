package dev.maestro.registry;

import dev.maestro.registry.ModelsReader.ParsedModel;
import dev.maestro.registry.RegistryProblem.Severity;
import dev.maestro.registry.SkillsReader.ParsedSkill;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * The format and each rule are documented in {@code docs/registry.md}. The work is split by file:
 * {@link SkillsReader} (with {@link SkillWorkflowReader}) reads the skills, {@link ModelsReader} reads
 * models.yaml, {@link RegistryGraphCheck} checks what spans files, and {@link Fields} reads typed values;
 * all of them report into one {@link ReadContext}.
 */
public final class RegistryLoader {
    public static final String MODELS_FILE = "models.yaml";
    public static final String SKILLS_DIR = "skills";
    public static final String SKILL_FILE = "SKILL.md";

    // The valid keys of each file, in one place. A new key goes into its list here and is read in one method:
    // a model key in ModelsReader.parseModel, a skill key in SkillsReader.parseSkill (workflow keys in
    // SkillWorkflowReader.parseWorkflow). Messages list the valid keys from these lists.

    /** Keys of a model entry that map to {@link ModelCard} fields; every other key is a backend setting. */
    public static final List<String> MODEL_KEYS = List.of("id", "backend", "description", "modalities", "price",
            "base-url", "model-name", "api-key-env", "max-concurrency", "timeout", "skills", "size-b", "released", "family",
            "tuning", "open-weights");
    static final List<String> TOP_KEYS = List.of("name", "description", "defaults", "models");
    static final List<String> PRICE_KEYS = List.of("input-per-1m", "output-per-1m");
    static final List<String> SKILL_KEYS = List.of("name", "level", "description", "parent", "children", "tools",
            "modalities", "steps", "route", "implementation", "expose-children", "mcp");
    static final List<String> PLACEHOLDERS = List.of("question", "input", "options", "conversation");
    static final int MAX_CONCURRENCY = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryLoader.class);

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
            Pass pass = read(folder);
            List<RegistryProblem> problems = pass.problems();
            boolean fail = problems.stream().anyMatch(p -> p.isError() || strict);
            if (fail || pass.registry().isEmpty()) {
                throw new RegistryException(pass.displayName(), problems);
            }
            problems.forEach(p -> LOG.warn("registry {}: {}", pass.displayName(), p));
            return pass.registry().get();
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
            Pass pass = read(folder);
            return new Inspection(pass.problems(), pass.registry());
        }

        // One pass over one folder: skills first (models refer to them), then models, then the checks across
        // files; the registry is built only when nothing is an error.
        private Pass read(Path folder) {
            ReadContext ctx = new ReadContext(folder, env, knownTools);
            if (!Files.isDirectory(ctx.root)) {
                ctx.error(".", 0, "", "registry folder " + ctx.root + " does not exist or is not a directory");
                return new Pass(ctx.displayName(), ctx.sorted(), Optional.empty());
            }
            Fields fields = new Fields(ctx);
            RegistryGraphCheck graph = new RegistryGraphCheck(ctx);
            Map<String, ParsedSkill> skills = new SkillsReader(ctx, fields).read();
            new McpServersReader(ctx, fields).checkAcrossSkills(skills);
            List<ParsedModel> models = new ModelsReader(ctx, fields, graph).read(skills);
            graph.checkSkills(skills);
            graph.checkFallbacks(models);
            if (ctx.hasErrors()) {
                return new Pass(ctx.displayName(), ctx.sorted(), Optional.empty());
            }
            Registry registry = Registry.of(ctx.name, ctx.root, models.stream().map(ParsedModel::card).toList(),
                    skills.values().stream().map(ParsedSkill::card).toList());
            graph.checkPairs(registry, models, skills);
            return new Pass(ctx.displayName(), ctx.sorted(), Optional.of(registry));
        }
    }

    // What one read of a folder found; displayName carries the name models.yaml gave the registry.
    private record Pass(String displayName, List<RegistryProblem> problems, Optional<Registry> registry) {
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

    /** A duration as written in models.yaml: 30s, 500ms, 2m, 1h, PT2M, or a bare number of seconds. */
    static Optional<Duration> parseDuration(String text) {
        return Fields.parseDuration(text);
    }
}
