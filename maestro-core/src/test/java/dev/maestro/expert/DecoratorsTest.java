package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.registry.ModelCard;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retry, circuit breaker and concurrency limit, mostly against the fake OpenAI server. */
class DecoratorsTest {
    private FakeOpenAiServer server;
    private ModelCard model;
    private final List<Duration> sleeps = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void start() throws IOException {
        server = FakeOpenAiServer.start();
        model = Fixtures.openAiModel(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A sleeper that only advances the fake clock. */
    private RetryingExpert.Sleeper fakeSleeper() {
        return d -> {
            sleeps.add(d);
            now.addAndGet(d.toNanos());
        };
    }

    private RetryingExpert retrying(int attempts) {
        return RetryingExpert.builder(OpenAiExpert.create(model, Fixtures.env()))
                .maxAttempts(attempts)
                .baseDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofSeconds(2))
                .sleeper(fakeSleeper())
                .nanoClock(now::get)
                .random(RandomGenerator.of("L64X128MixRandom"))
                .build();
    }

    @Test
    void should_retry_5xx_with_jittered_backoff_until_success() {
        // given
        server.then(Reply.status(503), Reply.status(500), Reply.ok("finally", 5, 2));

        // when
        ExpertReply reply = retrying(4).call(Fixtures.request(model, "q"));

        // then
        assertThat(reply.text()).contains("finally");
        assertThat(server.requests()).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(100));
        assertThat(sleeps.get(1)).isBetween(Duration.ZERO, Duration.ofMillis(200));
        assertThat(reply.latencyMs()).isGreaterThanOrEqualTo((sleeps.get(0).toMillis() + sleeps.get(1).toMillis()) * 1.0);
    }

    @Test
    void should_honour_retry_after() {
        server.then(Reply.status(429).withHeader("Retry-After", "3"), Reply.ok("ok", 1, 1));

        ExpertReply reply = retrying(3).call(Fixtures.request(model, "q"));

        assertThat(reply.ok()).isTrue();
        assertThat(sleeps).containsExactly(Duration.ofSeconds(3));
        assertThat(reply.latencyMs()).isGreaterThanOrEqualTo(3000.0);
    }

    @Test
    void should_stop_after_the_bound_and_say_how_many_attempts() {
        server.always(Reply.status(500));

        ExpertReply reply = retrying(3).call(Fixtures.request(model, "q"));

        assertThat(server.requests()).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
        ExpertError e = reply.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(ExpertError.Kind.HTTP_STATUS);
        assertThat(e.message()).startsWith("500").endsWith("[after 3 attempts]");
    }

    @Test
    void should_not_retry_client_errors() {
        server.always(Reply.status(400));

        ExpertReply reply = retrying(5).call(Fixtures.request(model, "q"));

        assertThat(server.requests()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
        assertThat(reply.error().get().message()).startsWith("400").doesNotContain("attempts");
    }

    @Test
    void should_give_up_when_retry_after_exceeds_the_budget() {
        server.always(Reply.status(429).withHeader("Retry-After", "3600"));

        ExpertReply reply = retrying(5).call(Fixtures.request(model, "q"));

        assertThat(server.requests()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
        assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.RATE_LIMITED);
    }

    @Test
    void should_keep_full_jitter_within_the_exponential_cap() {
        RetryingExpert r = RetryingExpert.builder(req -> ExpertReply.failure(ExpertError.of(ExpertError.Kind.IO, "x"), 0))
                .baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(1000))
                .random(RandomGenerator.of("L64X128MixRandom")).build();
        long max3 = 0;
        long maxLate = 0;
        for (int i = 0; i < 2000; i++) {
            max3 = Math.max(max3, r.jitter(3).toMillis());
            maxLate = Math.max(maxLate, r.jitter(40).toMillis());
        }
        assertThat(max3).isBetween(300L, 400L);     // cap 100·2² = 400, and the spread reaches near it
        assertThat(maxLate).isBetween(900L, 1000L); // capped by maxDelay, no overflow at large attempts
    }

