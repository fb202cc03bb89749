package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.eval.Evaluator;
import dev.maestro.expert.FaultSchedule.Fault;
import dev.maestro.policy.MajorityVotePolicy;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerGrader;
import dev.maestro.task.Task;
import dev.maestro.testkit.FakeOpenAiServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A whole evaluation against an OpenAI-compatible endpoint that misbehaves on a seeded 30% of its
 * requests. The fault of each request depends only on (model, question, attempt number), so the
 * schedule is the same whatever the thread interleaving, and every observation can be checked
 * against what the server actually did to the last request of that call.
 */
class FaultInjectionTest {
    private static final int TASKS = 60;
    private static final int ATTEMPTS = 3;
    private static final Duration TIMEOUT = Duration.ofMillis(400);

    private static ModelCard model(String id, String baseUrl, int maxConcurrency) {
        return model(id, baseUrl, maxConcurrency, TIMEOUT);
    }

    private static ModelCard model(String id, String baseUrl, int maxConcurrency, Duration timeout) {
        return ModelCard.builder(id, Backend.OPENAI)
                .baseUrl(baseUrl)
                .modelName(id.toLowerCase(Locale.ROOT))
                .price(new Price(1.0, 2.0))
                .timeout(timeout)
                .maxConcurrency(maxConcurrency)
                .build();
    }

    @Test
    void should_finish_an_evaluation_with_every_fault_visible_as_an_observation_and_no_thread_leak() throws Exception {
        // given
        Set<Thread> before = LiveThreads.now();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            tasks.add(Task.text("t" + i, "Q-" + i, "42", "faults"));
        }
        List<EpisodeResult> results;
        Map<String, List<Fault>> log;
        int requests;
        FaultSchedule schedule = new FaultSchedule(7, 0.30, Fault.NONE);
        try (FakeOpenAiServer server = FakeOpenAiServer.start(schedule)) {
            Registry registry = Registry.of("faulty", List.of(model("Alpha", server.baseUrl(), 4), model("Beta", server.baseUrl(), 4)),
                    List.of(SkillCard.simple("direct", "answer directly", "{question}")));
            Map<String, Expert> experts = FaultSchedule.experts(registry, ATTEMPTS);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (Environment env = Environment.builder(registry, experts, AnswerGrader.create()).pool(pool).build()) {
                // when
                long t0 = System.nanoTime();
                results = Evaluator.run(env, new MajorityVotePolicy(List.of(new Pair("Alpha", "direct"), new Pair("Beta", "direct"))),
                        tasks, 11, 2, Progress.NONE);
                System.out.printf("fault injection: %d episodes in %d ms%n", results.size(), (System.nanoTime() - t0) / 1_000_000);
                // the run did start threads (pools, HTTP clients, server workers), so the leak check below can fail
                assertThat(LiveThreads.newSince(before)).isNotEmpty();
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            }
            log = Map.copyOf(schedule.log());
            requests = server.requests();
        }

        // then: it finished and every episode has a result with both calls observed
        assertThat(results).hasSize(TASKS).doesNotContainNull();
        List<Observation> observations = new ArrayList<>();
        for (EpisodeResult r : results) {
            assertThat(r.calls()).as("calls of %s", r.taskId()).isEqualTo(2);
            List<Observation> obs = r.steps().stream().map(Step::observations).flatMap(List::stream).toList();
            assertThat(obs).hasSize(2);
            assertThat(r.errors()).isEqualTo((int) obs.stream().filter(o -> !o.ok()).count());
            observations.addAll(obs);
        }

        // every call reached the server at most ATTEMPTS times, and the server saw nothing else
        assertThat(log).hasSize(2 * TASKS);
        assertThat(log.values()).allSatisfy(f -> assertThat(f).hasSizeBetween(1, ATTEMPTS));
        assertThat(requests).isEqualTo(log.values().stream().mapToInt(List::size).sum()).isLessThanOrEqualTo(ATTEMPTS * 2 * TASKS);

