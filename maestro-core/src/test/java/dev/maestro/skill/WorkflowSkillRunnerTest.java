package dev.maestro.skill;

import dev.maestro.MaestroException;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.expert.Usage;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.registry.SkillWorkflow;
import dev.maestro.registry.SkillWorkflow.Step;
import dev.maestro.skill.tool.Tool;
import dev.maestro.skill.tool.ToolInput;
import dev.maestro.skill.tool.ToolResult;
import dev.maestro.skill.tool.Tools;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkflowSkillRunnerTest {
    static final Path IMG = Path.of("task.png");
    static final Task TASK = new Task("t1", "inline", "How many dots? Formulae aside.", List.of(), List.of("4"), AnswerType.NUMBER,
            "counting", List.of(IMG), Map.of(), Map.of(), Map.of());
    static final ModelCard MODEL = ModelCard.builder("m", Backend.SIMULATED).description("d")
            .modalities(Set.of(Modality.TEXT, Modality.IMAGE)).build();

    /** A tool that records its inputs, takes 5 ms, and returns a fixed text/answer and optionally an image. */
    record FakeTool(String name, String text, Optional<String> answer, List<Path> out, List<String> log) implements Tool {
        @Override public String description() { return "fake " + name; }
        @Override
        public ToolResult run(ToolInput in) {
            log.add(name + " images=" + in.images() + " arg=" + in.argument());
            return new ToolResult(Optional.of(text), answer, out, 5.0, Optional.empty());
        }
    }

    final List<String> log = new CopyOnWriteArrayList<>();
    final List<ExpertRequest> requests = new ArrayList<>();
    final Expert expert = req -> {
        requests.add(req);
        log.add("model");
        return new ExpertReply(Optional.of("I count them. Final answer: 4"), Optional.empty(), Optional.empty(),
                new Usage(100, 20), 0.25, 40.0, Optional.empty(), false);
    };
    final Tools tools = Tools.of(List.of(
            new FakeTool("zoom", "box 0,0 -> 2x", Optional.empty(), List.of(Path.of("zoomed.png")), log),
            new FakeTool("ocr", "HELLO WORLD", Optional.empty(), List.of(), log),
            new FakeTool("count", "7 hills", Optional.of("7"), List.of(), log)));

    static SkillCard skill(String name, String template, List<String> tools, SkillWorkflow w) {
        return new SkillCard(name, 1, "d", Optional.empty(), List.of(), tools, Set.of(Modality.TEXT, Modality.IMAGE),
                template, Optional.empty(), w);
    }

    static SkillWorkflow steps(Step... s) {
        return new SkillWorkflow(List.of(s), List.of(), Optional.empty(), Optional.empty(), false);
    }

    WorkflowSkillRunner runner() {
        return WorkflowSkillRunner.builder().tools(tools).build();
    }

    @Test
    void should_run_tools_in_order_feed_their_outputs_and_images_to_the_model_and_account_tool_time() {
        // given zoom -> ocr -> model
        SkillCard s = skill("read", "OCR says: {tool:ocr}\nQ: {question}", List.of("zoom", "ocr"),
                steps(Step.tool("zoom", "{input}"), Step.tool("ocr", ""), Step.model()));

        // when
        ExpertReply r = runner().run(TASK, MODEL, s, "0,0,10,10", expert);

        // then the tools ran in order, ocr saw the zoomed image, and the model got the OCR text and the zoomed image
        assertThat(log).containsExactly("zoom images=[task.png] arg=0,0,10,10", "ocr images=[zoomed.png] arg=", "model");
        assertThat(requests).singleElement().satisfies(q -> {
            assertThat(q.prompt()).isEqualTo("OCR says: HELLO WORLD\nQ: How many dots? Formulae aside.");
            assertThat(q.images()).containsExactly(Path.of("zoomed.png"));
        });
        // and the reply shows every step, times tools + model, and costs the model only
        assertThat(r.text().orElseThrow()).contains("[zoom] box 0,0 -> 2x\n[ocr] HELLO WORLD\n[model] I count them. Final answer: 4");
        assertThat(r.answer()).contains("4");
        assertThat(r.latencyMs()).isEqualTo(50.0);
        assertThat(r.costUsd()).isEqualTo(0.25);
        assertThat(r.usage()).isEqualTo(new Usage(100, 20));
    }

    @Test
    void should_answer_with_the_tools_answer_and_call_no_model_for_a_tool_only_skill() {
        // given
        SkillCard s = skill("counter", "", List.of("count"), steps(Step.tool("count", "{question}"), Step.answerFromTool("count")));
        Expert refusing = req -> {
            throw new AssertionError("a tool-only skill must not call the model");
        };

        // when
        ExpertReply r = runner().run(TASK, MODEL, s, "", refusing);

        // then
        assertThat(r.ok()).isTrue();
        assertThat(r.answer()).contains("7");
        assertThat(r.text().orElseThrow()).contains("[count] 7 hills");
        assertThat(r.costUsd()).isZero();
        assertThat(r.latencyMs()).isEqualTo(5.0);
        assertThat(r.recordedCorrect()).isEmpty();
        assertThat(log).containsExactly("count images=[task.png] arg=How many dots? Formulae aside.");
    }

    @Test
    void should_skip_image_tools_on_a_task_without_images() {
        // given a text-only task
        Task text = Task.text("t2", "What is 2+2?", "4", "math");
        SkillCard s = skill("read", "{question} {tool:ocr}", List.of("ocr"), steps(Step.tool("ocr", ""), Step.model()));

        // when
        ExpertReply r = runner().run(text, MODEL, s, "", expert);

        // then the tool did not run and cost no time; the model still answered
        assertThat(log).containsExactly("model");
        assertThat(r.text().orElseThrow()).startsWith("[ocr] skipped: the task has no image");
        assertThat(r.latencyMs()).isEqualTo(40.0);
        assertThat(requests.get(0).prompt()).isEqualTo("What is 2+2?");
    }

    @Test
    void should_fail_a_tool_answer_when_the_tool_failed() {
        // given a failing tool
        Tool broken = new Tool() {
            @Override public String name() { return "count"; }
            @Override public String description() { return "broken"; }
            @Override public ToolResult run(ToolInput in) { return ToolResult.failure("cannot read image task.png", 1); }
        };
        SkillCard s = skill("counter", "", List.of("count"), steps(Step.tool("count", ""), Step.answerFromTool("count")));

        // when
        ExpertReply r = WorkflowSkillRunner.builder().tools(Tools.of(List.of(broken))).build().run(TASK, MODEL, s, "", expert);

        // then
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).map(ExpertError::kind).contains(ExpertError.Kind.TOOL);
        assertThat(r.error().orElseThrow().message()).isEqualTo("count: cannot read image task.png");
        assertThat(r.text().orElseThrow()).contains("[count] tool error: cannot read image task.png");
    }

    @Test
    void should_behave_exactly_like_the_prompt_runner_for_a_skill_without_steps() {
        // given a plain skill
        SkillCard s = SkillCard.simple("direct", "d", "Q: {question} ({input})");
        List<ExpertRequest> viaPrompt = new ArrayList<>();
        Expert e2 = req -> {
            viaPrompt.add(req);
            return expert.call(req);
        };

        // when
        ExpertReply a = runner().run(TASK, MODEL, s, "look closely", expert);
        ExpertReply b = PromptSkillRunner.create().run(TASK, MODEL, s, "look closely", e2);

        // then same request, same reply
        assertThat(a).isEqualTo(b);
        assertThat(requests.get(0)).isEqualTo(viaPrompt.get(0));
    }

    @Test
    void should_route_by_the_first_matching_rule_else_the_default_and_run_the_child() {
        // given a router with two rules and a default
        SkillCard router = new SkillCard("router", 1, "d", Optional.empty(), List.of("formula", "plain", "counting"), List.of(),
                Set.of(Modality.TEXT, Modality.IMAGE), "", Optional.empty(), new SkillWorkflow(List.of(),
                List.of(SkillWorkflow.RouteRule.ifQuestionMatches("(?i)\\bformula\\b", "formula"),
                        SkillWorkflow.RouteRule.ifInputMatches("count", "counting")),
                Optional.of("plain"), Optional.empty(), false));
        SkillCard formula = child("formula", "FORMULA {question}");
        SkillCard plain = child("plain", "PLAIN {question}");
        SkillCard counting = child("counting", "COUNT {input}");
        Registry reg = Registry.of("r", List.of(MODEL), List.of(router, formula, plain, counting));
        WorkflowSkillRunner w = WorkflowSkillRunner.builder().tools(tools).registry(reg).build();

        // when
        ExpertReply r1 = w.run(TASK, MODEL, router, "please count", expert);
        ExpertReply r2 = w.run(TASK, MODEL, router, "read it", expert);
        Task formulaTask = Task.text("t3", "Transcribe the formula.", "x", "ocr");
        ExpertReply r3 = w.run(formulaTask, MODEL, router, "please count", expert);

        // then (the word "Formulae aside" does not match \bformula\b, so TASK never goes to formula)
        assertThat(requests).extracting(q -> q.skill().name()).containsExactly("counting", "plain", "formula");
        assertThat(requests).extracting(ExpertRequest::prompt).containsExactly("COUNT please count",
                "PLAIN How many dots? Formulae aside.", "FORMULA Transcribe the formula.");
        assertThat(r1.text()).hasValueSatisfying(t -> assertThat(t).startsWith(
                "[route] router -> counting (rule 2: input matches /count/)\nI count them."));
        assertThat(r2.text()).hasValueSatisfying(t -> assertThat(t).startsWith("[route] router -> plain (default)"));
        assertThat(r3.answer()).contains("4");
    }

    static SkillCard child(String name, String template) {
        return new SkillCard(name, 2, "d", Optional.of("router"), List.of(), List.of(), Set.of(Modality.TEXT, Modality.IMAGE),
                template, Optional.empty());
    }

    @Test
    void should_fail_a_routed_call_clearly_when_the_runner_has_no_registry() {
        SkillCard router = new SkillCard("router", 1, "d", Optional.empty(), List.of("plain"), List.of(),
                Set.of(Modality.TEXT), "", Optional.empty(),
                new SkillWorkflow(List.of(), List.of(), Optional.of("plain"), Optional.empty(), false));

        ExpertReply r = runner().run(TASK, MODEL, router, "", expert);

        assertThat(r.error()).map(ExpertError::message).hasValueSatisfying(m -> assertThat(m)
                .contains("chose 'plain'").contains("WorkflowSkillRunner.forRegistry"));
    }

    @Test
    void should_name_the_valid_tools_when_a_registry_uses_an_unknown_one() {
        // given a skill whose step names a tool the runtime lacks
        SkillCard s = skill("read", "{question}", List.of("magnify"), steps(Step.tool("magnify", ""), Step.model()));
        Registry reg = Registry.of("r", List.of(MODEL), List.of(s));

        // when / then
        assertThatThrownBy(() -> runner().validate(reg)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("skill 'read': step 'tool: magnify' names unknown tool 'magnify'; valid tools: zoom, ocr, count");
        assertThat(runner().run(TASK, MODEL, s, "", expert).error()).map(ExpertError::message)
                .hasValueSatisfying(m -> assertThat(m).contains("unknown tool 'magnify'; valid tools: zoom, ocr, count"));
    }

    @Test
    void should_run_a_java_implementation_found_by_service_loader() {
        // given the shipped calculator-solver (META-INF/services)
        WorkflowSkillRunner w = WorkflowSkillRunner.forRegistry(Registry.of("r", List.of(MODEL), List.of()));
        SkillCard s = skill("calc", "", List.of(), new SkillWorkflow(List.of(), List.of(), Optional.empty(),
                Optional.of("calculator-solver"), false));
        Task t = Task.text("c1", "What is 12 * (3 + 4) - 2^3?", "76", "math");

        // when
        ExpertReply r = w.run(t, MODEL, s, "", req -> {
            throw new AssertionError("no model call when the calculator answers");
        });

        // then
        assertThat(w.implementationNames()).contains("calculator-solver");
        assertThat(r.answer()).contains("76");
        assertThat(r.text().orElseThrow()).contains("[calculator] 12 * (3 + 4) - 2^3 = 76");
        assertThat(r.costUsd()).isZero();
    }

    @Test
    void should_report_an_unknown_implementation_with_the_available_names() {
        SkillCard s = skill("calc", "", List.of(), new SkillWorkflow(List.of(), List.of(), Optional.empty(),
                Optional.of("abacus"), false));
        WorkflowSkillRunner w = runner();

        assertThat(w.problems(Registry.of("r", List.of(MODEL), List.of(s)))).singleElement().asString()
                .contains("implementation 'java:abacus' is not on the class path; available: calculator-solver");
        assertThat(w.run(TASK, MODEL, s, "", expert).error()).map(ExpertError::kind).contains(ExpertError.Kind.INVALID_REQUEST);
    }

    @Test
    void should_turn_an_implementation_exception_into_a_failed_reply() {
        SkillImplementation boom = new SkillImplementation() {
            @Override public String name() { return "boom"; }
            @Override public ExpertReply run(SkillContext ctx) { throw new IllegalStateException("bug"); }
        };
        SkillCard s = skill("b", "", List.of(), new SkillWorkflow(List.of(), List.of(), Optional.empty(), Optional.of("boom"), false));

        ExpertReply r = WorkflowSkillRunner.builder().serviceLoader(false).implementation(boom).build().run(TASK, MODEL, s, "", expert);

        assertThat(r.error()).map(ExpertError::message).contains("implementation 'java:boom' failed: IllegalStateException: bug");
    }

    @Test
    void should_remember_tool_results_for_the_same_images_and_argument_unless_told_not_to() {
        // given a tool-only skill called twice on the same task
        SkillCard s = skill("counter", "", List.of("count"), steps(Step.tool("count", "{input}"), Step.answerFromTool("count")));
        WorkflowSkillRunner memo = runner();
        WorkflowSkillRunner fresh = WorkflowSkillRunner.builder().tools(tools).memoizeTools(0).build();

        // when
        ExpertReply a = memo.run(TASK, MODEL, s, "x", expert);
        ExpertReply b = memo.run(TASK, MODEL, s, "x", expert);
        memo.run(TASK, MODEL, s, "other argument", expert);
        int memoRuns = log.size();
        fresh.run(TASK, MODEL, s, "x", expert);
        fresh.run(TASK, MODEL, s, "x", expert);

        // then the remembered result is identical (time included), and only a new argument reruns the tool
        assertThat(b).isEqualTo(a);
        assertThat(memoRuns).isEqualTo(2);
        assertThat(log).hasSize(4);
    }
}
