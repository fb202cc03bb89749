package dev.maestro.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How a step's argument(s) become an MCP tool's arguments, read against its input schema. */
class ArgumentMapperTest {
    static final ArgumentMapper.Schema ADD = ArgumentMapper.Schema.of(Map.of("type", "object",
            "properties", new TreeMap<>(Map.of("a", Map.of("type", "integer"), "b", Map.of("type", "integer"))), "required", List.of("a", "b")));
    static final ArgumentMapper.Schema SEARCH = ArgumentMapper.Schema.of(Map.of("type", "object",
            "properties", Map.of("query", Map.of("type", "string"), "limit", Map.of("type", List.of("integer", "null")),
                    "exact", Map.of("type", "boolean"), "tags", Map.of("type", "array"), "score", Map.of("type", "number")),
            "required", List.of("query")));

    @Test
    void should_coerce_rendered_text_to_the_schema_types() {
        ArgumentMapper.Mapped m = ArgumentMapper.map("s/search", SEARCH, "", Map.of("query", "cats", "limit", " 5 ",
                "exact", "TRUE", "tags", "[\"a\", \"b\"]", "score", "0.25"));
        assertThat(m.error()).isEmpty();
        assertThat(m.arguments()).containsEntry("query", "cats").containsEntry("limit", BigInteger.valueOf(5))
                .containsEntry("exact", true).containsEntry("tags", List.of("a", "b"))
                .containsEntry("score", new BigDecimal("0.25"));
    }

    @Test
    void should_place_one_argument_in_the_only_required_property_and_read_a_json_object_for_several() {
        assertThat(ArgumentMapper.map("s/search", SEARCH, "dogs", Map.of()).arguments()).containsExactly(Map.entry("query", "dogs"));
        assertThat(ArgumentMapper.map("c/add", ADD, "{\"a\": 2, \"b\": \"3\"}", Map.of()).arguments())
                .containsEntry("a", BigInteger.TWO).containsEntry("b", BigInteger.valueOf(3));
        assertThat(ArgumentMapper.map("c/add", ADD, "2 and 3", Map.of()).error()).contains("tool 'c/add' takes the "
                + "arguments a, b; one text argument cannot be placed (write 'arguments:' in the step)");
    }

    @Test
    void should_name_the_argument_that_does_not_fit() {
        assertThat(ArgumentMapper.map("c/add", ADD, "", Map.of("a", "two", "b", 1)).error())
                .contains("argument 'a' of tool 'c/add' must be an integer (schema type integer), got 'two'");
        assertThat(ArgumentMapper.map("c/add", ADD, "", Map.of("a", 2.5, "b", 1)).error())
                .contains("argument 'a' of tool 'c/add' must be an integer (schema type integer), got '2.5'");
        assertThat(ArgumentMapper.map("c/add", ADD, "", Map.of("a", 1)).error()).contains("tool 'c/add' requires b");
    }

    @Test
    void should_find_at_load_what_a_step_gets_wrong() {
        assertThat(ArgumentMapper.check("c/add", ADD, "", Map.of("a", "{input}", "c", 1))).containsExactly(
                "tool 'c/add' takes no argument 'c'; it takes: a, b", "tool 'c/add' requires b; add it to 'arguments:'");
        assertThat(ArgumentMapper.check("c/add", ADD, "{input}", Map.of())).containsExactly("tool 'c/add' takes the "
                + "arguments a, b, so one 'argument: TEXT' cannot be placed; write 'arguments:' with name: value for each");
        assertThat(ArgumentMapper.check("c/add", ADD, "{\"a\": {input}, \"b\": 1}", Map.of())).isEmpty();
        assertThat(ArgumentMapper.check("s/search", SEARCH, "{input}", Map.of())).isEmpty();
        assertThat(ArgumentMapper.check("s/search", SEARCH, "", Map.of())).containsExactly(
                "tool 's/search' requires query; give 'argument: TEXT' or 'arguments:' in the step");
    }
}