    @Test
    void should_open_after_consecutive_failures_fail_fast_and_half_open_after_cool_down() {
        // given
        server.always(Reply.status(502));
        CircuitBreakerExpert breaker = CircuitBreakerExpert.create(OpenAiExpert.create(model, Fixtures.env()),
                model.id(), 3, Duration.ofSeconds(30), now::get);

        // when: three failures open it
        for (int i = 0; i < 3; i++) {
            assertThat(breaker.call(Fixtures.request(model, "q")).error().get().kind())
                    .isEqualTo(ExpertError.Kind.HTTP_STATUS);
        }
        ExpertReply fast = breaker.call(Fixtures.request(model, "q"));

        // then: fails fast without touching the server
        assertThat(breaker.state()).isEqualTo(CircuitBreakerExpert.State.OPEN);
        assertThat(fast.error()).map(ExpertError::kind).contains(ExpertError.Kind.CIRCUIT_OPEN);
        assertThat(fast.error().get().message()).contains("Fake-VL").contains("3 consecutive failures");
        assertThat(server.requests()).isEqualTo(3);

        // when: the cool-down passes, a failing trial re-opens it
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(breaker.state()).isEqualTo(CircuitBreakerExpert.State.HALF_OPEN);
        assertThat(breaker.call(Fixtures.request(model, "q")).error().get().kind()).isEqualTo(ExpertError.Kind.HTTP_STATUS);
        assertThat(server.requests()).isEqualTo(4);
        assertThat(breaker.call(Fixtures.request(model, "q")).error().get().kind()).isEqualTo(ExpertError.Kind.CIRCUIT_OPEN);
        assertThat(server.requests()).isEqualTo(4);

        // when: after another cool-down the server has recovered
        server.always(Reply.ok("back", 1, 1));
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        ExpertReply trial = breaker.call(Fixtures.request(model, "q"));

        // then: the trial closes the circuit
        assertThat(trial.text()).contains("back");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerExpert.State.CLOSED);
        assertThat(breaker.call(Fixtures.request(model, "q")).ok()).isTrue();
    }

    @Test
    void should_not_count_client_errors_towards_opening() {
        server.always(Reply.status(400));
        CircuitBreakerExpert breaker = CircuitBreakerExpert.create(OpenAiExpert.create(model, Fixtures.env()),
                model.id(), 2, Duration.ofSeconds(30), now::get);

        for (int i = 0; i < 5; i++) {
            breaker.call(Fixtures.request(model, "q"));
        }

        assertThat(breaker.state()).isEqualTo(CircuitBreakerExpert.State.CLOSED);
        assertThat(server.requests()).isEqualTo(5);
    }

    @Test
    void should_end_retries_at_once_when_the_circuit_is_open() {
        server.always(Reply.status(500));
        Expert chain = RetryingExpert.builder(CircuitBreakerExpert.create(OpenAiExpert.create(model, Fixtures.env()),
                        model.id(), 2, Duration.ofMinutes(1), now::get))
                .maxAttempts(10).sleeper(fakeSleeper()).nanoClock(now::get).build();

        ExpertReply reply = chain.call(Fixtures.request(model, "q"));

        assertThat(server.requests()).isEqualTo(2);
        assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.CIRCUIT_OPEN);
    }

    @Test
    void should_never_run_more_calls_at_once_than_max_concurrency() throws Exception {
        // given a slow backend that records how many calls overlap
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Expert slow = req -> {
            int n = inside.incrementAndGet();
            peak.accumulateAndGet(n, Math::max);
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return ExpertReply.text("ok", Usage.NONE, 0, 1);
        };
        ConcurrencyLimitedExpert limited = ConcurrencyLimitedExpert.create(slow, 2, Duration.ofSeconds(10));
        ExecutorService pool = Executors.newFixedThreadPool(8);

        // when
        List<Future<ExpertReply>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futures.add(pool.submit(() -> limited.call(Fixtures.request(model, "q"))));
        }
        Thread.sleep(300);
        int peakWhileBlocked = peak.get();
        release.countDown();
        for (Future<ExpertReply> f : futures) {
            assertThat(f.get(10, TimeUnit.SECONDS).ok()).isTrue();
        }
        pool.shutdown();

        // then
        assertThat(peakWhileBlocked).isEqualTo(2);
        assertThat(peak.get()).isEqualTo(2);
        assertThat(limited.availablePermits()).isEqualTo(2);
    }

    @Test
    void should_time_out_waiting_for_a_slot() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Expert blocking = req -> {
            try {
                hold.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ExpertReply.text("ok", Usage.NONE, 0, 1);
        };
        ConcurrencyLimitedExpert limited = ConcurrencyLimitedExpert.create(blocking, 1, Duration.ofMillis(100));
        Thread t = new Thread(() -> limited.call(Fixtures.request(model, "q")));
        t.start();
        Thread.sleep(100);

        ExpertReply second = limited.call(Fixtures.request(model, "q"));
        hold.countDown();
        t.join();

        assertThat(second.error()).map(ExpertError::kind).contains(ExpertError.Kind.TIMEOUT);
        assertThat(second.error().get().message()).contains("max-concurrency");
    }
}
