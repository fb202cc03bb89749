package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.episode.EpisodeConfig;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the {@code /v1/chat/completions} body parser, without HTTP: any bytes give a request or
 * an {@link ApiError} that the server answers as a 400 (404 only for another model name) with a message; never
 * another exception, which would become a 500. Image parts go through {@link ImageInputs} too, so data URLs exercise
 * the header checks (ImageIO readers, GIF screen, WebP) and an allow-listed {@code localhost} exercises the address
 * check (it resolves to loopback and is refused before any connection).
 *
 * <p>Seeds in {@code src/test/resources/dev/maestro/serve/ChatRequestFuzzTestInputs/fuzzParse/} are JSON bodies.
 * Under plain {@code mvn test} this runs in regression mode; with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class ChatRequestFuzzTest {
    private static final ChatRequest.Limits LIMITS = new ChatRequest.Limits("maestro", EpisodeConfig.DEFAULT, 64, 100);
    private static final ImageInputs IMAGES = ImageInputs.builder().allowedHosts(Set.of("localhost"))
            .maxImageBytes(1 << 20).build();

    @FuzzTest(maxDuration = "30s")
    void fuzzParse(byte[] body) {
        try (ImageInputs.Batch imgs = IMAGES.batch()) {
            ChatRequest r = ChatRequest.parse(body, LIMITS, imgs);
            assertThat(r.question()).isNotBlank();
            assertThat(r.budget().maxCalls()).isBetween(0, 64);
            assertThat(r.budget().maxCostUsd()).isBetween(0.0, 100.0);
            assertThat(r.budget().maxTurns()).isBetween(1, 16);
        } catch (ApiError e) {
            assertThat(e.status()).as(e.code() + ": " + e.getMessage()).isIn(400, 404);
            if (e.status() == 404) {
                assertThat(e.code()).isEqualTo("model_not_found");
            }
            assertThat(e.getMessage()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(e.code()).isNotBlank();
        }
    }
}
