package dev.maestro.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The executable front matter of SKILL.md: steps, route, implementation, expose-children. */
class SkillWorkflowLoaderTest {
    static final String MODELS = """
            name: wf
            models:
              - id: m
                backend: simulated
                description: a simulated model
                modalities: [text, image]
              - id: tools
                backend: none
                description: deterministic program, no model
                skills: [counter]
            """;

    static final String ROUTER = """
            ---
            name: router
            level: 1
            description: routes reading questions
            children: [plain, formula]
            route:
              - if-question-matches: "(?i)formula|equation"
                skill: formula
              - if-input-matches: "latex"
                skill: formula
              - default: plain
            ---
            """;

    static final String PLAIN = """
            ---
            name: plain
            level: 2
            parent: router
            description: reads text
            tools: [zoom, ocr]
            steps:
              - tool: zoom
                argument: "{input}"
              - tool: ocr
              - model: true
            ---
            OCR: {tool:ocr}
            Question: {question}
            """;

    static final String FORMULA = """
            ---
            name: formula
            level: 2
            parent: router
            description: reads formulas
            ---
            Transcribe: {question}
            """;

    static final String COUNTER = """
            ---
            name: counter
            level: 1
            description: counts circles
            tools: [count-circles]
            steps:
              - tool: count-circles
              - answer: tool:count-circles
            ---
            """;

    static final String CALC = """
            ---
            name: calc
            level: 1
            description: arithmetic
            implementation: java:calculator-solver
            ---
            {question}
            """;

    static Path write(Path dir, Map<String, String> skills) throws IOException {
        Files.writeString(dir.resolve("models.yaml"), MODELS);
        for (Map.Entry<String, String> e : skills.entrySet()) {
            Path d = dir.resolve("skills").resolve(e.getKey());
            Files.createDirectories(d);
            Files.writeString(d.resolve("SKILL.md"), e.getValue());
        }
        return dir;
    }

    static Map<String, String> valid() {
        return new LinkedHashMap<>(Map.of("router", ROUTER, "plain", PLAIN, "formula", FORMULA,
                "counter", COUNTER, "calc", CALC));
    }

    @Test
    void should_read_steps_route_and_implementation_from_front_matter(@TempDir Path dir) throws IOException {
        // given a registry using every workflow key
        Registry r = RegistryLoader.load(write(dir, valid()));

        // then the workflows are parsed in order
        SkillWorkflow plain = r.skill("plain").orElseThrow().workflow();
        assertThat(plain.steps()).extracting(SkillWorkflow.Step::kind, SkillWorkflow.Step::target, SkillWorkflow.Step::argument)
                .containsExactly(
                        Tuple.tuple(SkillWorkflow.Kind.TOOL, "zoom", "{input}"),
                        Tuple.tuple(SkillWorkflow.Kind.TOOL, "ocr", ""),
                        Tuple.tuple(SkillWorkflow.Kind.MODEL, "model", ""));
        SkillWorkflow router = r.skill("router").orElseThrow().workflow();
        assertThat(router.route()).extracting(SkillWorkflow.RouteRule::field, SkillWorkflow.RouteRule::skill)
                .containsExactly(Tuple.tuple("question", "formula"),
                        Tuple.tuple("input", "formula"));
        assertThat(router.routeDefault()).contains("plain");
        assertThat(r.skill("counter").orElseThrow().workflow().steps()).last()
                .isEqualTo(new SkillWorkflow.Step(SkillWorkflow.Kind.ANSWER, "count-circles", "", 8));
        assertThat(r.skill("calc").orElseThrow().workflow().implementation()).contains("calculator-solver");
        assertThat(r.skill("formula").orElseThrow().workflow().isPlain()).isTrue();
        // and level-2 children are not pairs without expose-children
        assertThat(r.pairs()).extracting(Pair::id).containsExactlyInAnyOrder("m@@router", "m@@counter", "m@@calc",
                "tools@@counter");
    }

    @Test
    void should_pair_the_routers_models_with_its_children_when_expose_children_is_true(@TempDir Path dir) throws IOException {
        // given the router exposes its children
        Map<String, String> skills = valid();
        skills.put("router", ROUTER.replace("children: [plain, formula]", "children: [plain, formula]\nexpose-children: true"));

        // when
        Registry r = RegistryLoader.load(write(dir, skills));

        // then the children become callable pairs of the router's model, right after the router
        assertThat(r.pairs()).extracting(Pair::id).containsSubsequence("m@@router", "m@@plain", "m@@formula");
        assertThat(r.pairs()).extracting(Pair::id).doesNotContain("tools@@plain");
        assertThat(r.skill("router").orElseThrow().workflow().exposeChildren()).isTrue();
    }

