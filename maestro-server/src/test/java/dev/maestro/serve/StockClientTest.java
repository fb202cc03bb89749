package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.runtime.MaestroRuntime;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A two-turn chat from the stock npm {@code openai} client (src/test/node/two-turn-chat.js), without and with
 * streaming: the experts' requests carry turn one. Runs only where {@code node} is on the PATH and the client is
 * installed ({@code npm ci} in src/test/node, which .ci/run does); elsewhere it is skipped, not passed.
 */
class StockClientTest {
    static final Path NODE_DIR = Path.of("src", "test", "node").toAbsolutePath();

    static boolean nodeAvailable() {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("openai"))) {
            return false;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "node"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void should_carry_turn_one_to_the_experts_for_the_npm_openai_client_streaming_and_not() throws Exception {
        assumeTrue(nodeAvailable(), "node and src/test/node/node_modules/openai (npm ci) are needed");
        try (FakeExperts fake = new FakeExperts()) {
            Registry reg = Registry.of("live", List.of(fake.card("a", List.of())),
                    List.of(SkillCard.simple("direct", "answer directly", "{input}")));
            try (MaestroRuntime rt = MaestroRuntime.builder().registry(reg).env(Map.of()).grader((t, a) -> 0).build();
                 MaestroServer server = MaestroServer.builder(new Orchestrator("maestro", rt.environment(),
                         new FixedPairPolicy(new Pair("a", "direct")))).port(0).build().start()) {
                // when
                ProcessBuilder pb = new ProcessBuilder("node", "two-turn-chat.js").directory(NODE_DIR.toFile())
                        .redirectErrorStream(true);
                pb.environment().put("BASE_URL", server.url() + "/v1");
                Process p = pb.start();
                p.getOutputStream().close();
                String out;
                try {
                    out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } finally {
                    p.waitFor(60, TimeUnit.SECONDS);
                }
                // then
                assertThat(p.exitValue()).as(out).isZero();
                JsonNode r = FakeExperts.JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElse("{}"));
                assertThat(r.get("plain").asText()).isEqualTo("4");
                assertThat(r.get("streamed").asText()).isEqualTo("4");
                assertThat(r.get("plainLedger").asBoolean()).isTrue();
                assertThat(r.get("streamLedger").asBoolean()).isTrue();
                assertThat(r.get("chunks").asInt()).isGreaterThan(1);
                for (String kind : List.of("plain", "stream")) {
                    List<FakeExperts.Logged> sent = fake.log().stream()
                            .filter(l -> l.body().toString().contains("(stock " + kind + ")")).toList();
                    assertThat(sent).as(kind).hasSize(1);
                    String body = sent.get(0).body().get("messages").toString();
                    assertThat(body).as(kind).contains("You are terse.").contains("My number is 17. (stock)")
                            .contains("\"assistant\"");
                }
            }
        }
    }
}
