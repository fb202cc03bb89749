package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolsTest {

    @Test
    void should_list_every_builtin_tool_by_name() {
        // given / when
        Tools tools = Tools.defaults();

        // then
        assertThat(tools.names()).containsExactly("crop", "zoom", "resize", "ocr", "calculator", "count-circles",
                "nested-squares", "grid-size", "line-intersections", "touching-circles");
        assertThat(tools.all()).allSatisfy(t -> assertThat(t.description()).isNotBlank());
        assertThat(tools.find("ocr")).map(Tool::name).contains("ocr");
        assertThat(tools.find("nope")).isEmpty();
    }

    @Test
    void should_name_valid_tools_when_a_name_is_unknown() {
        // given
        Tools tools = Tools.defaults();

        // when / then
        assertThatThrownBy(() -> tools.require("zooom"))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("unknown tool 'zooom'")
                .hasMessageContaining("zoom, resize");
        ToolResult r = tools.run("zooom", ToolInput.text("1+1"));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains("valid tools: crop, zoom"));
        assertThat(r.observation()).startsWith("tool error: ");
    }

    @Test
    void should_reject_duplicate_names() {
        assertThatThrownBy(() -> Tools.of(List.of(new CalculatorTool(), new CalculatorTool())))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("duplicate tool name 'calculator'");
    }

    @Test
    void should_refuse_null_parts_of_an_input() {
        assertThatThrownBy(() -> new ToolInput(List.of(), null, "")).isInstanceOf(NullPointerException.class);
    }
}
