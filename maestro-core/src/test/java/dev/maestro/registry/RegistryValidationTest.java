package dev.maestro.registry;

import dev.maestro.registry.RegistryProblem.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.maestro.registry.RegistryLoaderTest.LEAF;
import static dev.maestro.registry.RegistryLoaderTest.MODELS;
import static dev.maestro.registry.RegistryLoaderTest.ROUTER;
import static dev.maestro.registry.RegistryLoaderTest.SOLVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One broken registry per row: start from a valid registry, apply one edit, and expect a problem in the named
 * file and field whose message contains the given text. Every row must produce that problem; rows that are
 * errors must also make {@code load} throw.
 */
class RegistryValidationTest {

    record Case(String name, UnaryOperator<Map<String, String>> edit, Severity severity, String file, String field,
                String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static UnaryOperator<Map<String, String>> models(String from, String to) {
        return files -> {
            String m = files.get("models.yaml");
            if (!m.contains(from)) {
                throw new IllegalStateException("test setup: '" + from + "' not in models.yaml");
            }
            files.put("models.yaml", m.replace(from, to));
            return files;
        };
    }

    static UnaryOperator<Map<String, String>> skill(String path, String from, String to) {
        return files -> {
            String m = files.get(path);
            if (!m.contains(from)) {
                throw new IllegalStateException("test setup: '" + from + "' not in " + path);
            }
            files.put(path, m.replace(from, to));
            return files;
        };
    }

    static UnaryOperator<Map<String, String>> put(String path, String content) {
        return files -> {
            files.put(path, content);
            return files;
        };
    }

    static Case error(String name, UnaryOperator<Map<String, String>> edit, String file, String field, String msg) {
        return new Case(name, edit, Severity.ERROR, file, field, msg);
    }

    static final String M = "models.yaml";
    static final String LEAF_MD = "skills/leaf/SKILL.md";
    static final String ROUTER_MD = "skills/router/SKILL.md";
    static final String SOLVE_MD = "skills/solve/SKILL.md";

    static Stream<Case> cases() {
        return Stream.of(
                error("unknown backend", models("backend: simulated", "backend: gpt"), M, "models[sim-a].backend",
                        "unknown backend 'gpt'; valid: openai, anthropic, gemini, azure-openai, ollama, replay, simulated, none"),
                error("duplicate model id", models("id: local", "id: sim-a"), M, "models[sim-a].id",
                        "duplicate model id 'sim-a' (first declared on line 7)"),
                error("duplicate skill name", put("skills/solve2/SKILL.md", SOLVE), "skills/solve2/SKILL.md", "name",
                        "duplicate skill name 'solve' (also declared in skills/solve/SKILL.md)"),
                error("missing id", models("- id: sim-a\n    backend", "- backend"), M, "models[0].id",
                        "required field 'id' is missing"),
                error("missing backend", models("    backend: simulated\n", ""), M, "models[sim-a].backend",
                        "required field 'backend' is missing"),
                error("missing description", models("    description: first simulated model\n", ""), M,
                        "models[sim-a].description", "required field 'description' is missing"),
                error("empty description", models("description: first simulated model", "description: ''"), M,
                        "models[sim-a].description", "description must not be empty"),
                error("negative price", models("input-per-1m: 1.5", "input-per-1m: -1"), M,
                        "models[sim-a].price.input-per-1m", "must be a finite number >= 0"),
                error("price not a number", models("output-per-1m: 2", "output-per-1m: cheap"), M,
                        "models[sim-a].price.output-per-1m", "output-per-1m must be a number, got 'cheap'"),
                error("price half missing", models("{input-per-1m: 1.5, output-per-1m: 2}", "{input-per-1m: 1.5}"),
                        M, "models[sim-a].price.output-per-1m", "required field 'output-per-1m' is missing"),
                error("unknown price key", models("output-per-1m: 2", "output-per-1m: 2, per-call: 1"), M,
                        "models[sim-a].price.per-call", "unknown price key; valid: input-per-1m, output-per-1m"),
                error("price not a mapping", models("price: {input-per-1m: 1.5, output-per-1m: 2}", "price: 3"), M,
                        "models[sim-a].price", "price must be a mapping"),
                error("size-b not a number", models("max-concurrency: 2", "max-concurrency: 2\n    size-b: huge"), M,
                        "models[sim-a].size-b", "size-b must be the number of parameters in billions, a number > 0"),
                error("size-b zero", models("max-concurrency: 2", "max-concurrency: 2\n    size-b: 0"), M,
                        "models[sim-a].size-b", "got '0'"),
                error("released a full date", models("max-concurrency: 2", "max-concurrency: 2\n    released: 2024-07-23"),
                        M, "models[sim-a].released", "released must be a year and month YYYY-MM from 1950-01 to 2100-12"),
                error("released month 13", models("max-concurrency: 2", "max-concurrency: 2\n    released: 2024-13"),
                        M, "models[sim-a].released", "got '2024-13'"),
                error("unknown tuning", models("max-concurrency: 2", "max-concurrency: 2\n    tuning: rlhf"), M,
                        "models[sim-a].tuning", "tuning must be one of base, instruct, chat, got 'rlhf'"),
                error("open-weights not a boolean", models("max-concurrency: 2", "max-concurrency: 2\n    open-weights: maybe"),
                        M, "models[sim-a].open-weights", "open-weights must be true or false, got 'maybe'"),
                error("family a list", models("max-concurrency: 2", "max-concurrency: 2\n    family: [a, b]"), M,
                        "models[sim-a].family", "family must be a short name on one line"),
                error("bad timeout", models("timeout: 500ms", "timeout: soon"), M, "models[local].timeout",
                        "must be a positive duration such as 30s"),
                error("zero timeout", models("timeout: 500ms", "timeout: 0s"), M, "models[local].timeout",
                        "must be a positive duration"),
                error("zero concurrency", models("max-concurrency: 2", "max-concurrency: 0"), M,
                        "models[sim-a].max-concurrency", "must be a whole number from 1 to 1024, got 0"),
                error("non-numeric concurrency", models("max-concurrency: 2", "max-concurrency: many"), M,
                        "models[sim-a].max-concurrency", "max-concurrency must be a whole number, got 'many'"),
                error("fractional concurrency", models("max-concurrency: 2", "max-concurrency: 2.5"), M,
                        "models[sim-a].max-concurrency", "must be a whole number"),
                error("unknown model modality", models("modalities: [text]", "modalities: [text, audio]"), M,
                        "models[local].modalities", "unknown modality 'audio'; valid: text, image"),
                error("unknown skill modality", skill(ROUTER_MD, "modalities: [image]", "modalities: [video]"),
                        ROUTER_MD, "modalities", "unknown modality 'video'; valid: text, image"),
                error("skill level 3", skill(SOLVE_MD, "level: 1", "level: 3"), SOLVE_MD, "level",
                        "level must be 1 (workflow or router the policy calls) or 2"),
                error("skill level missing", skill(SOLVE_MD, "level: 1\n", ""), SOLVE_MD, "level",
                        "required field 'level' is missing"),
                error("level-2 skill without parent", skill(LEAF_MD, "parent: router\n", ""), LEAF_MD, "parent",
                        "a level-2 skill needs 'parent: <level-1 router>'; level-1 skills: [router, solve]"),
                error("parent does not exist", skill(LEAF_MD, "parent: router", "parent: ghost"), LEAF_MD, "parent",
                        "parent 'ghost' does not exist; level-1 skills: [router, solve]"),
                error("parent is level 2", put("skills/leaf2/SKILL.md", LEAF.replace("name: leaf", "name: leaf2")
                        .replace("parent: router", "parent: leaf")), "skills/leaf2/SKILL.md", "parent",
                        "parent 'leaf' is level 2; a parent must be a level-1 router"),
                error("parent does not list the child", skill(LEAF_MD, "parent: router", "parent: solve"), LEAF_MD,
                        "parent", "parent 'solve' does not list 'leaf' in its children"),
                error("child does not exist", skill(ROUTER_MD, "children: [leaf]", "children: [leaf, ghost]"),
                        ROUTER_MD, "children", "child 'ghost' does not exist; skills: [leaf, router, solve]"),
                error("child is level 1", skill(ROUTER_MD, "children: [leaf]", "children: [leaf, solve]"),
                        ROUTER_MD, "children", "child 'solve' is level 1; children must be level-2 skills"),
                error("level-1 skill with parent", skill(SOLVE_MD, "level: 1", "level: 1\nparent: router"), SOLVE_MD,
                        "parent", "a level-1 skill cannot have a parent"),
                error("router cycle", files -> {
                    files.put("skills/a/SKILL.md", "---\nname: a\nlevel: 1\ndescription: a\nchildren: [b]\n---\n{input}\n");
                    files.put("skills/b/SKILL.md", "---\nname: b\nlevel: 1\ndescription: b\nchildren: [a]\n---\n{input}\n");
                    return files;
                }, "skills/a/SKILL.md", "children", "router cycle: a -> b -> a"),
                error("router lists itself", skill(ROUTER_MD, "children: [leaf]", "children: [leaf, router]"),
                        ROUTER_MD, "children", "router cycle: router -> router"),
                error("model names an unknown skill", models("skills: [solve]", "skills: [solve, ghost]"), M,
                        "models[local].skills", "unknown skill 'ghost'; level-1 skills: [router, solve]"),
                error("model names a level-2 skill", models("skills: [solve]", "skills: [leaf]"), M,
                        "models[local].skills", "skill 'leaf' is level 2; models are paired with level-1 skills"),
                error("openai without base-url", models("    base-url: ${UNIT_URL:-http://127.0.0.1:9/v1}\n", ""), M,
                        "models[local].base-url", "the openai backend needs base-url"),
                error("openai without model-name", models("    model-name: ${UNIT_MODEL}\n", ""), M,
                        "models[local].model-name", "the openai backend needs model-name"),
                error("base-url not a URL", models("${UNIT_URL:-http://127.0.0.1:9/v1}", "127.0.0.1:9"), M,
                        "models[local].base-url", "base-url must be an http(s) URL with a host"),
                error("env var without default not set", models("model-name: ${UNIT_MODEL}", "model-name: ${NOT_SET_X}"),
                        M, "models[local].model-name", "environment variable NOT_SET_X is not set and has no default"),
                error("malformed env reference", models("model-name: ${UNIT_MODEL}", "model-name: ${UNIT MODEL}"), M,
                        "models[local].model-name", "malformed environment reference"),
                error("api key pasted instead of a variable name", models("api-key-env: UNIT_KEY",
                        "api-key-env: sk-abc.123"), M, "models[local].api-key-env",
                        "api-key-env must be the NAME of an environment variable"),
                new Case("api key variable not set", models("api-key-env: UNIT_KEY", "api-key-env: UNSET_KEY"),
                        Severity.WARNING, M, "models[local].api-key-env", "environment variable UNSET_KEY is not set"),
                error("unknown placeholder", skill(SOLVE_MD, "Solve: {question}", "Solve: {question} {answer}"),
                        SOLVE_MD, "template", "unknown placeholder {answer}; valid: {question}, {input}, {options}"),
                error("tool placeholder not declared", skill(LEAF_MD, "{tool:zoom}", "{tool:ocr}"), LEAF_MD,
                        "template", "placeholder {tool:ocr} names a tool the skill does not declare; declared tools: [zoom]"),
                error("replay without recorded", models("backend: simulated", "backend: replay"), M,
                        "models[sim-a].recorded", "the replay backend needs recorded:"),
                error("recorded file missing", models("profile: {skill: 0.5}", "recorded: ../missing.jsonl.gz")
                        .andThen(models("backend: simulated", "backend: replay"))::apply, M, "models[sim-a].recorded",
                        "recorded file not found: '../missing.jsonl.gz'"),
                // (a replay model: recorded is a setting of that backend only)
                error("path escapes the suite folder", models("backend: simulated\n    description: first simulated model",
                        "backend: replay\n    recorded: ../../outside.jsonl\n    description: first simulated model"),
                        M, "models[sim-a].recorded", "path '../../outside.jsonl' escapes the registry's parent folder 'suite'"),
                error("absolute path outside the suite", models("backend: simulated\n    description: first simulated model",
                        "backend: replay\n    recorded: /etc/passwd\n    description: first simulated model"), M,
                        "models[sim-a].recorded", "escapes the registry's parent folder"),
                error("key of no backend", models("profile: {skill: 0.5}", "profile: {skill: 0.5}\n    temprature: 0"), M,
                        "models[sim-a].temprature", "unknown key for the simulated backend; valid: id, backend,"),
                error("key of another backend", models("profile: {skill: 0.5}", "profile: {skill: 0.5}\n    temperature: 0"),
                        M, "models[sim-a].temperature", "unknown key for the simulated backend"),
                error("typo of a request setting", models("timeout: 500ms", "timeout: 500ms\n    max-token: 64"), M,
                        "models[local].max-token", "did you mean 'max-tokens'?"),
                error("temperature out of range", models("timeout: 500ms", "timeout: 500ms\n    temperature: 3"), M,
                        "models[local].temperature", "temperature must be a number from 0 to 2, got 3.0"),
                error("extra-body setting a typed field", models("timeout: 500ms",
                        "timeout: 500ms\n    extra-body: {max_tokens: 5}"), M, "models[local].extra-body.max_tokens",
                        "extra-body cannot set 'max_tokens'; use max-tokens"),
                error("header the client sets", models("timeout: 500ms", "timeout: 500ms\n    headers: {Content-Length: 5}"),
                        M, "models[local].headers.Content-Length", "set by the HTTP client"),
                error("too many stop sequences", models("timeout: 500ms", "timeout: 500ms\n    stop: [a, b, c, d, e]"), M,
                        "models[local].stop", "stop takes at most 4 sequences"),
                error("retry attempts out of range", models("timeout: 500ms", "timeout: 500ms\n    retry-attempts: 0"), M,
                        "models[local].retry-attempts", "retry-attempts must be a whole number from 1 (no retry) to 20"),
                error("breaker cool-down not a duration", models("timeout: 500ms",
                        "timeout: 500ms\n    breaker-cool-down: soon"), M, "models[local].breaker-cool-down",
                        "breaker-cool-down must be a positive duration"),
                error("malformed models.yaml", models("models:\n", "models: [\n"), M, "", "malformed YAML"),
                error("malformed front matter", skill(SOLVE_MD, "description: solves things",
                        "description: [unclosed"), SOLVE_MD, "", "malformed YAML"),
                error("duplicate key", models("    max-concurrency: 2\n", "    max-concurrency: 2\n    max-concurrency: 3\n"),
                        M, "max-concurrency", "duplicate key 'max-concurrency'"),
                error("unknown top-level key", models("description: a test registry", "descriptoin: x"), M,
                        "descriptoin", "unknown key; did you mean 'description'?; valid: name, description, defaults, models"),
                error("models missing", put(M, "name: x\n"), M, "models", "required field 'models' is missing"),
                error("models not a list", put(M, "models: {id: x}\n"), M, "models", "models must be a list"),
                error("empty models.yaml", put(M, ""), M, "", "got an empty file"),
                error("no front matter", put(SOLVE_MD, "Solve {question}\n"), SOLVE_MD, "",
                        "SKILL.md must start with YAML front matter"),
                error("front matter not closed", put(SOLVE_MD, "---\nname: solve\nlevel: 1\n"), SOLVE_MD, "",
                        "front matter is not closed"),
                error("skill name differs from folder", skill(SOLVE_MD, "name: solve", "name: solver"), SOLVE_MD,
                        "name", "name 'solver' does not match its folder 'solve'"),
                error("skill folder without SKILL.md", put("skills/empty/notes.txt", "x"), "skills/empty", "",
                        "skill folder has no SKILL.md"),
                error("id with protocol delimiter", models("id: local", "id: 'loc@@al'"), M, "models[loc@@al].id",
                        "must not contain '@@', ':'"),
                error("child listed twice", skill(ROUTER_MD, "children: [leaf]", "children: [leaf, leaf]"), ROUTER_MD,
                        "children", "'leaf' is listed twice"),
                error("level-2 skill with children", skill(LEAF_MD, "parent: router", "parent: router\nchildren: [solve]"),
                        LEAF_MD, "children", "a level-2 skill cannot have children"),
                error("child declares another parent", files -> {
                    files.put("skills/r2/SKILL.md", ROUTER.replace("name: router", "name: r2"));
                    return files;
                }, "skills/r2/SKILL.md", "children", "child 'leaf' declares parent 'router', not 'r2'"),
                new Case("base-url on a non-openai backend", models("profile: {skill: 0.5}", "base-url: http://x/v1"),
                        Severity.WARNING, M, "models[sim-a].base-url", "base-url is ignored by the simulated backend"),
                new Case("plain file in skills/", put("skills/README.txt", "notes"), Severity.WARNING,
                        "skills/README.txt", "", "not a skill folder"),
                new Case("unknown front-matter key", skill(SOLVE_MD, "level: 1", "level: 1\nauthor: me"),
                        Severity.WARNING, SOLVE_MD, "author", "unknown key ignored"),
                new Case("template never shows the task", skill(SOLVE_MD, "Solve: {question}", "Solve it."),
                        Severity.WARNING, SOLVE_MD, "template", "uses neither {question} nor {input}"),
                new Case("model without a callable pair", models("modalities: [text]", "modalities: [text]\n    skills: [router]")
                        .andThen(models("    skills: [solve]\n", ""))::apply, Severity.WARNING, M, "models[local]",
                        "model has no callable pair"),
                error("defaults set id", models("timeout: 30s\n", "timeout: 30s\n  id: x\n"), M, "defaults.id",
                        "defaults cannot set id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void should_report_the_problem_in_a_broken_registry(Case c, @TempDir Path tmp) throws IOException {
        // given a valid registry with one edit
        Map<String, String> files = new LinkedHashMap<>(Map.of(M, MODELS, SOLVE_MD, SOLVE, ROUTER_MD, ROUTER,
                LEAF_MD, LEAF));
        Path dir = RegistryLoaderTest.write(tmp.resolve("suite/reg"), c.edit().apply(files));
        RegistryLoader.Reader reader = RegistryLoader.builder().env(RegistryLoaderTest.ENV).build();

        // when
        List<RegistryProblem> problems = reader.check(dir);

        // then
        assertThat(problems).as("problems of '%s'", c.name()).anySatisfy(p -> {
            assertThat(p.severity()).isEqualTo(c.severity());
            assertThat(p.file()).isEqualTo(c.file());
            assertThat(p.field()).isEqualTo(c.field());
            assertThat(p.message()).contains(c.message());
        });
        if (c.severity() == Severity.ERROR) {
            assertThatThrownBy(() -> reader.load(dir)).isInstanceOf(RegistryException.class)
                    .satisfies(e -> assertThat(((RegistryException) e).problems()).containsAll(problems));
        } else {
            assertThat(problems).noneMatch(RegistryProblem::isError);
            assertThat(reader.load(dir).models()).isNotEmpty();
        }
    }

    @Test
    void should_point_at_the_line_of_a_yaml_syntax_error(@TempDir Path tmp) throws IOException {
        Map<String, String> files = new LinkedHashMap<>(Map.of(M, MODELS, SOLVE_MD, SOLVE, ROUTER_MD, ROUTER,
                LEAF_MD, LEAF));
        files.put(SOLVE_MD, SOLVE.replace("description: solves things", "description: [unclosed"));
        files.put(M, MODELS.replace("    max-concurrency: 2", "    max-concurrency: 2\n   bad indent: [x"));
        Path dir = RegistryLoaderTest.write(tmp.resolve("suite/reg"), files);

        List<RegistryProblem> problems = RegistryLoader.builder().env(RegistryLoaderTest.ENV).build().check(dir);

        assertThat(problems).filteredOn(p -> p.message().startsWith("malformed YAML"))
                .extracting(RegistryProblem::location)
                .containsExactly("models.yaml:12", "skills/solve/SKILL.md:4");
        assertThat(Files.exists(dir)).isTrue();
    }
}
