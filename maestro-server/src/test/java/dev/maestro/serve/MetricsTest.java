package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.episode.Observation;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.Usage;
import dev.maestro.protocol.Call;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The series each expert call and request updates, as /metrics renders them. */
class MetricsTest {
    private static Observation call(String model, String skill, Optional<ExpertError> error, long in, long out, double cost) {
        return new Observation(0, 0, new Call(model, skill, "count the bars"), Optional.of("7"), Optional.of("7"), error,
                new Usage(in, out), cost, 40);
    }

    @Test
    void should_count_calls_tokens_cost_errors_and_requests_per_label() {
        Metrics m = new Metrics();
        m.expertCall(call("Chart-R1", "Chart_Problem_Solver", Optional.empty(), 100, 20, 0.25));
        m.expertCall(call("Chart-R1", "Chart_Problem_Solver", Optional.empty(), 50, 10, 0.5));
        m.expertCall(call("Chart-R1", "OCR", Optional.of(ExpertError.of(ExpertError.Kind.TIMEOUT, "slow")), 0, 0, 0));
        m.expertCall(call("Qwen \"VL\"", "OCR", Optional.empty(), 7, 3, 0));
        m.request(MaestroServer.CHAT, 200, 300_000);
        m.request(MaestroServer.CHAT, 200, 2_000_000);
        m.request(MaestroServer.CHAT, 429, 50_000);

        String text = m.render();

        assertThat(text).contains("maestro_expert_calls_total{model=\"Chart-R1\",skill=\"Chart_Problem_Solver\"} 2\n")
                .contains("maestro_expert_calls_total{model=\"Chart-R1\",skill=\"OCR\"} 1\n")
                .contains("maestro_expert_calls_total{model=\"Qwen \\\"VL\\\"\",skill=\"OCR\"} 1\n")
                .contains("maestro_expert_errors_total{model=\"Chart-R1\",kind=\"timeout\"} 1\n")
                .contains("maestro_expert_tokens_total{model=\"Chart-R1\",direction=\"input\"} 150\n")
                .contains("maestro_expert_tokens_total{model=\"Chart-R1\",direction=\"output\"} 30\n")
                .contains("maestro_expert_cost_usd_total{model=\"Chart-R1\"} 0.75\n")
                .contains("maestro_expert_latency_seconds_count{model=\"Chart-R1\"} 3\n")
                .contains("maestro_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"} 2\n")
                .contains("maestro_requests_total{endpoint=\"/v1/chat/completions\",status=\"429\"} 1\n")
                .contains("maestro_request_duration_seconds_count{endpoint=\"/v1/chat/completions\"} 3\n");
        assertThat(m.requestCount(MaestroServer.CHAT, 200)).isEqualTo(2);
    }
}
