package dev.maestro.protocol;

import static dev.maestro.protocol.ProtocolError.Kind.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.protocol.ProtocolError.Kind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per error kind: the turn, the parser options, the kinds expected, and a fragment the message must hold. */
class ProtocolParserErrorTableTest {

    private static final ProtocolParser PLAIN = ProtocolParser.builder().maxInputChars(20).maxCalls(2).build();
    private static final ProtocolParser REG = ProtocolParser.builder().registry(ProtocolFixtures.registry()).build();
    private static final ProtocolParser REJECT =
            ProtocolParser.builder().mixedActions(ProtocolParser.MixedActions.REJECT).build();

    static Stream<Arguments> rows() {
        return Stream.of(
                row("empty text", PLAIN, "", List.of(NO_ACTION), "<answer> TEXT </answer>"),
                row("prose only", PLAIN, "the answer is 3", List.of(NO_ACTION), "no complete action"),
                row("unclosed search", PLAIN, "<search>A@@x: q", List.of(UNCLOSED_TAG), "<search> at character 0 is never closed"),
                row("unclosed answer", PLAIN, "so <answer> 3", List.of(UNCLOSED_TAG), "<answer> at character 3"),
                row("unclosed think", PLAIN, "<think>hmm <answer>3</answer>", List.of(UNCLOSED_TAG), "</think>"),
                row("second search unclosed", PLAIN, "<search>A@@x: q</search><search>B@@y: r", List.of(UNCLOSED_TAG), "character 24"),
                row("search in search", PLAIN, "<search>A@@x: <search>B@@y: r</search></search>", List.of(NESTED_TAG), "found <search> at character 14 inside <search>"),
                row("answer in search", PLAIN, "<search>A@@x: q <answer>1</answer>", List.of(NESTED_TAG), "inside <search>"),
                row("wrong closer", PLAIN, "<answer>1</search>", List.of(NESTED_TAG), "close it with </answer>"),
                row("missing @@", PLAIN, "<search>Gemini-Pro cot: q</search>", List.of(MISSING_SEPARATOR), "no '@@'"),
                row("single @", PLAIN, "<search>Gemini-Pro@cot: q</search>", List.of(MISSING_SEPARATOR), "'Gemini-Pro@cot: q'"),
                row("@@ only after colon", PLAIN, "<search>A: x@@y</search>", List.of(MISSING_SEPARATOR), "no '@@'"),
                row("missing colon", PLAIN, "<search>A@@x q</search>", List.of(MISSING_COLON), "no ':'"),
                row("missing both", PLAIN, "<search>hello</search>", List.of(MISSING_SEPARATOR, MISSING_COLON), "MODEL@@SKILL: INPUT"),
                row("empty model", PLAIN, "<search> @@x: q</search>", List.of(EMPTY_MODEL), "model name is empty"),
                row("empty skill", PLAIN, "<search>A@@ : q</search>", List.of(EMPTY_SKILL), "skill name is empty"),
                row("empty model lists models", REG, "<search>@@cot: q</search>", List.of(EMPTY_MODEL), "valid models: Gemini-Pro"),
                row("empty input", PLAIN, "<search>A@@x:   </search>", List.of(EMPTY_INPUT), "input after ':' is empty"),
                row("everything empty", PLAIN, "<search>@@:</search>", List.of(EMPTY_MODEL, EMPTY_SKILL, EMPTY_INPUT), "empty"),
                row("input too long", PLAIN, "<search>A@@x: " + "y".repeat(21) + "</search>", List.of(INPUT_TOO_LONG), "21 characters, at most 20"),
                row("too many calls", PLAIN, "<search>A@@x: 1</search><search>A@@x: 2</search><search>A@@x: 3</search>", List.of(TOO_MANY_CALLS), "3 <search> blocks, at most 2"),
                row("too many and a bad one", PLAIN, "<search>A@@x: 1</search><search>bad</search><search>A@@x: 3</search>", List.of(TOO_MANY_CALLS, MISSING_SEPARATOR, MISSING_COLON), "at most 2"),
                row("unknown model", REG, "<search>Claude@@cot: q</search>", List.of(UNKNOWN_MODEL), "valid models: Gemini-Pro, Qwen-VL, Text-Only"),
                row("unknown skill", REG, "<search>Gemini-Pro@@dance: q</search>", List.of(UNKNOWN_SKILL), "valid skills: cot, direct, zoom"),
                row("unknown both", REG, "<search>X@@Y: q</search>", List.of(UNKNOWN_MODEL, UNKNOWN_SKILL), "unknown"),
                row("pair not allowed", REG, "<search>Qwen-VL@@zoom: q</search>", List.of(PAIR_NOT_ALLOWED), "skills for Qwen-VL: cot"),
                row("level-2 skill", REG, "<search>Gemini-Pro@@ocr: q</search>", List.of(PAIR_NOT_ALLOWED), "level-2"),
                row("search then answer (reject)", REJECT, "<search>A@@x: q</search><answer>1</answer>", List.of(SEARCH_AND_ANSWER), "not both"),
                row("answer then search (reject)", REJECT, "<answer>1</answer> <search>A@@x: q</search>", List.of(SEARCH_AND_ANSWER), "not both"),
                row("empty answer", PLAIN, "<answer>  \n </answer>", List.of(EMPTY_ANSWER), "empty"),
                row("text too long", ProtocolParser.builder().maxTextChars(5_000).build(), "<answer>" + "z".repeat(5_000) + "</answer>", List.of(TEXT_TOO_LONG), "more than the 5000 allowed"));
    }

    private static Arguments row(String name, ProtocolParser parser, String text, List<Kind> kinds, String fragment) {
        return Arguments.of(name, parser, text, kinds, fragment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void should_report_each_error_kind_with_a_helpful_message(String name, ProtocolParser parser, String text,
                                                              List<Kind> kinds, String fragment) {
        // when
        Action action = parser.parse(text);

        // then
        assertThat(action).isInstanceOf(Action.Malformed.class);
        Action.Malformed m = (Action.Malformed) action;
        assertThat(m.errors()).extracting(ProtocolError::kind).containsExactlyElementsOf(kinds);
        assertThat(m.errors()).extracting(ProtocolError::message).anySatisfy(msg -> assertThat(msg).contains(fragment));
    }

    @Test
    void should_cover_every_error_kind_in_the_table() {
        List<Kind> covered = rows().flatMap(a -> ((List<?>) a.get()[3]).stream()).map(Kind.class::cast).distinct().toList();

        assertThat(covered).containsExactlyInAnyOrder(Kind.values());
    }
}