        // each observation tells what the server did to the last request of its call
        int ok = 0;
        int spuriousTimeouts = 0;
        EnumSet<Fault> finalFaults = EnumSet.noneOf(Fault.class);
        for (Observation o : observations) {
            String question = o.call().input().replace("Q-", "");
            List<Fault> faults = log.get(o.call().model().toLowerCase(Locale.ROOT) + "|" + question);
            assertThat(faults).as("server log of %s", o.call()).isNotNull();
            Fault last = faults.get(faults.size() - 1);
            // every attempt before the last failed with a retryable fault
            assertThat(faults.subList(0, faults.size() - 1)).doesNotContain(Fault.NONE, Fault.NOT_JSON);
            if (o.ok()) {
                ok++;
                assertThat(last).as("%s succeeded", o.call()).isEqualTo(Fault.NONE);
                assertThat(o.text()).hasValue("The answer is 42");
                continue;
            }
            ExpertError e = o.error().orElseThrow();
            if (faults.size() > 1) {
                assertThat(e.message()).endsWith("[after " + faults.size() + " attempts]");
            }
            if (last == Fault.NONE) {
                // the machine was too slow for the 400 ms budget: the only honest outcome is a timeout
                assertThat(e.kind()).as("%s on an answered request", e).isEqualTo(ExpertError.Kind.TIMEOUT);
                spuriousTimeouts++;
                continue;
            }
            finalFaults.add(last);
            assertNamesCause(e, last);
        }
        Set<Fault> injected = log.values().stream().flatMap(List::stream).collect(Collectors.toCollection(() -> EnumSet.noneOf(Fault.class)));
        System.out.printf("fault injection: %d requests for %d calls, %d ok, %d spurious timeouts, final faults %s%n",
                requests, observations.size(), ok, spuriousTimeouts, finalFaults);
        assertThat(injected).containsAll(Fault.INJECTED);
        assertThat(finalFaults).isNotEmpty();
        assertThat(ok).as("calls that succeeded, after retries").isGreaterThanOrEqualTo((int) (0.85 * observations.size()));

