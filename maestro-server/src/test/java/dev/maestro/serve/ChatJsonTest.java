package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.episode.EpisodeNotes;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.Fallback;
import dev.maestro.expert.Usage;
import dev.maestro.protocol.Call;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The streamed chat completion and steps text parse to exactly what the {@link EpisodeJson} trees serialise to. */
class ChatJsonTest {
    static final Observation OK = new Observation(0, 0, new Call("Chart-R1", "Chart_Problem_Solver", "What is \"6 × 7\"?\n"),
            Optional.of("The bar labelled Go-Jek reaches 88%. Answer: Go-Jek"), Optional.of("Go-Jek"), Optional.empty(),
            new Usage(120, 30), 0.0042, 12.5);
    static final Observation FAILED = new Observation(1, 0, new Call("Broken-M", "cot", "count the bars"), Optional.empty(),
            Optional.empty(), Optional.of(ExpertError.of(ExpertError.Kind.TIMEOUT, "no response within 50 ms")), Usage.NONE, 0, 50);
    static final Observation FELL_BACK = new Observation(0, 1, new Call("Broken-M", "cot", "count"), Optional.of("7 bars"),
            Optional.of("7"), Optional.empty(), new Usage(3, 1), 1e-7, 0.1 + 0.2,
            Optional.of(new Fallback("Broken-M", Optional.of("Chart-R1"),
                    List.of(new Fallback.Failure("Broken-M", ExpertError.of(ExpertError.Kind.TIMEOUT, "slow"))))));
    static final Observation NOBODY = new Observation(0, 0, new Call("Broken-M", "cot", "count"), Optional.empty(), Optional.empty(),
            Optional.of(ExpertError.of(ExpertError.Kind.TIMEOUT, "slow")), Usage.NONE, 0, 3,
            Optional.of(new Fallback("Broken-M", Optional.empty(),
                    List.of(new Fallback.Failure("Broken-M", ExpertError.of(ExpertError.Kind.TIMEOUT, "slow"))))));

    static EpisodeResult episode(Optional<String> answer, List<Step> steps) {
        int calls = steps.stream().mapToInt(s -> s.observations().size()).sum();
        int errors = (int) steps.stream().flatMap(s -> s.observations().stream()).filter(o -> !o.ok()).count();
        return new EpisodeResult("chat", "chat", "fixed:Chart-R1@@Chart_Problem_Solver", 3, answer, 0, "none", 0, calls, 0.0042,
                12.5 + 1.0 / 3, new Usage(120, 30), 0, errors, true, steps, EpisodeNotes.NONE);
    }

    static List<EpisodeResult> episodes() {
        return List.of(
                // plain: one call, then the answer
                episode(Optional.of("Go-Jek"), List.of(new Step(0, "<search> Chart-R1@@Chart_Problem_Solver: q </search>", List.of(OK), "",
                        123_456), new Step(1, "<answer> Go-Jek </answer>", List.of(), "", 7))),
                // two calls in a turn, one failed; a fallback that answered; a malformed step with an error
                episode(Optional.of("7"), List.of(new Step(0, "two calls", List.of(OK, FAILED), "", 1_000_000),
                        new Step(1, "fallback", List.of(FELL_BACK), "", 0), new Step(2, "<answer>", List.of(), "unclosed <answer>", 5),
                        new Step(3, "<answer> 7 </answer>", List.of(), "", 1))),
                // no answer: every call failed, nobody answered instead
                episode(Optional.empty(), List.of(new Step(0, "call", List.of(NOBODY), "", 10))),
                // blank answer, no expert called (the tool-less shape)
                episode(Optional.of(" "), List.of(new Step(0, "<answer> </answer>", List.of(), "", 10))),
                // no steps at all
                episode(Optional.empty(), List.of()));
    }

    static ObjectNode settings() {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("max_calls", 4).put("max_cost", 0.05).put("max_turns", 4).put("cache", "on");
        n.putObject("cost_weight").put("requested", 0.5).put("applied", false);
        return n;
    }

    @ParameterizedTest
    @MethodSource("episodes")
    void the_streamed_completion_parses_to_what_the_tree_serialised(EpisodeResult r) throws IOException {
        ChatResponses.Served s = new ChatResponses.Served("chatcmpl-abc", "maestro", r, settings(), 0.123456);
        ChatJson.Buffer b = ChatJson.completion(s, 1_765_000_000L);
        byte[] steps = b.steps();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out, true);

        JsonNode tree = EpisodeJson.MAPPER.readTree(EpisodeJson.MAPPER.writeValueAsBytes(
                ChatResponses.completion(s, EpisodeJson.steps(r), 1_765_000_000L)));
        JsonNode streamed = EpisodeJson.MAPPER.readTree(out.toByteArray());

        assertThat(streamed).isEqualTo(tree);
        // the steps the trace stores: those of the response, and what the steps tree serialises to
        JsonNode treeSteps = EpisodeJson.MAPPER.readTree(EpisodeJson.MAPPER.writeValueAsString(EpisodeJson.steps(r)));
        assertThat(EpisodeJson.MAPPER.readTree(steps)).isEqualTo(treeSteps).isEqualTo(streamed.at("/maestro/steps"));
        assertThat(EpisodeJson.MAPPER.readTree(ChatJson.steps(r))).isEqualTo(treeSteps);
        // same fields in the same order, not only equal as maps
        assertThat(fieldOrder(streamed)).isEqualTo(fieldOrder(tree));
    }

    @ParameterizedTest
    @MethodSource("episodes")
    void the_buffer_is_reused_and_starts_empty(EpisodeResult r) throws IOException {
        ChatResponses.Served s = new ChatResponses.Served("chatcmpl-abc", "maestro", r, settings(), 1);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ChatJson.completion(s, 1).writeTo(first, true);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        ChatJson.Buffer b = ChatJson.completion(s, 1);
        assertThat(b.size()).isEqualTo(first.size());
        b.writeTo(second, false);

        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
        assertThat(b.size()).isZero();
    }

    private static String fieldOrder(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> sb.append(e.getKey()).append('{').append(fieldOrder(e.getValue())).append('}'));
        } else if (n.isArray()) {
            n.forEach(x -> sb.append('[').append(fieldOrder(x)).append(']'));
        }
        return sb.toString();
    }
}
