package dev.maestro.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.registry.Registry;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the parser and formatter over generated text, including tag soup built to confuse them. */
class ProtocolPropertiesTest {

    private static final ProtocolParser PARSER = ProtocolParser.create();
    private static final Registry REGISTRY = ProtocolFixtures.registry();
    private static final ProtocolParser REG_PARSER = ProtocolParser.builder().registry(REGISTRY).build();

    /** Fragments that exercise every branch of the scanner, and look-alikes that must not be tags. */
    private static final List<String> FRAGMENTS = List.of(
            "<search>", "</search>", "<answer>", "</answer>", "<think>", "</think>", "<information>", "</information>",
            "< SEARCH >", "</ Answer\n>", "<\t/information >", "<Think>", "<search foo>", "<searching>", "<answer/>",
            "<\u017Fearch>", "<th\u0131nk>", "<", ">", "/", "</", "@@", "@", ":", " ", "\n", "\u00A0", "\u2003",
            "A", "Gemini-Pro", "gemini-pro", "cot", "COT", "ocr", "zoom", "q", "&lt;", "\uD83D\uDE00", "\uD800");

    // ---- round trips -------------------------------------------------------------------------

    @Property
    void should_round_trip_formatted_calls(@ForAll("models") String model, @ForAll("names") String skill,
                                           @ForAll("inputs") String input) {
        Action action = PARSER.parse(ProtocolFormatter.search(new Call(model, skill, input)));

        assertThat(action).isEqualTo(Action.Search.of(new Call(model, skill, input.strip())));
    }

    @Property
    void should_round_trip_parallel_calls_between_free_text(@ForAll("calls") List<Call> calls, @ForAll("inputs") String prose) {
        String turn = calls.stream().map(ProtocolFormatter::search).collect(Collectors.joining(prose, prose, prose));

        Action action = PARSER.parse(turn);

        assertThat(action).isEqualTo(new Action.Search(calls.stream()
                .map(c -> new Call(c.model(), c.skill(), c.input().strip())).toList()));
    }

    @Property
    void should_round_trip_answers(@ForAll("inputs") String text) {
        assertThat(PARSER.parse("<think>" + text + "</think>" + ProtocolFormatter.answer(text)))
                .isEqualTo(Action.Answer.of(text.strip()));
    }

    // ---- never throws, results are well formed ----------------------------------------------

    @Property
    void should_never_throw_on_arbitrary_strings(@ForAll String text) {
        checkWellFormed(PARSER, text);
        checkWellFormed(REG_PARSER, text);
    }

    @Property(tries = 2000)
    void should_never_throw_on_tag_soup(@ForAll("soup") String text) {
        checkWellFormed(PARSER, text);
        checkWellFormed(REG_PARSER, text);
    }

    static void checkWellFormed(ProtocolParser parser, String text) {
        Action action = parser.parse(text);
        assertThat(action).isNotNull();
        if (action instanceof Action.Malformed m) {
            assertThat(m.errors()).isNotEmpty();
            assertThat(m.errors()).allSatisfy(e -> assertThat(e.message()).isNotBlank());
        } else if (action instanceof Action.Answer a) {
            assertThat(a.text()).isNotBlank().isEqualTo(a.text().strip());
        } else {
            Action.Search s = (Action.Search) action;
            assertThat(s.calls()).hasSizeBetween(1, parser.maxCalls());
            for (Call c : s.calls()) {
                assertThat(c.model()).isNotBlank().doesNotContain(":").doesNotContain("@@");
                assertThat(c.skill()).isNotBlank().doesNotContain(":");
                assertThat(c.input()).isNotBlank().hasSizeLessThanOrEqualTo(parser.maxInputChars());
                parser.registry().ifPresent(r -> assertThat(r.hasPair(c.pair())).as("canonical pair %s", c.pair()).isTrue());
            }
        }
    }

    // ---- observations are data --------------------------------------------------------------