    @Test
    void should_check_step_tools_against_the_runtime_tools_when_known(@TempDir Path dir) throws IOException {
        // given a step tool declared in tools: but not provided by the runtime
        Map<String, String> skills = valid();
        skills.put("plain", PLAIN.replace("tools: [zoom, ocr]", "tools: [zoom, ocr, magnify]")
                .replace("  - tool: ocr\n", "  - tool: ocr\n  - tool: magnify\n"));
        write(dir, skills);

        // when / then
        List<RegistryProblem> problems = RegistryLoader.builder().knownTools(Set.of("zoom", "ocr", "count-circles"))
                .build().check(dir);
        assertThat(problems).filteredOn(RegistryProblem::isError).extracting(RegistryProblem::message)
                .anySatisfy(m -> assertThat(m).contains("unknown tool 'magnify'; valid: count-circles, ocr, zoom"));
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("plain", PLAIN.replace("tools: [zoom, ocr]", "tools: [zoom]").replace("OCR: {tool:ocr}\n", ""),
                        "steps[1].tool", "step tool 'ocr' is not declared in tools: [zoom] (add it to 'tools:')"),
                Arguments.of("counter", COUNTER.replace("answer: tool:count-circles", "answer: tool:ocr"),
                        "steps[1].answer", "answer must be 'model' or 'tool:NAME' for a tool run in an earlier step; "
                                + "tools run so far: [count-circles], got 'tool:ocr'"),
                Arguments.of("counter", COUNTER.replace("  - answer: tool:count-circles\n", ""),
                        "steps", "the steps never produce an answer"),
                Arguments.of("counter", COUNTER.replace("  - tool: count-circles\n", "  - tool: count-circles\n    model: true\n"),
                        "steps[0]", "a step does exactly one thing"),
                Arguments.of("counter", COUNTER.replace("  - tool: count-circles\n", "  - tool: count-circles\n    argumnet: x\n"),
                        "steps[0].argumnet", "unknown step key 'argumnet'; valid: tool, argument, arguments, model, answer"),
                Arguments.of("plain", PLAIN.replace("argument: \"{input}\"", "argument: \"{tool:ocr}\""),
                        "steps[0].argument", "unknown placeholder {tool:ocr} in a step argument"),
                Arguments.of("plain", PLAIN.replace("  - model: true\n", "  - model: true\n  - model: true\n"),
                        "steps[3]", "only one model step is allowed"),
                Arguments.of("plain", PLAIN.replace("  - model: true\n", "  - model: yes please\n"),
                        "steps[2].model", "write 'model: true'"),
                Arguments.of("router", ROUTER.replace("  - default: plain\n", ""),
                        "route", "route needs a final '- default: CHILD' rule"),
                Arguments.of("router", ROUTER.replace("skill: formula\n  - if-input", "skill: ghost\n  - if-input"),
                        "route[0].skill", "'ghost' is not one of this router's children: [plain, formula]"),
                Arguments.of("router", ROUTER.replace("(?i)formula|equation", "(unclosed"),
                        "route[0].if-question-matches", "not a valid Java regular expression"),
                Arguments.of("router", ROUTER.replace("  - default: plain\n", "  - default: plain\n  - default: formula\n"),
                        "route[3]", "'default' must be the last rule"),
                Arguments.of("formula", FORMULA.replace("parent: router\n", "parent: router\nroute:\n  - default: plain\n"),
                        "route", "route needs a level-1 router with children"),
                Arguments.of("counter", COUNTER.replace("tools: [count-circles]", "tools: [count-circles]\nexpose-children: true"),
                        "expose-children", "expose-children needs a level-1 router with children"),
                Arguments.of("calc", CALC.replace("java:calculator-solver", "calculator-solver"),
                        "implementation", "implementation must be 'java:NAME'"));
    }

    @ParameterizedTest(name = "{2}: {3}")
    @MethodSource("broken")
    void should_refuse_a_malformed_workflow_with_a_message_naming_the_field(String skill, String content, String field,
                                                                          String message, @TempDir Path dir) throws IOException {
        // given one broken skill
        Map<String, String> skills = valid();
        skills.put(skill, content);
        write(dir, skills);

        // when
        List<RegistryProblem> problems = RegistryLoader.check(dir);

        // then the problem names the file, the field and what would be valid
        assertThat(problems).filteredOn(RegistryProblem::isError)
                .anySatisfy(p -> {
                    assertThat(p.file()).isEqualTo("skills/" + skill + "/SKILL.md");
                    assertThat(p.field()).isEqualTo(field);
                    assertThat(p.message()).contains(message);
                    assertThat(p.line()).isPositive();
                });
        assertThatThrownBy(() -> RegistryLoader.load(dir)).isInstanceOf(RegistryException.class);
    }

    @Test
    void should_keep_the_old_skill_card_constructor_without_a_workflow() {
        SkillCard c = new SkillCard("s", 1, "d", Optional.empty(), List.of(), List.of(), Set.of(Modality.TEXT), "{question}",
                Optional.empty());

        assertThat(c.workflow()).isEqualTo(SkillWorkflow.NONE);
        assertThat(c.workflow().isPlain()).isTrue();
    }
}
