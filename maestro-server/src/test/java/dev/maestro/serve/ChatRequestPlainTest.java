package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.episode.EpisodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming reader of the common body ({@link ChatRequest#plain}) gives exactly the request the tree reader gives,
 * and for every other body {@link ChatRequest#parse} gives the tree reader's request or error, message included.
 */
class ChatRequestPlainTest {
    private static final ChatRequest.Limits LIMITS = new ChatRequest.Limits("maestro", EpisodeConfig.DEFAULT, 64, 100);
    private static final ImageInputs IMAGES = ImageInputs.builder().maxImageBytes(1 << 20).build();
    private static final String PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    static Stream<String> bodies() throws IOException {
        List<String> out = new ArrayList<>(List.of(
                // the plain shape, in variations the streaming reader takes
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 6 times 7?\"}]}",
                "{\"messages\":[{\"content\":\"q\",\"role\":\"user\"}],\"model\":\"maestro\",\"stream\":true}",
                "{\"model\":\"maestro\",\"stream\":false,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                        + "{\"role\":\"developer\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"hi\",\"name\":\"ann\"},"
                        + "{\"role\":\"assistant\",\"content\":\"hello\"},{\"role\":\"user\",\"content\":\"\\u00fcber \\\"6\\\" \\n\\t✓ 𝄞\"}]}",
                "  {\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}  \n",
                // shapes it leaves to the tree reader: valid ones
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"temperature\":0.5,\"seed\":3,"
                        + "\"maestro\":{\"max_calls\":2,\"cache\":\"off\"},\"stop\":[\"x\"],\"max_tokens\":9}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stream\":null,\"user\":null}",
                "{\"model\":\"maestro\",\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"name\":null}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"assistant\"},{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} trailing",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\""
                        + PNG + "\"}},{\"type\":\"text\",\"text\":\"what is it?\"}]}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":\"" + PNG
                        + "\"}]},{\"role\":\"assistant\",\"content\":\"a dot\"},{\"role\":\"user\",\"content\":\"and now?\"}]}",
                // and invalid ones: the tree reader's errors
                "", "null", "[]", "{", "{\"model\":\"maestro\"", "{\"model\":\"other\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "{\"model\":5,\"messages\":[]}",
                "{\"model\":\"maestro\",\"messages\":[]}", "{\"model\":\"maestro\",\"messages\":{}}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"assistant\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"  \"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"robot\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"tool\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":5,\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"tool_calls\":[]}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
                "{\"model\":\"maestro\",\"messages\":[\"q\"]}",
                "{\"model\":\"maestro\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"tools\":[],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"maestro\":{\"max_calls\":-1},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(140_000) + "\"}]}",
                "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\\u\"}]}"));
        try (Stream<Path> seeds = Files.list(Path.of("src/test/resources/dev/maestro/serve/ChatRequestFuzzTestInputs/fuzzParse"))) {
            for (Path p : seeds.sorted().toList()) {
                out.add(Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        return out.stream();
    }

    static List<Map<String, String>> headerSets() {
        return List.of(Map.of(), Map.of("X-Maestro-Max-Calls", "2", "X-Maestro-Cache", "off", "X-Maestro-Cost-Weight", "0.5"),
                Map.of("X-Maestro-Max-Turns", "99"), Map.of("X-Maestro-Cache", "maybe"));
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void gives_what_the_tree_reader_gives(String body) {
        // the fuzz seeds are raw bytes read as ISO-8859-1; the bodies above with characters beyond it are UTF-8
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1.newEncoder().canEncode(body) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        for (Map<String, String> headers : headerSets()) {
            Function<String, Optional<String>> h = k -> Optional.ofNullable(headers.get(k));
            assertThat(outcome(() -> parse(b, h, false))).as(body + " " + headers).isEqualTo(outcome(() -> parse(b, h, true)));
        }
    }

    @Test
    void takes_the_common_body_without_a_tree() {
        assertThat(ChatRequest.plain(("{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 6 times 7?\"}]}")
                .getBytes(StandardCharsets.UTF_8), LIMITS, k -> Optional.empty())).isPresent();
        assertThat(ChatRequest.plain("{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"seed\":1}"
                .getBytes(StandardCharsets.UTF_8), LIMITS, k -> Optional.empty())).isEmpty();
    }

    private static ChatRequest parse(byte[] body, Function<String, Optional<String>> headers, boolean tree) {
        try (ImageInputs.Batch imgs = IMAGES.batch()) {
            ChatRequest r = tree ? ChatRequest.parseTree(body, LIMITS, imgs, headers) : ChatRequest.parse(body, LIMITS, imgs, headers);
            // image files are temporary and named per batch: compare how many, not where
            return new ChatRequest(r.stream(), r.budget(), r.question(), r.seed(), r.chat().history().stream().allMatch(m -> m.images().isEmpty())
                    ? r.chat() : null, List.of(Path.of("images:" + r.images().size())), r.promptTokens(), r.costWeight(), r.cache());
        }
    }

    private static Object outcome(Supplier<ChatRequest> s) {
        try {
            return s.get();
        } catch (ApiError e) {
            return List.of(e.status(), e.code(), e.param(), e.getMessage());
        }
    }
}
