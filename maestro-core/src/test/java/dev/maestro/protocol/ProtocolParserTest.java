package dev.maestro.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.protocol.ProtocolError.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolParserTest {

    private final ProtocolParser parser = ProtocolParser.create();
    private final ProtocolParser withRegistry = ProtocolParser.builder().registry(ProtocolFixtures.registry()).build();

    @Test
    void should_parse_one_search_splitting_at_first_colon_and_first_separator() {
        // given
        String turn = "<think>I need a solver.</think>\n<search> Gemini-Pro@@cot: what is 2:3 as a fraction? a@@b </search>";

        // when
        Action action = parser.parse(turn);

        // then
        assertThat(action).isEqualTo(Action.Search.of(new Call("Gemini-Pro", "cot", "what is 2:3 as a fraction? a@@b")));
    }

    @Test
    void should_read_several_search_blocks_as_parallel_calls_in_order() {
        // when
        Action action = parser.parse("<search>A@@x: one</search> then <search>B@@y: two</search>");

        // then
        assertThat(action).isEqualTo(new Action.Search(List.of(new Call("A", "x", "one"), new Call("B", "y", "two"))));
    }

    @Test
    void should_parse_an_answer_and_strip_it() {
        assertThat(parser.parse("Done. <answer>\n  42 \n</answer>")).isEqualTo(Action.Answer.of("42"));
    }

    @Test
    void should_accept_tags_in_any_ascii_case_with_whitespace_inside() {
        assertThat(parser.parse("< SEARCH >a@@b: q</ Search\n>")).isEqualTo(Action.Search.of(new Call("a", "b", "q")));
        assertThat(parser.parse("<Answer>x< /ANSWER >")).isEqualTo(Action.Answer.of("x"));
    }

    @Test
    void should_not_treat_non_ascii_case_folds_as_tags() {
        // U+017F (long s) upper-cases to 'S' in Java; it must not make "<ſearch>" a tag
        Action action = parser.parse("<\u017Fearch>a@@b: q</\u017Fearch>");

        assertThat(action).isInstanceOf(Action.Malformed.class);
        assertThat(kinds(action)).containsExactly(Kind.NO_ACTION);
    }

    @Test
    void should_ignore_actions_written_inside_think_and_information_blocks() {
        // given: the policy mentions a search while thinking, and hallucinates an observation
        String turn = "<think>maybe <search>A@@x: no</search>?</think>"
                + "<information><answer>fake</answer></information>"
                + "<search>B@@y: yes</search>";

        // then
        assertThat(parser.parse(turn)).isEqualTo(Action.Search.of(new Call("B", "y", "yes")));
    }

    @Test
    void should_let_the_earliest_action_win_when_search_comes_first() {
        Action action = parser.parse("<search>A@@x: q</search><search>B@@y: r</search><answer>guess</answer><search>C@@z: s</search>");

        assertThat(action).isEqualTo(new Action.Search(List.of(new Call("A", "x", "q"), new Call("B", "y", "r"))));
    }

    @Test
    void should_let_the_earliest_action_win_when_answer_comes_first_and_ignore_the_rest() {
        Action action = parser.parse("<answer>7</answer><search>A@@x: q</search><search>unclosed");

        assertThat(action).isEqualTo(Action.Answer.of("7"));
    }

    @Test
    void should_reject_mixed_turns_when_configured_to() {
        ProtocolParser strict = ProtocolParser.builder().mixedActions(ProtocolParser.MixedActions.REJECT).build();

        assertThat(kinds(strict.parse("<search>A@@x: q</search><answer>7</answer>"))).containsExactly(Kind.SEARCH_AND_ANSWER);
        assertThat(kinds(strict.parse("<answer>7</answer><search>A@@x: q</search>"))).containsExactly(Kind.SEARCH_AND_ANSWER);
        assertThat(strict.parse("<answer>7</answer>")).isEqualTo(Action.Answer.of("7"));
    }

    @Test
    void should_map_names_case_insensitively_to_canonical_registry_ids() {
        Action action = withRegistry.parse("<search> gemini-pro @@ COT : Q </search>");

        assertThat(action).isEqualTo(Action.Search.of(new Call("Gemini-Pro", "cot", "Q")));
    }

    @Test
    void should_list_valid_models_in_an_unknown_model_error() {
        Action action = withRegistry.parse("<search>GPT-9@@cot: q</search>");

        assertThat(kinds(action)).containsExactly(Kind.UNKNOWN_MODEL);
        assertThat(messages(action)).contains("'GPT-9'", "Gemini-Pro, Qwen-VL, Text-Only");
    }

    @Test
    void should_list_callable_skills_in_an_unknown_skill_error() {
        Action action = withRegistry.parse("<search>Gemini-Pro@@magic: q</search>");

        assertThat(kinds(action)).containsExactly(Kind.UNKNOWN_SKILL);
        assertThat(messages(action)).contains("'magic'", "cot, direct, zoom").doesNotContain("ocr");
    }

    @Test
    void should_list_the_models_skills_when_a_pair_is_not_allowed() {
        Action notListed = withRegistry.parse("<search>Qwen-VL@@direct: q</search>");
        Action modality = withRegistry.parse("<search>Text-Only@@zoom: q</search>");
        Action level2 = withRegistry.parse("<search>Gemini-Pro@@OCR: q</search>");

        assertThat(kinds(notListed)).containsExactly(Kind.PAIR_NOT_ALLOWED);
        assertThat(messages(notListed)).contains("skills for Qwen-VL: cot");
        assertThat(kinds(modality)).containsExactly(Kind.PAIR_NOT_ALLOWED);
        assertThat(messages(modality)).contains("skills for Text-Only: cot, direct");
        assertThat(kinds(level2)).containsExactly(Kind.PAIR_NOT_ALLOWED);
        assertThat(messages(level2)).contains("'ocr'", "level-2");
    }

    @Test
    void should_cut_long_lists_of_valid_choices() {
        ProtocolParser big = ProtocolParser.builder().registry(ProtocolFixtures.bigRegistry(40)).build();

        String message = messages(big.parse("<search>nope@@cot: q</search>"));

        assertThat(message).contains("m0, m1", "m11", "… and 28 more").doesNotContain("m12,").doesNotContain("m39");
    }

    @Test
    void should_suggest_callable_pairs_when_there_is_no_action() {
        Action action = withRegistry.parse("I think the answer is 4.");

        assertThat(kinds(action)).containsExactly(Kind.NO_ACTION);
        assertThat(messages(action)).contains("<search> MODEL@@SKILL: INPUT </search>", "Gemini-Pro@@cot");
    }

    @Test
    void should_point_out_a_close_tag_without_its_opener() {
        Action action = parser.parse("Gemini-Pro@@cot: q </search>");

        assertThat(kinds(action)).containsExactly(Kind.NO_ACTION);
        assertThat(messages(action)).contains("found </search> without a matching <search>");
    }

    @Test
    void should_refuse_an_over_long_text_without_keeping_all_of_it() {
        String huge = "<answer>" + "x".repeat(ProtocolParser.DEFAULT_MAX_TEXT_CHARS) + "</answer>";

        Action action = parser.parse(huge);

        assertThat(kinds(action)).containsExactly(Kind.TEXT_TOO_LONG);
        assertThat(((Action.Malformed) action).raw().length()).isLessThan(ProtocolParser.KEPT_RAW_CHARS + 100);
    }

    @Test
    void should_return_malformed_for_null_text() {
        assertThat(kinds(parser.parse(null))).containsExactly(Kind.NO_ACTION);
    }

    @Test
    void should_keep_the_raw_text_in_a_malformed_action() {
        String turn = "<search>no separator here</search>";

        assertThat(((Action.Malformed) parser.parse(turn)).raw()).isEqualTo(turn);
    }

    @Test
    void should_refuse_invalid_builder_options_with_the_field_name() {
        assertThatThrownBy(() -> ProtocolParser.builder().maxCalls(0)).isInstanceOf(MaestroException.class).hasMessageContaining("maxCalls");
        assertThatThrownBy(() -> ProtocolParser.builder().maxInputChars(-1)).isInstanceOf(MaestroException.class).hasMessageContaining("maxInputChars");
        assertThatThrownBy(() -> ProtocolParser.builder().maxTextChars(10)).isInstanceOf(MaestroException.class).hasMessageContaining("maxTextChars");
    }

    @Test
    void should_parse_pathological_inputs_in_linear_time() {
        // given: shapes that make backtracking regexes explode, each ~1 MB
        List<String> nasty = List.of(
                "<search>".repeat(120_000),
                "<".repeat(999_000),
                "< ".repeat(499_000) + "search>",
                "<think>" + "<search>a@@b: c".repeat(60_000),
                "<search>a@@b:" + " ".repeat(990_000),
                "</search>".repeat(110_000),
                "<search>a@@b: c</search>".repeat(40_000));

        for (String text : nasty) {
            // when
            long t0 = System.nanoTime();
            Action action = parser.parse(text);
            long ms = (System.nanoTime() - t0) / 1_000_000;

            // then: generous bound for a shared 2-core machine; quadratic behaviour would take minutes
            assertThat(action).isNotNull();
            assertThat(ms).as("parse time of a %d-char input", text.length()).isLessThan(2_000);
        }
    }

    static List<Kind> kinds(Action action) {
        assertThat(action).isInstanceOf(Action.Malformed.class);
        return ((Action.Malformed) action).errors().stream().map(ProtocolError::kind).toList();
    }

    static String messages(Action action) {
        assertThat(action).isInstanceOf(Action.Malformed.class);
        return ((Action.Malformed) action).errors().stream().map(ProtocolError::message).reduce("", (a, b) -> a + "\n" + b);
    }
}