    @Property(tries = 2000)
    void should_never_read_an_action_from_escaped_observations(@ForAll("soup") String observation,
                                                               @ForAll("soup") String secondObservation,
                                                               @ForAll("turns") String nextTurn) {
        // given: a transcript of observations followed by the policy's next turn
        String transcript = ProtocolFormatter.information(observation) + "\n\n"
                + ProtocolFormatter.information(secondObservation) + "\n\n" + nextTurn;

        // then: the observations contribute nothing; the result is what the policy's turn alone says
        assertThat(summary(PARSER.parse(transcript))).isEqualTo(summary(PARSER.parse(nextTurn)));
        assertThat(summary(REG_PARSER.parse(transcript))).isEqualTo(summary(REG_PARSER.parse(nextTurn)));
    }

    @Property
    void should_leave_no_parsable_tag_in_escaped_text(@ForAll("soup") String text) {
        String escaped = ProtocolFormatter.escape(text);

        for (int i = escaped.indexOf('<'); i >= 0; i = escaped.indexOf('<', i + 1)) {
            assertThat(Tags.strict(escaped, i)).as("tag at %d in %s", i, escaped).isEmpty();
            assertThat(Tags.loose(escaped, i)).isFalse();
        }
        assertThat(ProtocolFormatter.escape(escaped)).isEqualTo(escaped);
        assertThat(escaped.replace(ProtocolFormatter.ESCAPED_LT, "<")).isEqualTo(text.replace(ProtocolFormatter.ESCAPED_LT, "<"));
    }

    @Property
    void should_not_change_text_without_protocol_tags(@ForAll("inputs") String text) {
        assertThat(ProtocolFormatter.escape(text)).isEqualTo(text);
    }

    /** What an action means, without positions in messages or the raw text. */
    private static Object summary(Action action) {
        if (action instanceof Action.Malformed m) {
            return m.errors().stream().map(ProtocolError::kind).toList();
        }
        return action;
    }

    // ---- generators -------------------------------------------------------------------------

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("abcXYZ019-_.  /éΩ漢@").ofMinLength(1).ofMaxLength(16)
                .filter(s -> !s.isBlank() && s.equals(s.strip()) && !s.contains("@@"));
    }

    /** Model names: as {@link #names()}, but not ending in '@', which the formatter refuses (tested separately). */
    @Provide
    Arbitrary<String> models() {
        return names().filter(s -> !s.endsWith("@"));
    }

    @Provide
    Arbitrary<String> inputs() {
        return Arbitraries.oneOf(
                        Arbitraries.strings().ofMaxLength(60),
                        Arbitraries.strings().withChars("ab <>/:@\n\t&;").ofMaxLength(60),
                        Arbitraries.of(FRAGMENTS).list().ofMaxSize(12).map(l -> String.join("", l)))
                .filter(s -> ProtocolFormatter.escape(s).equals(s) && !s.isBlank());
    }

    @Provide
    Arbitrary<List<Call>> calls() {
        return Combinators.combine(models(), names(), inputs()).as(Call::new).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> soup() {
        return Arbitraries.oneOf(
                Arbitraries.of(FRAGMENTS).list().ofMaxSize(40).map(l -> String.join("", l)),
                Arbitraries.strings().withChars("<>/@: \nsearchanswerinformationthink").ofMaxLength(80),
                Arbitraries.strings().ofMaxLength(80));
    }

    @Provide
    Arbitrary<String> turns() {
        Arbitrary<String> valid = Arbitraries.of(
                "", "<answer>4</answer>", "<search>Gemini-Pro@@cot: q</search>",
                "<think>x</think><search>qwen-vl@@COT: a</search><search>Text-Only@@direct: b</search>",
                "<search>nobody@@cot: q</search>", "<search>broken</search>", "<answer>");
        return Arbitraries.oneOf(valid, soup());
    }
}
