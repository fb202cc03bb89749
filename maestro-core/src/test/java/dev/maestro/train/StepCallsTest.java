package dev.maestro.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** A pair's line in train_log.jsonl reads as the map it replaced wrote, and reads back (a run resumes from it). */
    @Test
    void should_write_and_read_back_a_pairs_errors_in_the_old_key_order() throws Exception {
        StepCalls.PairErrors e = new StepCalls.PairErrors(3, 1, 0.3333, Map.of("timeout", 1L));
        String line = "{\"calls\":3,\"errors\":1,\"error_rate\":0.3333,\"errors_by_kind\":{\"timeout\":1}}";

        assertThat(JSON.writeValueAsString(e)).isEqualTo(line);
        assertThat(JSON.readValue(line, StepCalls.PairErrors.class)).isEqualTo(e);
    }
}
