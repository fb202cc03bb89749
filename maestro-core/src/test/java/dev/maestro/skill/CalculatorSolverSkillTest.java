package dev.maestro.skill;

import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.expert.Usage;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.registry.SkillWorkflow;
import dev.maestro.skill.tool.Tools;
import dev.maestro.task.Task;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CalculatorSolverSkillTest {
    static final ModelCard MODEL = ModelCard.builder("m", Backend.SIMULATED).description("d")
            .modalities(Set.of(Modality.TEXT)).build();
    static final SkillCard SKILL = new SkillCard("calc", 1, "d", Optional.empty(), List.of(), List.of(), Set.of(Modality.TEXT),
            "Solve: {question}", Optional.empty(),
            new SkillWorkflow(List.of(), List.of(), Optional.empty(), Optional.of("calculator-solver"), false));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "What is 12 * (3 + 4)?|12 * (3 + 4)",
            "Compute 7.5/2.5 please.|7.5/2.5",
            "How much is 6 × 7 and then?|6 * 7",
            "Evaluate (2 + 3) * 4 - 1.|(2 + 3) * 4 - 1",
            "In 2024 there were 3 cats and 4 dogs plus 10 - 2 birds.|10 - 2"})
    void should_find_the_longest_arithmetic_expression(String question, String expected) {
        assertThat(CalculatorSolverSkill.findExpression(question)).contains(expected);
    }

    @Test
    void should_find_nothing_in_a_question_without_arithmetic() {
        assertThat(CalculatorSolverSkill.findExpression("How many circles are there in 2024?")).isEmpty();
    }

    @Test
    void should_answer_with_the_calculator_and_no_model_call() {
        SkillContext ctx = new SkillContext(Task.text("a", "What is 2^10 - 1?", "1023", "math"), MODEL, SKILL, "",
                req -> {
                    throw new AssertionError("no model call expected");
                }, Tools.defaults(), ExpertRequest.Sampling.DEFAULT);

        ExpertReply r = new CalculatorSolverSkill().run(ctx);

        assertThat(r.answer()).contains("1023");
        assertThat(r.text().orElseThrow()).contains("[calculator] 2^10 - 1 = 1023");
    }

    @Test
    void should_fall_back_to_the_model_when_there_is_nothing_to_calculate() {
        SkillContext ctx = new SkillContext(Task.text("b", "Which planet is largest?", "Jupiter", "science"), MODEL, SKILL, "",
                req -> ExpertReply.text("The answer is Jupiter.", new Usage(10, 5), 0.01, 30),
                Tools.defaults(), ExpertRequest.Sampling.DEFAULT);

        ExpertReply r = new CalculatorSolverSkill().run(ctx);

        assertThat(r.text().orElseThrow()).contains("[calculator] no arithmetic expression found in the question\n[model] The answer is Jupiter.");
        assertThat(r.costUsd()).isEqualTo(0.01);
        assertThat(r.answer()).isPresent();
    }
}
