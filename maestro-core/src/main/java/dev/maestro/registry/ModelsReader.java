package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoader.MAX_CONCURRENCY;
import static dev.maestro.registry.RegistryLoader.MODELS_FILE;
import static dev.maestro.registry.RegistryLoader.MODEL_KEYS;
import static dev.maestro.registry.RegistryLoader.PRICE_KEYS;
import static dev.maestro.registry.RegistryLoader.TOP_KEYS;
import static dev.maestro.registry.RegistryLoader.isPathSetting;

import dev.maestro.MaestroException;
import dev.maestro.io.Limit;
import dev.maestro.registry.Fields.Ctx;
import dev.maestro.registry.SkillsReader.ParsedSkill;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads {@code models.yaml} into {@link ModelCard}s: the top-level keys, {@code defaults} merged into each
 * entry, {@code ${ENV}} substitution, each model key, the backend's own requirements, and path settings kept
 * inside the suite folder. Whether a model's {@code skills:} name level-1 skills is asked of
 * {@link RegistryGraphCheck}, at the point where the entry is read.
 *
 * <p>Adding a model key: list it in {@link RegistryLoader#MODEL_KEYS} (every backend) or in {@link ModelKeys} (one
 * backend) and read it in {@link #parseModel} or {@link ModelSettingsReader}. A key in none of those lists is an
 * error naming the valid ones.
 */
final class ModelsReader {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final ReadContext ctx;
    private final Fields fields;
    private final RegistryGraphCheck graph;

    ModelsReader(ReadContext ctx, Fields fields, RegistryGraphCheck graph) {
        this.ctx = ctx;
        this.fields = fields;
        this.graph = graph;
    }

    /** A model read from its entry, with the label and line its problems are reported at. */
    record ParsedModel(ModelCard card, String label, int line) {
    }

    /** Every model entry of models.yaml that reads cleanly; problems go to the context. */
    List<ParsedModel> read(Map<String, ParsedSkill> skills) {
        List<ParsedModel> out = new ArrayList<>();
        Path path = ctx.root.resolve(MODELS_FILE);
        String file = MODELS_FILE;
        if (!Files.isRegularFile(path)) {
            ctx.error(file, 0, "", "models.yaml not found; a registry folder holds models.yaml and "
                    + "skills/<name>/SKILL.md");
            return out;
        }
        if (!ctx.realInside(path)) {
            // as for SKILL.md: a symbolic link must not pull a registry from outside the suite folder
            ctx.error(file, 0, "", MODELS_FILE + " escapes the registry's parent folder '" + ctx.base.getFileName()
                    + "' through a symbolic link; registry files must stay within it");
            return out;
        }
        Optional<String> text = ctx.readText(path, file);
        if (text.isEmpty()) {
            return out;
        }
        YamlNode top;
        try {
            top = YamlNode.parse(text.get(), 0, (k, l) -> ctx.error(file, l, k, "duplicate key '" + k + "'"));
        } catch (YamlNode.SyntaxError e) {
            ctx.error(file, e.line, "", e.getMessage());
            return out;
        }
        if (!top.isMap()) {
            ctx.error(file, top.line(), "", "models.yaml must be a mapping with keys "
                    + String.join(", ", TOP_KEYS) + ", got " + (top.isNull() ? "an empty file" : top.kind()));
            return out;
        }
        Ctx c = new Ctx(file, "", 1);
        Map<String, YamlNode> m = top.map();
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (!TOP_KEYS.contains(e.getKey())) {
                ctx.error(file, e.getValue().line(), e.getKey(), "unknown key" + Fields.suggestion(e.getKey(), TOP_KEYS)
                        + "; valid: " + String.join(", ", TOP_KEYS));
            }
        }
        Map<String, YamlNode> head = new LinkedHashMap<>();
        for (String k : List.of("name", "description")) {
            if (m.containsKey(k)) {
                head.put(k, fields.substitute(m.get(k), file, c.field(k)));
            }
        }
        fields.string(c, head, "name", false).ifPresent(n -> ctx.name = n);
        Map<String, YamlNode> defaults = Map.of();
        if (m.containsKey("defaults") && !m.get("defaults").isNull()) {
            YamlNode d = m.get("defaults");
            if (!d.isMap()) {
                ctx.error(file, d.line(), "defaults", "defaults must be a mapping of model keys, got " + d.kind());
            } else {
                defaults = substituteEntry(d, new Ctx(file, "defaults", d.line()));
                if (defaults.containsKey("id")) {
                    ctx.error(file, defaults.get("id").line(), "defaults.id", "defaults cannot set id: "
                            + "every model needs its own");
                }
            }
        }
        YamlNode list = m.get("models");
        if (list == null || list.isNull()) {
            ctx.error(file, 1, "models", "required field 'models' is missing (a list of model entries)");
            return out;
        }
        if (!list.isList()) {
            ctx.error(file, list.line(), "models", "models must be a list of model entries, got " + list.kind());
            return out;
        }
        if (list.list().isEmpty()) {
            ctx.error(file, list.line(), "models", "models is empty: a registry needs at least one model");
        }
        Map<String, FirstId> seen = new HashMap<>(); // by case-folded id
        for (int i = 0; i < list.list().size(); i++) {
            YamlNode item = list.list().get(i);
            if (!item.isMap()) {
                ctx.error(file, item.line(), "models[" + i + "]", "each model must be a mapping with at least "
                        + "id, backend and description, got " + item.kind());
                continue;
            }
            YamlNode rawId = item.map().get("id");
            String label = rawId != null && rawId.isScalar() && !rawId.text().contains("${")
                    ? "models[" + rawId.text() + "]" : "models[" + i + "]";
            Ctx mc = new Ctx(file, label, item.line());
            Map<String, YamlNode> merged = new LinkedHashMap<>(defaults);
            merged.putAll(substituteEntry(item, mc));
            parseModel(mc, merged, item.map().keySet(), skills, seen).ifPresent(out::add);
        }
        return out;
    }

    /** The first model id seen for one case-folded id, and its line. */
    record FirstId(String id, int line) {
    }

    /**
     * {@code ${VAR}} substituted in every value of an entry but its headers: header values are templates resolved
     * when the expert is wired (a value read from the environment there is a secret, see {@link EnvTemplate}).
     */
    private Map<String, YamlNode> substituteEntry(YamlNode entry, Ctx c) {
        Map<String, YamlNode> raw = new LinkedHashMap<>(entry.map());
        YamlNode headers = raw.remove("headers");
        Map<String, YamlNode> out = new LinkedHashMap<>(fields.substituteMap(new YamlNode(raw, entry.line()), c).map());
        if (headers != null) {
            out.put("headers", headers);
        }
        return out;
    }

    /**
     * @param own the keys written in the entry itself (the others come from {@code defaults:}): a key of another
     *            backend is an error there, and ignored when it comes from the defaults
     */
    Optional<ParsedModel> parseModel(Ctx c, Map<String, YamlNode> m, Set<String> own, Map<String, ParsedSkill> skills,
                                     Map<String, FirstId> seen) {
        int before = ctx.errorCount();
        Optional<String> id = fields.string(c, m, "id", true).map(Fields::nfc);
        id.ifPresent(v -> {
            fields.checkId(c, m, "id", v, "model id");
            FirstId first = seen.putIfAbsent(Fields.fold(v), new FirstId(v, Fields.line(m, "id", c)));
            if (first != null && first.id().equals(v)) {
                ctx.error(c.file(), Fields.line(m, "id", c), c.field("id"), "duplicate model id '" + v
                        + "' (first declared on line " + first.line() + ")");
            } else if (first != null) {
                ctx.error(c.file(), Fields.line(m, "id", c), c.field("id"), "model id '" + v + "' differs from '"
                        + first.id() + "' (line " + first.line() + ") only by case; model ids must be unique ignoring"
                        + " case, so that a reader can tell them apart");
            }
        });
        Optional<Backend> backend = fields.string(c, m, "backend", true).flatMap(b -> {
            try {
                return Optional.of(Backend.parse(b));
            } catch (MaestroException e) {
                ctx.error(c.file(), Fields.line(m, "backend", c), c.field("backend"), "unknown backend "
                        + fields.show(m.get("backend")) + "; valid: " + Stream.of(Backend.values()).map(Backend::id)
                        .collect(Collectors.joining(", ")));
                return Optional.empty();
            }
        });
        Optional<String> description = fields.string(c, m, "description", true);
        Set<Modality> mods = fields.modalitySet(c, m).orElse(EnumSet.of(Modality.TEXT));
        Price price = price(c, m);
        Optional<String> baseUrl = fields.string(c, m, "base-url", false);
        baseUrl.ifPresent(u -> checkUrl(c, m, u));
        Optional<String> modelName = fields.string(c, m, "model-name", false);
        Optional<String> apiKeyEnv = fields.string(c, m, "api-key-env", false);
        int maxConcurrency = fields.integer(c, m, "max-concurrency", false).map(v -> {
            if (v < 1 || v > MAX_CONCURRENCY) {
                ctx.error(c.file(), Fields.line(m, "max-concurrency", c), c.field("max-concurrency"), "max-concurrency "
                        + "must be a whole number from 1 to " + MAX_CONCURRENCY + ", got " + v);
            }
            return v;
        }).orElse(4);
        Duration timeout = fields.duration(c, m, "timeout").orElse(Duration.ofSeconds(120));
        List<String> modelSkills = fields.stringList(c, m, "skills").orElse(List.of()).stream().map(Fields::nfc).toList();
        fields.checkUnique(c, m, "skills", modelSkills);
        graph.checkModelSkills(c, m, modelSkills, skills);
        Map<String, Object> settings = new LinkedHashMap<>();
        List<String> valid = backend.map(ModelKeys::valid).orElse(ModelKeys.any());
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            String k = e.getKey();
            if (MODEL_KEYS.contains(k)) {
                continue;
            }
            if (!valid.contains(k)) {
                if (own.contains(k) || !ModelKeys.any().contains(k)) {
                    ctx.error(c.file(), e.getValue().line(), c.field(k), "unknown key" + backend.map(b -> " for the "
                            + b.id() + " backend").orElse("") + Fields.suggestion(k, valid) + "; valid: "
                            + String.join(", ", valid));
                }
                continue; // from defaults: a key of another backend of a mixed registry
            }
            if (backend.orElse(Backend.NONE).live()
                    && (ModelKeys.REQUEST.contains(k) || ModelKeys.RESILIENCE.contains(k))) {
                continue; // typed: read into RequestSettings and Resilience below
            }
            if (isPathSetting(e.getKey())) {
                resolvePath(c, e.getKey(), e.getValue()).ifPresent(p -> settings.put(e.getKey(), p.toString()));
            } else {
                settings.put(e.getKey(), e.getValue().toPlain());
            }
        }
        backend.ifPresent(b -> checkBackend(c, m, b, settings, apiKeyEnv));
        RequestSettings request = RequestSettings.NONE;
        Resilience resilience = Resilience.DEFAULTS;
        if (backend.orElse(Backend.NONE).live()) {
            // only the keys this backend takes: one from defaults: meant for another backend is not read here
            Map<String, YamlNode> mine = new LinkedHashMap<>(m);
            mine.keySet().retainAll(valid);
            ModelSettingsReader r = new ModelSettingsReader(ctx, fields);
            request = r.request(c, mine, apiKeyEnv);
            resilience = r.resilience(c, mine);
        }
        ModelFacts facts = new ModelFactsReader(ctx, fields).read(c, m);
        if (ctx.errorCount() > before || id.isEmpty() || backend.isEmpty() || description.isEmpty()) {
            return Optional.empty();
        }
        ModelCard.Builder b = ModelCard.builder(id.get(), backend.get()).description(description.get())
                .modalities(mods).price(price).maxConcurrency(maxConcurrency).timeout(timeout)
                .skills(modelSkills).settings(settings).request(request).resilience(resilience).facts(facts);
        baseUrl.ifPresent(b::baseUrl);
        modelName.ifPresent(b::modelName);
        apiKeyEnv.ifPresent(b::apiKeyEnv);
        return Optional.of(new ParsedModel(b.build(), c.field(""), Fields.line(m, "id", c)));
    }

    void checkBackend(Ctx c, Map<String, YamlNode> m, Backend b, Map<String, Object> settings,
                      Optional<String> apiKeyEnv) {
        if (settings.get("max-response-bytes") != null) { // read by the live backends: caught here, not at wiring
            try {
                Limit.parse("max-response-bytes", String.valueOf(settings.get("max-response-bytes")));
            } catch (MaestroException e) {
                ctx.error(c.file(), Fields.line(m, "max-response-bytes", c), c.field("max-response-bytes"), e.getMessage());
            }
        }
        if (b.live()) {
            LiveBackendRules.check(ctx, c, m, b);
            apiKeyEnv.ifPresent(v -> {
                if (ENV_NAME.matcher(v).matches() && !ctx.env.containsKey(v)) {
                    ctx.warning(c.file(), Fields.line(m, "api-key-env", c), c.field("api-key-env"), "environment "
                            + "variable " + v + " is not set; calls to this model will fail until it is "
                            + "(replay and simulated runs do not need it)");
                }
            });
        } else {
            for (String k : List.of("base-url", "api-key-env")) {
                if (m.containsKey(k)) {
                    ctx.warning(c.file(), m.get(k).line(), c.field(k), k + " is ignored by the " + b.id()
                            + " backend");
                }
            }
        }
        if (b == Backend.REPLAY && !m.containsKey("recorded")) {
            ctx.error(c.file(), c.line(), c.field("recorded"), "the replay backend needs recorded: "
                    + "<file.jsonl[.gz]> (relative to the registry folder)");
        }
        if (b == Backend.REPLAY && settings.get("recorded") instanceof String r
                && !Files.isRegularFile(Path.of(r))) {
            ctx.error(c.file(), Fields.line(m, "recorded", c), c.field("recorded"), "recorded file not found: "
                    + fields.show(m.get("recorded")) + " (resolved against the registry folder)");
        }
        apiKeyEnv.ifPresent(v -> {
            if (!ENV_NAME.matcher(v).matches()) {
                // Someone may have pasted the key itself: say so without echoing it.
                ctx.error(c.file(), Fields.line(m, "api-key-env", c), c.field("api-key-env"), "api-key-env must be the "
                        + "NAME of an environment variable (letters, digits, '_'), never the key itself; "
                        + "value not shown");
            }
        });
    }

    Optional<Path> resolvePath(Ctx c, String key, YamlNode node) {
        if (!node.isScalar() || node.value() instanceof Boolean || node.text().isBlank()) {
            ctx.error(c.file(), node.line(), c.field(key), key + " must be a path (relative to the registry "
                    + "folder), got " + node.kind());
            return Optional.empty();
        }
        Path p;
        try {
            p = ctx.root.resolve(node.text()).normalize();
        } catch (InvalidPathException e) {
            ctx.error(c.file(), node.line(), c.field(key), "not a valid path: " + fields.show(node));
            return Optional.empty();
        }
        boolean inside = p.startsWith(ctx.base);
        if (inside && Files.exists(p)) {
            try {
                // A symlink inside the suite folder must not lead outside it either.
                inside = p.toRealPath().startsWith(ctx.base.toRealPath());
            } catch (IOException e) {
                inside = false;
            }
        }
        if (!inside) {
            ctx.error(c.file(), node.line(), c.field(key), "path " + fields.show(node) + " escapes the registry's "
                    + "parent folder '" + ctx.base.getFileName() + "'; registry paths must stay within it");
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
        ctx.error(c.file(), Fields.line(m, "base-url", c), c.field("base-url"), "base-url must be an http(s) URL with "
                + "a host, such as http://127.0.0.1:8000/v1");
    }

    Price price(Ctx c, Map<String, YamlNode> m) {
        YamlNode p = m.get("price");
        if (p == null || p.isNull()) {
            return Price.FREE;
        }
        if (!p.isMap()) {
            ctx.error(c.file(), p.line(), c.field("price"), "price must be a mapping {input-per-1m: USD, "
                    + "output-per-1m: USD}, got " + p.kind());
            return Price.FREE;
        }
        Ctx pc = new Ctx(c.file(), c.field("price"), p.line());
        for (Map.Entry<String, YamlNode> e : p.map().entrySet()) {
            if (!PRICE_KEYS.contains(e.getKey())) {
                ctx.error(c.file(), e.getValue().line(), pc.field(e.getKey()), "unknown price key"
                        + Fields.suggestion(e.getKey(), PRICE_KEYS) + "; valid: " + String.join(", ", PRICE_KEYS));
            }
        }
        double[] v = new double[2];
        boolean ok = true;
        for (int i = 0; i < 2; i++) {
            String k = PRICE_KEYS.get(i);
            Optional<Double> d = fields.number(pc, p.map(), k, true);
            if (d.isPresent() && !(d.get() >= 0 && Double.isFinite(d.get()))) {
                ctx.error(c.file(), Fields.line(p.map(), k, pc), pc.field(k), k + " must be a finite number >= 0 "
                        + "(US dollars per 1M tokens), got " + d.get());
                ok = false;
            }
            ok &= d.isPresent();
            v[i] = d.orElse(0.0);
        }
        return ok ? new Price(v[0], v[1]) : Price.FREE;
    }
}
