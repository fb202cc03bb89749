package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.Resilience;
import dev.maestro.registry.SkillCard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deployment failing after its retries (or behind an open breaker) hands the call to its fallbacks, and says so. */
class FallbackTest {
    private static ModelCard model(String id, String url, List<String> fallbacks) {
        return ModelCard.builder(id, Backend.OPENAI).baseUrl(url).modelName(id).description(id)
                .timeout(Duration.ofSeconds(5)).price(Fixtures.PRICE)
                .resilience(Resilience.DEFAULTS.withFallbacks(fallbacks)).build();
    }

    private static Experts.Options.Builder options() {
        return Experts.Options.builder().env(EnvLookup.of(Map.of())).retryAttempts(2).sleeper(d -> { })
                .breakerThreshold(4).breakerCoolDown(Duration.ofMinutes(5));
    }

    @Test
    void should_answer_from_the_fallback_when_the_primary_returns_500s(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer down = FakeOpenAiServer.start().always(Reply.status(500));
             FakeOpenAiServer up = FakeOpenAiServer.start().always(Reply.ok("The answer is 4.", 10, 3))) {
            // given
            Registry reg = Registry.of("fb", List.of(model("primary", down.baseUrl(), List.of("backup")),
                    model("backup", up.baseUrl(), List.of())), List.of(SkillCard.simple("direct", "d", "{input}")));
            Deployments deployments = Deployments.create();
            Map<String, Expert> experts = Experts.forRegistry(reg, options().deployments(deployments)
                    .cache(dir.resolve("cache.sqlite")).build());
            ExpertRequest req = Fixtures.request(reg.model("primary").orElseThrow(), "What is 2+2?");

            // when
            ExpertReply r = experts.get("primary").call(req);
            ExpertReply again = experts.get("primary").call(req);

            // then: answered by the backup, the primary's failure (after its 2 attempts) named
            assertThat(r.ok()).isTrue();
            assertThat(r.text()).contains("The answer is 4.");
            assertThat(r.fallback()).hasValueSatisfying(f -> {
                assertThat(f.requested()).isEqualTo("primary");
                assertThat(f.answeredBy()).contains("backup");
                assertThat(f.failed()).singleElement().satisfies(x -> {
                    assertThat(x.model()).isEqualTo("primary");
                    assertThat(x.error().message()).startsWith("500").contains("after 2 attempts");
                });
            });
            assertThat(down.requests()).isEqualTo(4).as("a fallback answer is not cached as the primary's");
            assertThat(again.fallback()).isPresent();
            assertThat(up.received().get(0).json().get("model").asText())
                    .isEqualTo("backup");
            assertThat(deployments.state("primary")).hasValueSatisfying(s -> {
                assertThat(s.recentRequests()).isEqualTo(4);
                assertThat(s.recentErrorRate()).isEqualTo(1.0);
                assertThat(s.breaker()).contains(CircuitBreakerExpert.State.OPEN);
                assertThat(s.failing()).isTrue();
                assertThat(s.lastError()).hasValueSatisfying(e -> assertThat(e).contains("500"));
            });
            assertThat(deployments.state("backup")).hasValueSatisfying(s -> assertThat(s.failing()).isFalse());
            experts.values().forEach(Expert::close);
        }
    }

    @Test
    void should_fall_back_at_once_when_the_breaker_is_open_and_report_every_failure_when_all_fail() throws Exception {
        try (FakeOpenAiServer down = FakeOpenAiServer.start().always(Reply.status(503));
             FakeOpenAiServer alsoDown = FakeOpenAiServer.start().always(Reply.status(502))) {
            // given: the primary's breaker opens after 2 failed requests
            Registry reg = Registry.of("fb", List.of(model("primary", down.baseUrl(), List.of("backup")),
                    model("backup", alsoDown.baseUrl(), List.of())), List.of(SkillCard.simple("direct", "d", "{input}")));
            Map<String, Expert> experts = Experts.forRegistry(reg, options().retryAttempts(1).breakerThreshold(2).build());
            ExpertRequest req = Fixtures.request(reg.model("primary").orElseThrow(), "What is 2+2?");
            experts.get("primary").call(req);
            experts.get("primary").call(req);
            int before = down.requests();

            // when
            ExpertReply r = experts.get("primary").call(req);

            // then
            assertThat(down.requests()).as("open circuit: no request").isEqualTo(before);
            assertThat(r.ok()).isFalse();
            assertThat(r.error().orElseThrow().kind()).isEqualTo(ExpertError.Kind.CIRCUIT_OPEN);
            assertThat(r.error().orElseThrow().message()).contains("fallbacks failed too: backup: ").contains("502 Bad Gateway");
            assertThat(r.fallback()).hasValueSatisfying(f -> {
                assertThat(f.answeredBy()).isEmpty();
                assertThat(f.failed()).extracting(Fallback.Failure::model).containsExactly("primary", "backup");
            });
            experts.values().forEach(Expert::close);
        }
    }
}