        // and nothing we started is left running
        List<String> leaked = LiveThreads.leftSince(before, 2);
        System.out.printf("fault injection: %d threads before, new threads still alive after close: %s%n", before.size(), leaked);
        assertThat(leaked).as("threads still alive").hasSizeLessThanOrEqualTo(2);
    }


    /** The error a call ends with when its last request met {@code fault}. */
    private static void assertNamesCause(ExpertError e, Fault fault) {
        assertThat(e.retryable()).as("%s retryable", e).isEqualTo(fault != Fault.NOT_JSON);
        switch (fault) {
            case STATUS_500, STATUS_502, STATUS_503 -> {
                assertThat(e.kind()).isEqualTo(ExpertError.Kind.HTTP_STATUS);
                assertThat(e.message()).startsWith(fault.name().substring(7)).contains("injected");
            }
            case RATE_LIMITED_429 -> {
                assertThat(e.kind()).isEqualTo(ExpertError.Kind.RATE_LIMITED);
                assertThat(e.message()).startsWith("429").contains("retry-after 0 ms");
            }
            case SLOW -> {
                assertThat(e.kind()).isEqualTo(ExpertError.Kind.TIMEOUT);
                assertThat(e.message()).contains("no response within " + TIMEOUT.toMillis() + " ms");
            }
            case RESET -> {
                // the JDK client's words for a connection closed before any response
                assertThat(e.kind()).as("%s after %s", e, fault).isEqualTo(ExpertError.Kind.IO);
                assertThat(e.message()).startsWith("IOException");
            }
            case TRUNCATED -> {
                assertThat(e.kind()).as("%s after %s", e, fault).isEqualTo(ExpertError.Kind.IO);
                assertThat(e.message()).startsWith("IOException").contains("content-length");
            }
            case NOT_JSON -> {
                assertThat(e.kind()).isEqualTo(ExpertError.Kind.BAD_RESPONSE);
                assertThat(e.message()).startsWith("could not read the completion");
            }
            default -> throw new AssertionError("unexpected " + fault);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void should_name_the_cause_of_each_fault_in_the_error(Fault fault) throws Exception {
        FaultSchedule schedule = new FaultSchedule(1, 1.0, fault);
        try (FakeOpenAiServer server = FakeOpenAiServer.start(schedule)) {
            // given a server that does the same thing to every request, and two attempts (only the slow fault needs
            // the short timeout; elsewhere it could fire before a busy machine even serves the first request)
            ModelCard m = model("Alpha", server.baseUrl(), 2, fault == Fault.SLOW ? TIMEOUT : Duration.ofSeconds(20));
            Registry registry = Registry.of("one", List.of(m), List.of(SkillCard.simple("direct", "answer", "{question}")));
            Expert expert = Experts.forRegistry(registry, Experts.Options.builder()
                    .env(EnvLookup.of(Map.of())).retryAttempts(2).sleeper(d -> { }).build()).get("Alpha");
            ExpertRequest request = new ExpertRequest(Task.text("t1", "Q-1", "42", "faults"), m,
                    registry.skill("direct").orElseThrow(), "Q-1", List.of(), ExpertRequest.Sampling.DEFAULT);

            // when
            ExpertReply reply = expert.call(request);
            expert.close();

            // then
            ExpertError e = reply.error().orElseThrow();
            System.out.printf("fault injection: %s -> %s%n", fault, e);
            assertNamesCause(e, fault);
            int expected = fault == Fault.NOT_JSON ? 1 : 2;
            assertThat(server.requests()).isEqualTo(expected);
            if (expected == 2) {
                assertThat(e.message()).endsWith("[after 2 attempts]");
            }
        }
    }

    @Test
    void should_fail_fast_with_circuit_open_after_the_threshold_without_reaching_a_dead_endpoint() throws Exception {
        FaultSchedule schedule = new FaultSchedule(1, 1.0, Fault.STATUS_503);
        try (FakeOpenAiServer server = FakeOpenAiServer.start(schedule)) {
            // given an endpoint that always answers 503 and a breaker that opens after 3 failures
            ModelCard dead = model("Dead", server.baseUrl(), 2);
            Registry registry = Registry.of("dead", List.of(dead), List.of(SkillCard.simple("direct", "answer", "{question}")));
            Map<String, Expert> experts = Experts.forRegistry(registry, Experts.Options.builder()
                    .env(EnvLookup.of(Map.of()))
                    .retryAttempts(ATTEMPTS)
                    .retryBaseDelay(Duration.ofMillis(1))
                    .sleeper(d -> { })
                    .breakerThreshold(3)
                    .breakerCoolDown(Duration.ofMinutes(5))
                    .build());
            Expert expert = experts.get("Dead");
            ExpertRequest request = new ExpertRequest(Task.text("t1", "Q-1", "42", "faults"), dead,
                    registry.skill("direct").orElseThrow(), "Q-1", List.of(), ExpertRequest.Sampling.DEFAULT);

            // when
            ExpertReply first = expert.call(request);
            List<ExpertReply> later = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                later.add(expert.call(request));
            }
            expert.close();

            // then the first call used its attempts, which opened the circuit; the rest never reached the server
            assertThat(first.error()).map(ExpertError::kind).contains(ExpertError.Kind.HTTP_STATUS);
            assertThat(first.error().orElseThrow().message()).startsWith("503").endsWith("[after 3 attempts]");
            assertThat(later).allSatisfy(r -> {
                assertThat(r.error()).map(ExpertError::kind).contains(ExpertError.Kind.CIRCUIT_OPEN);
                assertThat(r.costUsd()).isZero();
            });
            assertThat(server.requests()).isEqualTo(3);
        }
    }
}
