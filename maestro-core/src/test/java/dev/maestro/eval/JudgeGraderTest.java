package dev.maestro.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.CachingExpert;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerGrader;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Grade;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The LLM judge: verdicts read robustly, tasks without gold graded, agreement with gold measured, cost apart. */
class JudgeGraderTest {
    private static final ModelCard JUDGE = ModelCard.builder("judge-m", Backend.OPENAI).baseUrl("http://127.0.0.1:9/v1")
            .price(new Price(1_000_000, 0)).build(); // $1 per input token, so cost is easy to see

    private static Task open(String id, String question) {
        return new Task(id, "own", question, List.of(), List.of(), AnswerType.UNKNOWN, "open", List.of(), Map.of(), Map.of(),
                Map.of());
    }

    /** A judge model whose reply depends on the answer in the prompt; counts its calls. */
    private static Expert judgeModel(AtomicInteger calls, Function<String, String> reply) {
        return req -> {
            calls.incrementAndGet();
            String answer = req.prompt().replaceAll("(?s).*Answer to grade:\n(.*?)\n\n.*", "$1");
            return ExpertReply.text(reply.apply(answer), new Usage(1, 0), 1.0, 5);
        };
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of("VERDICT: CORRECT", true),
                Arguments.of("The answer matches the rubric.\nVERDICT: INCORRECT", false),
                Arguments.of("{\"verdict\": \"correct\"}", true),
                Arguments.of("**Verdict:** Wrong", false),
                Arguments.of("verdict = pass", true),
                Arguments.of("<think>VERDICT: INCORRECT? no, wait</think>\nVERDICT: CORRECT", true),
                Arguments.of("VERDICT: CORRECT ... on reflection VERDICT: INCORRECT", false),
                Arguments.of("Correct.", true),
                Arguments.of("  incorrect  ", false));
    }

    @ParameterizedTest
    @MethodSource("verdicts")
    void should_read_verdicts_in_the_forms_judges_write_them(String reply, boolean correct) {
        assertThat(JudgeVerdict.parse(reply).correct()).contains(correct);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"I think it is mostly fine", "Score: 7/10", "''", "The answer is correct but also wrong"})
    void should_leave_unreadable_verdicts_ungraded_with_the_reason(String reply) {
        JudgeVerdict v = JudgeVerdict.parse(reply);
        assertThat(v.correct()).isEmpty();
        assertThat(v.reason()).hasValueSatisfying(r -> assertThat(r).startsWith("judge verdict unreadable: ")
                .contains("VERDICT: CORRECT"));
    }

    @Test
    void should_grade_tasks_without_gold_by_the_judge_and_measure_agreement_where_gold_exists() {
        // given a judge that calls "4" and "7" correct, "9" incorrect, and rambles about "?" (unreadable)
        AtomicInteger calls = new AtomicInteger();
        Expert model = judgeModel(calls, a -> switch (a) {
            case "4", "7" -> "VERDICT: CORRECT";
            case "9" -> "VERDICT: INCORRECT";
            default -> "hard to say";
        });
        JudgeGrader judge = JudgeGrader.create(AnswerGrader.create(), JUDGE, model, "A prime number is correct.", true);

        // when
        Grade prime = judge.assess(open("u1", "Name a prime"), Optional.empty(), "7");
        Grade notPrime = judge.assess(open("u2", "Name a prime"), Optional.empty(), "9");
        Grade unreadable = judge.assess(open("u3", "Name a prime"), Optional.empty(), "?");
        Grade again = judge.assess(open("u1", "Name a prime"), Optional.empty(), "7");
        Grade gold = judge.assess(Task.text("g1", "What is 2+2?", "4", "arith"), Optional.empty(), "4");
        Grade goldWrong = judge.assess(Task.text("g2", "What is 2+3?", "5", "arith"), Optional.empty(), "9");
        Grade disagreement = judge.assess(Task.text("g3", "What is 3+3?", "6", "arith"), Optional.empty(), "4");

        // then
        assertThat(prime).isEqualTo(Grade.of(1, "judge"));
        assertThat(notPrime).isEqualTo(Grade.of(0, "judge"));
        assertThat(unreadable.graded()).isFalse();
        assertThat(unreadable.reason()).hasValueSatisfying(r -> assertThat(r).contains("hard to say"));
        assertThat(again).isEqualTo(prime);
        // with gold, gold decides; the judge is asked only to measure agreement
        assertThat(gold).isEqualTo(Grade.of(1, "grader"));
        assertThat(goldWrong).isEqualTo(Grade.of(0, "grader"));
        assertThat(disagreement).isEqualTo(Grade.of(0, "grader"));
        // each distinct (task, answer) judged once
        assertThat(calls.get()).isEqualTo(6);
        JudgeGrader.Summary summary = judge.summary();
        assertThat(summary.calls()).isEqualTo(6);
        assertThat(summary.costUsd()).isEqualTo(6.0);
        assertThat(summary.gradedCorrect()).isEqualTo(2);
        assertThat(summary.gradedIncorrect()).isEqualTo(1);
        assertThat(summary.ungraded()).isEqualTo(1);
        JudgeGrader.Agreement agreement = summary.agreementWithGold();
        assertThat(agreement.answers()).isEqualTo(3);
        assertThat(agreement.agreement()).contains(0.6667);
        assertThat(agreement.judgeCorrectGoldWrong()).contains(1L);
    }

    @Test
    void should_leave_a_task_ungraded_when_the_judge_call_fails_and_ask_again_later() {
        AtomicInteger calls = new AtomicInteger();
        Expert down = req -> {
            calls.incrementAndGet();
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.HTTP_STATUS, "503 Service Unavailable: busy"), 1);
        };
        JudgeGrader judge = JudgeGrader.create(AnswerGrader.create(), JUDGE, down, "rubric", true);

        Grade g = judge.assess(open("u1", "q"), Optional.empty(), "7");
        judge.assess(open("u1", "q"), Optional.empty(), "7");

        assertThat(g.graded()).isFalse();
        assertThat(g.reason()).hasValueSatisfying(r -> assertThat(r).startsWith("judge call failed: http_status: 503"));
        assertThat(calls.get()).isEqualTo(2);
        assertThat(judge.summary().failedCalls()).isEqualTo(2);
    }

    @Test
    void should_keep_the_judges_cost_out_of_the_episodes_and_its_verdicts_in_the_replay_cache(@TempDir Path dir) {
        // given an environment whose grader is a judge, the judge's model behind the record/replay cache
        Registry reg = Registry.of("r", List.of(ModelCard.builder("m", Backend.SIMULATED).build()),
                List.of(SkillCard.simple("direct", "answer", "{question}")));
        Expert answering = req -> new ExpertReply(Optional.of("7"), Optional.of("7"), Optional.empty(), new Usage(1, 1),
                0.001, 1, Optional.empty(), false);
        List<Task> tasks = List.of(open("u1", "Name a prime"), open("u2", "Name an odd number"));
        AtomicInteger backend = new AtomicInteger();
        Path cache = dir.resolve("cache.sqlite");
        for (int run = 0; run < 2; run++) {
            try (CachingExpert cached = CachingExpert.open(judgeModel(backend, a -> "VERDICT: CORRECT"), cache)) {
                JudgeGrader judge = JudgeGrader.create(AnswerGrader.create(), JUDGE, cached, "rubric", true);
                Environment env = Environment.builder(reg, Map.of("m", answering), judge).build();

                // when
                List<EpisodeResult> rs = Evaluator.run(env, new FixedPairPolicy(new Pair("m", "direct")), tasks, 1, 1,
                        Progress.NONE);

                // then: graded by the judge, the episodes' cost is the expert's only
                assertThat(rs).allSatisfy(r -> {
                    assertThat(r.gradedBy()).isEqualTo("judge");
                    assertThat(r.grade()).isEqualTo(1.0);
                    assertThat(r.costUsd()).isEqualTo(0.001);
                });
                assertThat(judge.summary().calls()).isEqualTo(2);
            }
        }
        // and the second run's verdicts came from the cache
        assertThat(backend.get()).isEqualTo(2);
    }
}
