package dev.maestro.expert;

import static dev.maestro.expert.Fixtures.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.registry.ModelCard;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The findings C, D and E of the outside attack (hardening issue), replayed against {@link OpenAiExpert}: a model's
 * timeout bounds the whole call (connect, headers and body), a response body has a byte cap, and the key is
 * redacted from a 200 completion too. Each call must end within the model's timeout + 1 s with an error
 * observation naming the cause.
 */
class BoundedCallTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1000);

    private static ModelCard model(FakeOpenAiServer endpoint, Map<String, Object> settings) {
        return Fixtures.openAiModel(endpoint.baseUrl()).newBuilder().timeout(TIMEOUT).settings(settings).build();
    }

    /** Loads LangChain4j's and the HTTP client's classes, so the timings below measure calls, not class loading. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (FakeOpenAiServer ok = FakeOpenAiServer.start().always(HostileReplies.ok())) {
            assertThat(call(model(ok, Map.of())).ok()).isTrue();
        }
    }

    private static ExpertReply call(ModelCard model) {
        return OpenAiExpert.create(model, Fixtures.env()).call(Fixtures.request(model, "q"));
    }

    @Test
    void should_end_a_call_whose_endpoint_holds_the_connection_after_the_headers_within_the_timeout() throws Exception {
        try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(Reply.hang(10_000))) {
            long t0 = System.nanoTime();
            ExpertReply reply = call(model(endpoint, Map.of()));
            long ms = (System.nanoTime() - t0) / 1_000_000;

            assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.TIMEOUT);
            assertThat(reply.error().get().message()).contains("1000 ms");
            assertThat(ms).as("call time (ms)").isLessThan(TIMEOUT.toMillis() + 1000);
            System.out.printf("bounded call: hang after headers, timeout %d ms: TIMEOUT after %d ms%n", TIMEOUT.toMillis(), ms);
        }
    }

    @Test
    void should_end_a_call_whose_endpoint_trickles_its_body_within_the_timeout() throws Exception {
        try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(HostileReplies.trickle(100))) {
            long t0 = System.nanoTime();
            ExpertReply reply = call(model(endpoint, Map.of()));
            long ms = (System.nanoTime() - t0) / 1_000_000;

            assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.TIMEOUT);
            assertThat(ms).as("call time (ms), %s", reply).isLessThan(TIMEOUT.toMillis() + 1000);
            assertThat(endpoint.bodyBytesWritten()).as("bytes trickled before the client gave up").isPositive();
            System.out.printf("bounded call: trickle 1 byte/100 ms, timeout %d ms: TIMEOUT after %d ms (%d bytes)%n",
                    TIMEOUT.toMillis(), ms, endpoint.bodyBytesWritten());
        }
    }

    @Test
    void should_refuse_a_body_beyond_max_response_bytes_without_reading_it_all() throws Exception {
        for (Reply mode : List.of(Reply.huge(100_000_000L), Reply.hugeChunked(100_000_000L))) {
            try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(mode)) {
                ModelCard m = model(endpoint, Map.of("max-response-bytes", "1m"))
                        .newBuilder().timeout(Duration.ofSeconds(20)).build();

                long t0 = System.nanoTime();
                ExpertReply reply = call(m);
                long ms = (System.nanoTime() - t0) / 1_000_000;

                assertThat(reply.error()).as(mode.toString()).map(ExpertError::kind).contains(ExpertError.Kind.BAD_RESPONSE);
                assertThat(reply.error().get().message()).as(mode.toString())
                        .contains("1 MiB").contains("max-response-bytes").contains("Fake-VL");
                assertThat(reply.error().get().retryable()).isFalse();
                // the client stopped reading: far less than the 100 MB the endpoint wanted to send went out
                assertThat(endpoint.bodyBytesWritten()).as(mode.toString()).isLessThan(30_000_000L);
                System.out.printf("bounded call: %s 100 MB body, cap 1 MiB: BAD_RESPONSE after %d ms, %d body bytes"
                        + " written by the endpoint before the client hung up%n", mode, ms, endpoint.bodyBytesWritten());
            }
        }
    }

    @Test
    void should_redact_the_key_from_a_200_completion() throws Exception {
        try (FakeOpenAiServer endpoint = FakeOpenAiServer.start().always(HostileReplies.echoKey())) {
            ExpertReply reply = call(model(endpoint, Map.of()));

            assertThat(reply.ok()).isTrue();
            assertThat(reply.text()).hasValueSatisfying(t -> assertThat(t)
                    .contains("Your key is Bearer ***").doesNotContain(SECRET).doesNotContain("do-not-leak"));
        }
    }
}
