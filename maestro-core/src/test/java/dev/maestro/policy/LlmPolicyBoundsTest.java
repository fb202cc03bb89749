package dev.maestro.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.EnvLookup;
import dev.maestro.expert.HostileReplies;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator endpoint of {@link LlmPolicy} under the attacks of the hardening issue: its timeout bounds the
 * whole request (headers and body), its reply body is capped, and a key echoed in a 200 reply is redacted before
 * the reply becomes an action, a trace or a chat message.
 */
class LlmPolicyBoundsTest {
    private static final Environment ENV = Environment.builder(LlmPolicyTest.REG,
            Map.of("Solver-A", LlmPolicyTest.saying("4", "4"), "Reader-B", LlmPolicyTest.saying("x", "x")),
            LlmPolicyTest.EXACT).build();

    private static LlmPolicy.Builder policy(FakeOpenAiServer endpoint, Duration timeout) {
        return LlmPolicy.builder(endpoint.baseUrl(), "maestro-4b")
                .apiKeyEnv("ORCH_KEY").env(EnvLookup.of(Map.of("ORCH_KEY", LlmPolicyTest.KEY)))
                .timeout(timeout).retryBackoff(Duration.ofMillis(1)).maxRetries(0);
    }

    @BeforeAll
    static void warmUp() throws Exception {
        try (FakeOpenAiServer ok = FakeOpenAiServer.start().always(HostileReplies.ok())) {
            assertThat(ENV.run(LlmPolicyTest.TASK, policy(ok, Duration.ofSeconds(10)).build(), 1).answer()).isPresent();
        }
    }

    @Test
    void should_end_each_request_within_the_timeout_when_the_endpoint_hangs_or_trickles() throws Exception {
        for (Reply mode : List.of(Reply.hang(10_000), HostileReplies.trickle(100))) {
            try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(mode)) {
                long t0 = System.nanoTime();
                EpisodeResult r = ENV.run(LlmPolicyTest.TASK, policy(endpoint, Duration.ofMillis(800)).build(), 1);
                long ms = (System.nanoTime() - t0) / 1_000_000;

                int requests = endpoint.requests();
                assertThat(requests).as(mode.toString()).isPositive();
                assertThat(ms).as("%s: %d requests in %d ms", mode, requests, ms).isLessThan(requests * 1800L);
                assertThat(r.steps()).as(mode.toString()).allSatisfy(s -> assertThat(s.error()).contains("within 800 ms"));
            }
        }
    }

    @Test
    void should_refuse_a_reply_beyond_the_response_cap_without_reading_it_all() throws Exception {
        try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(Reply.hugeChunked(64_000_000L))) {
            EpisodeResult r = ENV.run(LlmPolicyTest.TASK, policy(endpoint, Duration.ofSeconds(30)).build(), 1);

            assertThat(r.steps()).isNotEmpty().allSatisfy(s -> assertThat(s.error())
                    .contains("larger than 16 MiB").contains("MAESTRO_MAX_RESPONSE_BYTES"));
            assertThat(endpoint.bodyBytesWritten() / endpoint.requests()).as("bytes sent per request")
                    .isLessThan(40_000_000L);
        }
    }

    @Test
    void should_redact_a_key_echoed_in_a_200_reply() throws Exception {
        try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(HostileReplies.echoKey())) {
            EpisodeResult r = ENV.run(LlmPolicyTest.TASK, policy(endpoint, Duration.ofSeconds(10)).build(), 1);

            assertThat(r.steps()).isNotEmpty();
            String chat = LlmConversation.of(r.notes()).orElseThrow().messages().toString();
            assertThat(chat).contains("Your key is Bearer ***").doesNotContain(LlmPolicyTest.KEY);
            assertThat(r.toString()).doesNotContain(LlmPolicyTest.KEY);
        }
    }
}
