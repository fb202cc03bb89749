package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerType;
import dev.maestro.task.SimSuiteTasks;
import dev.maestro.task.SimulatedSuite;
import dev.maestro.task.Task;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SimulatedExpertTest {
    private static final List<Task> SUITE = SimSuiteTasks.parse(SimulatedSuite.render(11, 120));
    private static final Pattern FINAL = Pattern.compile("The answer is (.+)\\.$");

    static ModelCard card(String id, long seed, Map<String, Object> profile) {
        return ModelCard.builder(id, Backend.SIMULATED)
                .modalities(Set.of(Modality.TEXT, Modality.IMAGE))
                .price(new Price(0.1, 0.4))
                .settings(Map.of("profile", profile, "seed", seed, "mean-output-tokens", 300, "latency-ms", 2000))
                .build();
    }

    static Map<String, Object> profile() {
        return Map.of("default", 0.2,
                "skills", Map.of("chart-solver", 0.3),
                "groups", Map.of("chart", 1.0, "medical", -0.7),
                "pairs", Map.of("chart-solver/chart", 0.8));
    }

    static SkillCard skill(String name) {
        return SkillCard.simple(name, name + " skill", "{question}");
    }

    static ExpertRequest request(Task task, ModelCard model, SkillCard skill) {
        return new ExpertRequest(task, model, skill, "Solve: " + task.question(), List.of(), ExpertRequest.Sampling.DEFAULT);
    }

    static boolean correct(ExpertReply r, Task t) {
        return r.answer().orElseThrow().equals(t.answers().get(0));
    }

    @Test
    void should_give_the_same_reply_for_the_same_call() {
        // given two independently created experts with the same card
        ModelCard model = card("m", 42, profile());
        SimulatedExpert a = SimulatedExpert.create(model);
        SimulatedExpert b = SimulatedExpert.create(model);
        SkillCard skill = skill("chart-solver");

        // when every task is asked twice, in opposite orders
        List<ExpertReply> first = SUITE.stream().map(t -> a.call(request(t, model, skill))).toList();
        List<ExpertReply> second = new ArrayList<>();
        for (int i = SUITE.size() - 1; i >= 0; i--) {
            second.add(0, b.call(request(SUITE.get(i), model, skill)));
        }

        // then the replies are identical, field by field
        assertThat(second).isEqualTo(first);
    }

    @Test
    void should_change_outcomes_when_the_seed_changes() {
        // given the same profile under two seeds
        ModelCard m1 = card("m", 1, profile());
        ModelCard m2 = card("m", 2, profile());
        SkillCard skill = skill("chart-solver");

        // when both answer the suite
        int differ = 0;
        for (Task t : SUITE) {
            boolean c1 = correct(SimulatedExpert.create(m1).call(request(t, m1, skill)), t);
            boolean c2 = correct(SimulatedExpert.create(m2).call(request(t, m2, skill)), t);
            differ += c1 != c2 ? 1 : 0;
        }

        // then a good share of outcomes differ (independent draws with p in (0.2, 0.9) differ ~30-40% of the time)
        assertThat(differ).isGreaterThan(SUITE.size() / 5);
    }

    @Test
    void should_keep_the_outcome_when_only_the_prompt_changes_but_vary_the_wording_noise() {
        ModelCard model = card("m", 3, profile());
        SimulatedExpert expert = SimulatedExpert.create(model);
        SkillCard skill = skill("chart-solver");
        int tokenDiffs = 0;
        for (Task t : SUITE.subList(0, 200)) {
            ExpertReply a = expert.call(new ExpertRequest(t, model, skill, "Q: " + t.question(), List.of(), ExpertRequest.Sampling.DEFAULT));
            ExpertReply b = expert.call(new ExpertRequest(t, model, skill, "Please answer. " + t.question(), List.of(), ExpertRequest.Sampling.DEFAULT));
            assertThat(b.answer()).isEqualTo(a.answer());
            tokenDiffs += a.usage().outputTokens() != b.usage().outputTokens() ? 1 : 0;
        }
        assertThat(tokenDiffs).isGreaterThan(150);
    }

    @Test
    void should_match_the_sigmoid_of_ability_minus_difficulty_on_average() {
        // given a larger suite and three pairs of different strength
        List<Task> tasks = SimSuiteTasks.parse(SimulatedSuite.render(5, 600));
        ModelCard model = card("calib", 9, profile());
        SimulatedExpert expert = SimulatedExpert.create(model);
        for (String s : List.of("chart-solver", "medical-solver", "science-solver")) {
            SkillCard skill = skill(s);
            for (String group : List.of("chart", "medical", "science")) {
                List<Task> inGroup = tasks.stream().filter(t -> t.group().equals(group)).toList();
                // when each task is answered once
                double expected = inGroup.stream().mapToDouble(t -> expert.probabilityCorrect(t, skill)).average().orElseThrow();
                double empirical = inGroup.stream().filter(t -> correct(expert.call(request(t, model, skill)), t)).count()
                        / (double) inGroup.size();
                // then accuracy is within 4 standard errors of the mean probability
                double se = Math.sqrt(expected * (1 - expected) / inGroup.size());
                assertThat(empirical).as("%s on %s", s, group).isCloseTo(expected, within(4 * se));
            }
        }
    }

    @Test
    void should_compute_ability_from_the_additive_profile_with_parent_fallback() {
        SimulatedProfile p = SimulatedProfile.parse("test", Map.of("default", -1.0,
                "skills", Map.of("ocr-router", 0.5, "scene-text", 0.1),
                "groups", Map.of("ocr", 1.5),
                "pairs", Map.of("ocr-router/ocr", 0.7)));
        assertThat(p.ability("ocr-router", Optional.empty(), "ocr")).isCloseTo(-1.0 + 0.5 + 1.5 + 0.7, within(1e-12));
        // a level-2 child without its own terms inherits the router's skill and pair terms
        assertThat(p.ability("text-recognition", Optional.of("ocr-router"), "ocr")).isCloseTo(1.7, within(1e-12));
        // its own skill term overrides the parent's; the pair term is still inherited
        assertThat(p.ability("scene-text", Optional.of("ocr-router"), "ocr")).isCloseTo(-1.0 + 0.1 + 1.5 + 0.7, within(1e-12));
        assertThat(p.ability("chart-solver", Optional.empty(), "medical")).isCloseTo(-1.0, within(1e-12));
        assertThat(p.probabilityCorrect("ocr-router", Optional.empty(), "ocr", 1.7)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void should_give_plausible_wrong_answers_of_the_right_type() {
        // given a hopeless model, so nearly every draw is wrong
        ModelCard model = card("weak", 5, Map.of("default", -12.0));
        SimulatedExpert expert = SimulatedExpert.create(model);
        SkillCard skill = skill("chart-solver");
        Map<AnswerType, Integer> seen = new HashMap<>();
        for (Task t : SUITE) {
            ExpertReply r = expert.call(request(t, model, skill));
            String gold = t.answers().get(0);
            String a = r.answer().orElseThrow();
            // then the answer is never the gold and has the gold's shape
            assertThat(a).as(t.id()).isNotEqualToIgnoringCase(gold);
            switch (t.answerType()) {
                case CHOICE -> {
                    assertThat(a).matches("[A-Z]");
                    assertThat(a.charAt(0) - 'A').isLessThan(t.options().size());
                }
                case NUMBER -> {
                    BigDecimal g = new BigDecimal(gold);
                    BigDecimal w = new BigDecimal(a);
                    assertThat(w.scale()).as(t.id()).isEqualTo(g.scale());
                    double diff = Math.abs(w.doubleValue() - g.doubleValue());
                    assertThat(diff).as(t.id()).isGreaterThanOrEqualTo(Math.min(1.0, 0.05 * Math.abs(g.doubleValue())) - 1e-9);
                    assertThat(diff).as(t.id()).isLessThanOrEqualTo(Math.max(4.0, 0.25 * Math.abs(g.doubleValue())));
                    if (g.signum() >= 0) {
                        assertThat(w.signum()).as(t.id()).isGreaterThanOrEqualTo(0);
                    }
                }
                case TEXT, UNKNOWN -> assertThat(SimulatedExpert.distractors(t)).as(t.id()).contains(a);
            }
            seen.merge(t.answerType(), 1, Integer::sum);
        }
        assertThat(seen.keySet()).contains(AnswerType.CHOICE, AnswerType.NUMBER, AnswerType.TEXT);
    }

    @Test
    void should_fall_back_to_a_misread_when_a_text_task_lists_no_distractors() {
        ModelCard model = card("weak", 5, Map.of("default", -12.0));
        Task t = Task.text("t1", "What does the sign say?", "EXIT", "ocr");
        ExpertReply r = SimulatedExpert.create(model).call(request(t, model, skill("ocr-router")));
        assertThat(r.answer().orElseThrow()).isNotEqualToIgnoringCase("EXIT").hasSizeBetween(4, 5);
    }

    @Test
    void should_give_a_small_whole_number_when_a_numeric_gold_is_not_a_plain_number() {
        ModelCard model = card("weak", 5, Map.of("default", -12.0));
        SimulatedExpert expert = SimulatedExpert.create(model);
        for (String gold : List.of("3/4", "7", "2\u221a3")) {
            Task t = new Task("f-" + gold, "x", "q?", List.of(), List.of(gold), AnswerType.NUMBER, "geometry", List.of(),
                    Map.of(), Map.of(), Map.of());
            String a = expert.call(request(t, model, skill("geometry-solver"))).answer().orElseThrow();
            assertThat(a).isNotEqualTo(gold).matches("\\d+");
        }
    }

    @Test
    void should_end_the_text_with_an_extractable_answer_sentence() {
        ModelCard model = card("m", 8, profile());
        SimulatedExpert expert = SimulatedExpert.create(model);
        for (Task t : SUITE) {
            ExpertReply r = expert.call(request(t, model, skill("science-solver")));
            Matcher m = FINAL.matcher(r.text().orElseThrow());
            assertThat(m.find()).as(r.text().orElseThrow()).isTrue();
            assertThat(m.group(1)).isEqualTo(r.answer().orElseThrow());
        }
    }

    @Test
    void should_sample_tokens_and_latency_around_the_means_and_price_them() {
        ModelCard model = card("m", 4, profile());
        SimulatedExpert expert = SimulatedExpert.create(model);
        double out = 0;
        double lat = 0;
        for (Task t : SUITE) {
            ExpertRequest req = request(t, model, skill("chart-solver"));
            ExpertReply r = expert.call(req);
            assertThat(r.simulated()).isTrue();
            assertThat(r.recordedCorrect()).isEmpty();
            assertThat(r.ok()).isTrue();
            assertThat(r.usage().inputTokens()).isEqualTo((long) Math.ceil(req.prompt().length() / 4.0));
            assertThat(r.costUsd()).isCloseTo(model.price().cost(r.usage().inputTokens(), r.usage().outputTokens()), within(1e-15));
            assertThat(r.latencyMs()).isPositive();
            out += r.usage().outputTokens();
            lat += r.latencyMs();
        }
        assertThat(out / SUITE.size()).isCloseTo(300, within(15.0));
        assertThat(lat / SUITE.size()).isCloseTo(2000, within(100.0));
    }

    @Test
    void should_refuse_images_when_the_model_does_not_accept_them() {
        ModelCard textOnly = card("blind-model", 1, profile()).newBuilder().modalities(Set.of(Modality.TEXT)).build();
        Task t = new Task("img-1", "x", "What is shown?", List.of(), List.of("cat"), AnswerType.TEXT, "perception",
                List.of(Path.of("images/1.png")), Map.of(), Map.of(), Map.of());
        ExpertReply r = SimulatedExpert.create(textOnly).call(request(t, textOnly, skill("perception-solver")));
        assertThat(r.ok()).isFalse();
        assertThat(r.simulated()).isTrue();
        assertThat(r.error().orElseThrow().kind()).isEqualTo(ExpertError.Kind.INVALID_REQUEST);
        assertThat(r.error().orElseThrow().message()).isEqualTo("model blind-model does not accept images");
    }

    @Test
    void should_fail_the_call_when_the_task_has_no_gold_or_a_bad_difficulty() {
        ModelCard model = card("m", 1, profile());
        SimulatedExpert expert = SimulatedExpert.create(model);
        Task noGold = new Task("ng", "x", "q?", List.of(), List.of(), AnswerType.UNKNOWN, "chart", List.of(), Map.of(),
                Map.of(), Map.of());
        Task badDifficulty = new Task("bd", "x", "q?", List.of(), List.of("3"), AnswerType.NUMBER, "chart", List.of(),
                Map.of(), Map.of(), Map.of("difficulty", "hard"));
        ExpertReply r1 = expert.call(request(noGold, model, skill("chart-solver")));
        ExpertReply r2 = expert.call(request(badDifficulty, model, skill("chart-solver")));
        assertThat(r1.error().orElseThrow().message()).contains("ng", "no gold");
        assertThat(r2.error().orElseThrow().message()).contains("bd", "difficulty", "hard");
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of("seed", 1), "missing setting 'profile'"),
                Arguments.of(Map.of("profile", "strong"), "'profile' must be a map"),
                Arguments.of(Map.of("profile", Map.of("defualt", 1.0)), "unknown key 'profile.defualt'"),
                Arguments.of(Map.of("profile", Map.of("groups", Map.of("chart", "high"))), "'profile.groups.chart' must be a number"),
                Arguments.of(Map.of("profile", Map.of("pairs", Map.of("chart-solver", 1.0))), "must be written SKILL/GROUP"),
                Arguments.of(Map.of("profile", Map.of(), "latency-ms", -5), "'latency-ms' must be > 0"),
                Arguments.of(Map.of("profile", Map.of(), "seed", 1.5), "'seed' must be an integer"),
                Arguments.of(Map.of("profile", Map.of(), "recorded", "x.jsonl"), "unknown setting 'recorded'"));
    }

    @ParameterizedTest
    @MethodSource("badSettings")
    void should_reject_bad_settings_naming_the_field(Map<String, Object> settings, String message) {
        ModelCard model = ModelCard.builder("bad-model", Backend.SIMULATED).settings(settings).build();
        assertThatThrownBy(() -> SimulatedExpert.create(model))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("bad-model")
                .hasMessageContaining(message);
    }

    @Test
    void should_accept_numeric_strings_after_env_substitution() {
        ModelCard model = ModelCard.builder("m", Backend.SIMULATED)
                .settings(Map.of("profile", Map.of("default", "0.5"), "seed", "12", "latency-ms", "800")).build();
        assertThat(SimulatedExpert.create(model).profile().defaultAbility()).isEqualTo(0.5);
    }

    @Test
    void should_read_distractors_as_json_array_or_bar_separated_list() {
        Task json = new Task("a", "x", "q", List.of(), List.of("x"), AnswerType.TEXT, "g", List.of(), Map.of(), Map.of(),
                Map.of("distractors", "[\"Elm Avenue\",\"Mill Lane\"]"));
        Task bars = new Task("b", "x", "q", List.of(), List.of("x"), AnswerType.TEXT, "g", List.of(), Map.of(), Map.of(),
                Map.of("distractors", "Elm Avenue | Mill Lane"));
        assertThat(SimulatedExpert.distractors(json)).containsExactly("Elm Avenue", "Mill Lane");
        assertThat(SimulatedExpert.distractors(bars)).containsExactly("Elm Avenue", "Mill Lane");
    }
}
