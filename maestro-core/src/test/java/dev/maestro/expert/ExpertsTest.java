package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpertsTest {
    @TempDir
    Path dir;
    private FakeOpenAiServer server;

    @BeforeEach
    void start() throws IOException {
        server = FakeOpenAiServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Registry registry() {
        ModelCard live = Fixtures.openAiModel(server.baseUrl());
        ModelCard replay = ModelCard.builder("Gemini-Pro", Backend.REPLAY)
                .settings(Map.of("recorded", Fixtures.data("mathv/recorded.jsonl.gz").toString())).build();
        ModelCard sim = ModelCard.builder("Sim-1", Backend.SIMULATED).build();
        ModelCard tool = ModelCard.builder("calculator", Backend.NONE).build();
        return Registry.of("mixed", List.of(live, replay, sim, tool),
                List.of(SkillCard.simple("cot", "step by step", "{question}")));
    }

    @Test
    void should_wire_each_backend_with_its_decorators() {
        // given
        List<String> simulatedFor = new ArrayList<>();
        Experts.Options options = Experts.Options.builder()
                .env(Fixtures.env())
                .cache(dir.resolve("cache.sqlite"))
                .sleeper(d -> { })
                .simulated(m -> {
                    simulatedFor.add(m.id());
                    return req -> ExpertReply.text("simulated", Usage.NONE, 0, 1);
                })
                .build();
        Registry registry = registry();

        // when
        Map<String, Expert> experts = Experts.forRegistry(registry, options);

        // then
        assertThat(experts).containsOnlyKeys("Fake-VL", "Gemini-Pro", "Sim-1", "calculator");
        assertThat(experts.get("Fake-VL").toString())
                .startsWith("Caching[cache.sqlite](Retrying[4x](CircuitBreaker[10](ConcurrencyLimited[2](Counting(OpenAiExpert[Fake-VL");
        assertThat(experts.get("Gemini-Pro")).isInstanceOf(ReplayExpert.class);
        assertThat(simulatedFor).containsExactly("Sim-1");

        ModelCard live = registry.model("Fake-VL").orElseThrow();
        server.then(Reply.status(503), Reply.ok("live answer", 3, 2));
        ExpertRequest req = Fixtures.request(live, "q");
        assertThat(experts.get("Fake-VL").call(req).text()).contains("live answer");
        assertThat(experts.get("Fake-VL").call(req).text()).contains("live answer");
        assertThat(server.requests()).isEqualTo(2); // one retry, then the cache

        ModelCard calc = registry.model("calculator").orElseThrow();
        ExpertReply toolOnly = experts.get("calculator").call(Fixtures.request(calc, "1+1"));
        assertThat(toolOnly.error()).map(ExpertError::kind).contains(ExpertError.Kind.INVALID_REQUEST);
        assertThat(toolOnly.error().get().message()).startsWith("tool-only model calculator");

        experts.values().forEach(Expert::close);
    }

    @Test
    void should_demand_a_factory_for_simulated_models() {
        assertThatThrownBy(() -> Experts.forRegistry(registry(), Experts.Options.builder().env(Fixtures.env()).build()))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("Sim-1")
                .hasMessageContaining("simulated(factory)");
    }

    @Test
    void should_build_without_cache_and_retry_only_the_configured_number_of_times() {
        server.always(Reply.status(500));
        Registry registry = registry().filterModels(m -> m.backend() == Backend.OPENAI);
        Map<String, Expert> experts = Experts.forRegistry(registry, Experts.Options.builder()
                .env(Fixtures.env()).retryAttempts(2).retryBaseDelay(Duration.ZERO).sleeper(d -> { }).build());

        ExpertReply reply = experts.get("Fake-VL").call(Fixtures.request(registry.model("Fake-VL").orElseThrow(), "q"));

        assertThat(experts.get("Fake-VL").toString()).startsWith("Retrying[2x]");
        assertThat(reply.error().get().message()).startsWith("500").endsWith("[after 2 attempts]");
        assertThat(server.requests()).isEqualTo(2);
    }
}
