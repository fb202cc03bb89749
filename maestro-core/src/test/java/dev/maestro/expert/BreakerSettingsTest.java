package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Resilience;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The circuit breaker keeps the cause that opened it (finding G of the hardening issue), retry and breaker settings
 * come from the model card, and the defaults keep an endpoint that fails 30% of its requests usable.
 */
class BreakerSettingsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void should_say_which_error_opened_the_circuit_in_every_refused_call() throws IOException {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            // given an endpoint that answers 500 with a body echoing the key, behind a breaker opening after 3 failures
            server.always(Reply.of(500, "{\"error\":{\"message\":\"upstream exploded, key {AUTH}\"}}"));
            ModelCard model = Fixtures.openAiModel(server.baseUrl());
            CircuitBreakerExpert breaker = CircuitBreakerExpert.create(OpenAiExpert.create(model, Fixtures.env()),
                    model.id(), 3, Duration.ofSeconds(30), now::get);

            // when
            for (int i = 0; i < 3; i++) {
                breaker.call(Fixtures.request(model, "q"));
            }
            ExpertReply refused = breaker.call(Fixtures.request(model, "q"));

            // then the refusal names the count and the last real error, redacted, without another request
            ExpertError e = refused.error().orElseThrow();
            assertThat(e.kind()).isEqualTo(ExpertError.Kind.CIRCUIT_OPEN);
            assertThat(e.message()).contains("after 3 consecutive failures")
                    .contains("last: http_status: 500 Internal Server Error")
                    .contains("upstream exploded")
                    .doesNotContain(Fixtures.SECRET);
            assertThat(breaker.lastFailure()).map(ExpertError::kind).contains(ExpertError.Kind.HTTP_STATUS);
            assertThat(server.requests()).isEqualTo(3);
        }
    }

    @Test
    void should_take_retry_and_breaker_settings_from_the_model_card() {
        // given a card asking for 2 attempts per call and a breaker that opens after 3 failed requests
        AtomicInteger requests = new AtomicInteger();
        ModelCard card = ModelCard.builder("flaky", Backend.OPENAI).baseUrl("http://127.0.0.1:9/v1")
                .resilience(Resilience.DEFAULTS.withRetryAttempts(2).withBreakerFailures(3)
                        .withBreakerCoolDown(Duration.ofMinutes(5)).withRetryBackoffCap(Duration.ofMillis(1)))
                .build();
        Experts.Options options = Experts.Options.builder().env(EnvLookup.of(Map.of())).sleeper(d -> { })
                .backend(Backend.OPENAI, m -> request -> {
                    requests.incrementAndGet();
                    return ExpertReply.failure(ExpertError.of(ExpertError.Kind.HTTP_STATUS, "503 Service Unavailable: x"), 1);
                }).build();
        Expert expert = Experts.forModel(card, options);

        // when
        ExpertReply first = expert.call(Fixtures.request(card, "q"));
        ExpertReply second = expert.call(Fixtures.request(card, "q"));

        // then: two attempts for the first call, one for the second (its failure is the third: the circuit opens)
        assertThat(first.error().orElseThrow().message()).endsWith("[after 2 attempts]");
        assertThat(requests.get()).isEqualTo(3);
        assertThat(second.error()).map(ExpertError::kind).contains(ExpertError.Kind.CIRCUIT_OPEN);
        // and the requests were counted per pair, apart from the calls
        CallCounts counted = options.requests().counts().get("flaky@@cot");
        assertThat(counted.calls()).isEqualTo(3);
        assertThat(counted.count(ExpertError.Kind.HTTP_STATUS)).isEqualTo(3);
        assertThat(expert.call(Fixtures.request(card, "q")).error()).map(ExpertError::kind)
                .contains(ExpertError.Kind.CIRCUIT_OPEN);
        assertThat(requests.get()).isEqualTo(3);
    }

    /** Failed calls (after retries) of a 30%-flaky endpoint, 20,000 calls, one every 200 ms of a fake clock. */
    private double failedCallShare(int breakerFailures, Duration coolDown) {
        SplittableRandom fate = new SplittableRandom(42);
        ModelCard card = Fixtures.openAiModel("http://127.0.0.1:9/v1");
        Expert flaky = request -> {
            now.addAndGet(Duration.ofMillis(200).toNanos());
            return fate.nextDouble() < 0.30
                    ? ExpertReply.failure(ExpertError.of(ExpertError.Kind.HTTP_STATUS, "500 Internal Server Error: x"), 200)
                    : ExpertReply.text("ok", Usage.NONE, 0, 200);
        };
        Experts.Options defaults = Experts.Options.defaults();
        Expert chain = RetryingExpert.builder(CircuitBreakerExpert.create(flaky, "flaky", breakerFailures, coolDown, now::get))
                .maxAttempts(defaults.retryAttempts()).sleeper(d -> now.addAndGet(d.toNanos())).nanoClock(now::get)
                .build();
        int failed = 0;
        int calls = 20_000;
        for (int i = 0; i < calls; i++) {
            now.addAndGet(Duration.ofMillis(200).toNanos()); // the episode's own pace between calls
            if (!chain.call(Fixtures.request(card, "q" + i)).ok()) {
                failed++;
            }
        }
        return failed / (double) calls;
    }

    @Test
    void should_keep_a_30_percent_flaky_endpoint_usable_with_the_default_settings() {
        // given the wiring defaults, and the ones before them (5 failures open the circuit for 30 s)
        Experts.Options defaults = Experts.Options.defaults();

        // when
        double now = failedCallShare(defaults.breakerThreshold(), defaults.breakerCoolDown());
        double before = failedCallShare(5, Duration.ofSeconds(30));
        System.out.printf("30%%-flaky endpoint, 20,000 calls: %.2f%% failed with the defaults (%d failures, %d s), "
                        + "%.2f%% with 5 failures / 30 s%n", 100 * now, defaults.breakerThreshold(),
                defaults.breakerCoolDown().toSeconds(), 100 * before);

        // then: about 0.3^4 of calls fail (every attempt failed), not the many refused by a needlessly open circuit
        assertThat(now).isLessThan(0.02);
        assertThat(before).as("the old defaults, for contrast").isGreaterThan(0.10);
    }

    @Test
    void should_assess_pairs_from_calls_and_requests() {
        // given
        CallLog calls = CallLog.create();
        CallLog requests = CallLog.create();
        Optional<ExpertError> none = Optional.empty();
        for (int i = 0; i < 100; i++) {
            calls.record("steady", "direct", none);
            requests.record("steady", "direct", none);
            // flaky: every call answered in the end, but 30 of 130 requests failed
            calls.record("flaky", "direct", none);
            requests.record("flaky", "direct", none);
            if (i < 30) {
                requests.record("flaky", "direct", Optional.of(ExpertError.of(ExpertError.Kind.RATE_LIMITED,
                        "429 Too Many Requests (retry-after 0 ms): slow down")));
            }
            calls.record("locked", "direct", Optional.of(ExpertError.of(ExpertError.Kind.HTTP_STATUS,
                    "401 Unauthorized: invalid api key ***")));
            calls.record("gone", "direct", Optional.of(ExpertError.of(ExpertError.Kind.CIRCUIT_OPEN,
                    "circuit open for gone after 10 consecutive failures, last: io: ConnectException: refused")));
            // a policy's malformed call and a tool's failure are not the endpoint's
            calls.record("tools", "crop", Optional.of(ExpertError.of(ExpertError.Kind.TOOL, "no circle found")));
        }
        requests.record("gone", "direct", Optional.of(ExpertError.of(ExpertError.Kind.IO,
                "ConnectException: Connection refused")));

        // when
        List<PairHealth> health = PairHealth.assessAll(calls.counts(), requests.counts());

        // then
        assertThat(health).extracting(PairHealth::pair)
                .containsExactly("flaky@@direct", "gone@@direct", "locked@@direct", "steady@@direct", "tools@@crop");
        PairHealth flaky = health.get(0);
        assertThat(flaky.verdict()).isEqualTo(PairHealth.Verdict.WARN);
        assertThat(flaky.requests().orElseThrow().errorRate()).isEqualTo(30 / 130.0);
        assertThat(flaky.message()).startsWith("model 'flaky' (flaky@@direct): 0 of 100 calls failed (0.0%), "
                + "30 of 130 requests (23.1%); mostly rate_limited (429 Too Many Requests");
        PairHealth gone = health.get(1);
        assertThat(gone.verdict()).isEqualTo(PairHealth.Verdict.UNUSABLE);
        assertThat(gone.message()).contains("unusable: endpoint unreachable (ConnectException: Connection refused)");
        PairHealth locked = health.get(2);
        assertThat(locked.verdict()).isEqualTo(PairHealth.Verdict.UNUSABLE);
        assertThat(locked.cause()).hasValueSatisfying(c -> assertThat(c).startsWith("authentication failed (401"));
        assertThat(health.get(3).verdict()).isEqualTo(PairHealth.Verdict.OK);
        assertThat(health.get(4).verdict()).isEqualTo(PairHealth.Verdict.OK);
        assertThat(health.get(4).calls().otherFailuresByKind()).containsEntry("tool", 100L);
        assertThat(flaky.line().requestErrorRate()).contains(0.2308);
        assertThat(flaky.line().health()).isEqualTo("warn");
    }
}
