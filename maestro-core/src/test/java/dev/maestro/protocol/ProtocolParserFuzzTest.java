package dev.maestro.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.maestro.protocol.ProtocolError.Kind;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Coverage-guided fuzzing of the parser and the observation escaper.
 *
 * <p>Under plain {@code mvn test} this runs in regression mode: once per file in
 * {@code src/test/resources/dev/maestro/protocol/ProtocolParserFuzzTestInputs/fuzzParse/} (plus an empty input).
 * With {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration}; see docs/protocol.md.
 * Inputs are raw bytes decoded as UTF-8, so seed files are plain text.
 */
class ProtocolParserFuzzTest {

    private static final ProtocolParser PLAIN = ProtocolParser.builder().maxInputChars(64).maxCalls(3).build();
    private static final ProtocolParser REGISTRY = ProtocolParser.builder().registry(ProtocolFixtures.registry()).build();
    private static final ProtocolParser REJECT =
            ProtocolParser.builder().mixedActions(ProtocolParser.MixedActions.REJECT).build();

    @FuzzTest(maxDuration = "60s")
    void fuzzParse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);

        // the parser never throws and returns well-formed actions, whatever the options
        for (ProtocolParser parser : List.of(PLAIN, REGISTRY, REJECT)) {
            ProtocolPropertiesTest.checkWellFormed(parser, text);
        }

        // the same text as an expert's observation is inert: it is no action, cannot close its block,
        // and cannot stop the policy's following action from being read
        String observation = ProtocolFormatter.information(text);
        Action alone = PLAIN.parse(observation);
        assertThat(alone).isInstanceOf(Action.Malformed.class);
        assertThat(((Action.Malformed) alone).errors()).extracting(ProtocolError::kind).containsExactly(Kind.NO_ACTION);
        assertThat(PLAIN.parse(observation + "<answer>ok</answer>")).isEqualTo(Action.Answer.of("ok"));
        assertThat(REGISTRY.parse(observation + "<search>gemini-pro@@COT: go</search>"))
                .isEqualTo(Action.Search.of(new Call("Gemini-Pro", "cot", "go")));
    }
}
