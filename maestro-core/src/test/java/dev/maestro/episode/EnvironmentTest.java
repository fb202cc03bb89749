package dev.maestro.episode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.MajorityVotePolicy;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.protocol.ProtocolError;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Grader;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

    static ModelCard model(String id) {
        return ModelCard.builder(id, Backend.SIMULATED).description(id + " model").price(new Price(1, 2)).build();
    }

    static Expert answering(String answer, double cost, double latency) {
        return req -> new ExpertReply(Optional.of("The answer is " + answer + "."), Optional.of(answer), Optional.empty(),
                new Usage(10, 5), cost, latency, Optional.empty(), false);
    }

    static final Registry REG = Registry.of("t", List.of(model("a"), model("b"), model("c")),
            List.of(SkillCard.simple("direct", "answer directly", "{question}")));
    static final Task TASK = Task.text("1", "What is 2+2?", "4", "arith");
    static final Grader EXACT = (t, a) -> t.answers().contains(a.strip()) ? 1 : 0;

    @Test
    void should_grade_an_adopted_answer_and_charge_cost() {
        // given
        Environment env = Environment.builder(REG, Map.of("a", answering("4", 0.01, 100), "b", answering("5", 0, 1),
                "c", answering("4", 0, 1)), EXACT).build();
        // when
        EpisodeResult r = env.run(TASK, new FixedPairPolicy(new Pair("a", "direct")), 1);
        // then
        assertThat(r.answer()).contains("4");
        assertThat(r.grade()).isEqualTo(1.0);
        assertThat(r.gradedBy()).isEqualTo("grader");
        assertThat(r.calls()).isEqualTo(1);
        assertThat(r.costUsd()).isEqualTo(0.01);
        assertThat(r.reward()).isCloseTo(1.0 - 0.01 - 0.01, Offset.offset(1e-12));
        assertThat(r.steps()).hasSize(2);
    }

    @Test
    void should_turn_unknown_models_and_skills_into_error_observations_that_name_valid_choices() {
        // given a policy that calls a model that does not exist, then answers
        Environment env = Environment.builder(REG, Map.of("a", answering("4", 0, 1), "b", answering("4", 0, 1),
                "c", answering("4", 0, 1)), EXACT).build();
        Policy bad = new Policy() {
            @Override public String name() { return "bad"; }
            @Override public Action decide(EpisodeView v, RandomGenerator rng) {
                return v.observations().isEmpty()
                        ? new Action.Search(List.of(new Call("gpt-9", "direct", "x"), new Call("a", "nope", "x")))
                        : Action.Answer.of("4");
            }
        };
        // when
        EpisodeResult r = env.run(TASK, bad, 1);
        // then
        List<Observation> obs = r.steps().get(0).observations();
        assertThat(obs).hasSize(2);
        assertThat(obs.get(0).error().orElseThrow().message()).contains("unknown model 'gpt-9'").contains("a, b, c");
        assertThat(obs.get(1).error().orElseThrow().message()).contains("unknown skill 'nope'").contains("direct");
        assertThat(r.malformed()).isEqualTo(2);
        assertThat(r.reward()).isLessThan(r.grade());
    }

    @Test
    void should_run_the_calls_of_one_turn_in_parallel_and_take_the_slowest_as_latency() throws Exception {
        // given three experts that each block until all three are in flight
        CountDownLatch latch = new CountDownLatch(3);
        Expert waiting = req -> {
            latch.countDown();
            try {
                assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            double lat = req.model().id().equals("b") ? 300 : 100;
            return new ExpertReply(Optional.of("4"), Optional.of("4"), Optional.empty(), Usage.NONE, 0, lat, Optional.empty(), false);
        };
        var pool = Executors.newFixedThreadPool(3);
        try {
            Environment env = Environment.builder(REG, Map.of("a", waiting, "b", waiting, "c", waiting), EXACT).pool(pool).build();
            // when
            EpisodeResult r = env.run(TASK, new MajorityVotePolicy(REG.pairs()), 1);
            // then
            assertThat(r.calls()).isEqualTo(3);
            assertThat(r.latencyMs()).isEqualTo(300);
            assertThat(r.grade()).isEqualTo(1.0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void should_grade_by_recorded_flag_when_the_answer_commits_to_a_replayed_output_without_text() {
        // given a replay-like expert with no response text and a recorded flag
        Expert flagged = req -> new ExpertReply(Optional.empty(), Optional.empty(), Optional.of(true), Usage.NONE, 0, 0,
                Optional.empty(), false);
        Task noGold = new Task("p", "blind", "Count the circles.", List.of(), List.of(), AnswerType.UNKNOWN,
                "CircledWord", List.of(), Map.of(), Map.of(), Map.of());
        Environment env = Environment.builder(REG, Map.of("a", flagged, "b", flagged, "c", flagged), EXACT).build();
        // when
        EpisodeResult r = env.run(noGold, new FixedPairPolicy(new Pair("a", "direct")), 1);
        // then
        assertThat(r.grade()).isEqualTo(1.0);
        assertThat(r.gradedBy()).isEqualTo("recorded-flag");
    }

    @Test
    void should_end_without_answer_after_max_turns_and_enforce_the_call_budget() {
        AtomicInteger calls = new AtomicInteger();
        Expert counting = req -> {
            calls.incrementAndGet();
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.TIMEOUT, "slow"), 5);
        };
        Environment env = Environment.builder(REG, Map.of("a", counting, "b", counting, "c", counting), EXACT)
                .config(EpisodeConfig.DEFAULT.withMaxCalls(3)).build();
        Policy greedy = (Policy) new Policy() {
            @Override public String name() { return "greedy"; }
            @Override public Action decide(EpisodeView v, RandomGenerator rng) {
                List<Call> cs = new ArrayList<>();
                for (Pair p : REG.pairs()) {
                    cs.add(Call.of(p, "q"));
                }
                return new Action.Search(cs);
            }
        };
        EpisodeResult r = env.run(TASK, greedy, 1);
        assertThat(r.answer()).isEmpty();
        assertThat(r.grade()).isZero();
        assertThat(calls.get()).isEqualTo(3);
        assertThat(r.errors()).isGreaterThanOrEqualTo(3);
        assertThat(r.steps()).hasSize(4);
        assertThat(r.steps().get(1).error()).contains("budget exhausted");
    }

    @Test
    void should_record_a_throwing_policy_as_malformed_instead_of_failing_the_run() {
        Environment env = Environment.builder(REG, Map.of("a", answering("4", 0, 1), "b", answering("4", 0, 1),
                "c", answering("4", 0, 1)), EXACT).build();
        Policy broken = new Policy() {
            @Override public String name() { return "broken"; }
            @Override public Action decide(EpisodeView v, RandomGenerator rng) {
                throw new IllegalStateException("boom");
            }
        };
        EpisodeResult r = env.run(TASK, broken, 1);
        assertThat(r.answer()).isEmpty();
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.steps().get(0).error()).contains("policy failed").contains("boom");
        assertThat(ProtocolError.Kind.NO_ACTION).isNotNull();
    }
}
