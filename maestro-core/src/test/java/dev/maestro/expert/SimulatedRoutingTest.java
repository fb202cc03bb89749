package dev.maestro.expert;

import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.SimulatedSuite;
import dev.maestro.task.SimSuiteTasks;
import dev.maestro.task.Task;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A level-2 skill reached through its router draws the router's simulated outcome (with its own probability). */
class SimulatedRoutingTest {
    static final List<Task> SUITE = SimSuiteTasks.parse(SimulatedSuite.render(11, 120));

    static SkillCard child(String name, String parent) {
        return new SkillCard(name, 2, name, Optional.of(parent), List.of(), List.of(), Set.of(Modality.TEXT, Modality.IMAGE),
                "Read: {question}", Optional.empty());
    }

    @Test
    void should_give_a_routed_child_without_own_profile_terms_the_routers_outcome() {
        // given a profile with terms for the router only, so the child inherits its probability
        ModelCard model = SimulatedExpertTest.card("m", 5, Map.of("default", 0.0, "skills", Map.of("ocr-router", 0.4)));
        SimulatedExpert expert = SimulatedExpert.create(model);
        SkillCard router = SimulatedExpertTest.skill("ocr-router");
        SkillCard child = child("scene-text", "ocr-router");

        // when the same tasks are asked through the router and through its child (different prompts)
        List<Optional<String>> viaRouter = SUITE.stream().map(t -> expert.call(new ExpertRequest(t, model, router,
                "Router prompt: " + t.question(), List.of(), ExpertRequest.Sampling.DEFAULT)).answer()).toList();
        List<Optional<String>> viaChild = SUITE.stream().map(t -> expert.call(new ExpertRequest(t, model, child,
                "Child prompt with OCR hint: " + t.question(), List.of(), ExpertRequest.Sampling.DEFAULT)).answer()).toList();

        // then the answers are the same, task by task
        assertThat(viaChild).isEqualTo(viaRouter);
    }

    @Test
    void should_still_let_a_child_with_its_own_terms_differ_from_its_router() {
        // given a child that is much stronger than its router
        ModelCard model = SimulatedExpertTest.card("m", 5, Map.of("default", -2.0, "skills", Map.of("scene-text", 4.0)));
        SimulatedExpert expert = SimulatedExpert.create(model);
        SkillCard router = SimulatedExpertTest.skill("ocr-router");
        SkillCard child = child("scene-text", "ocr-router");

        // when
        long routerRight = SUITE.stream().filter(t -> SimulatedExpertTest.correct(expert.call(
                SimulatedExpertTest.request(t, model, router)), t)).count();
        long childRight = SUITE.stream().filter(t -> SimulatedExpertTest.correct(expert.call(
                SimulatedExpertTest.request(t, model, child)), t)).count();

        // then
        assertThat(childRight).isGreaterThan(routerRight + SUITE.size() / 3);
    }
}
