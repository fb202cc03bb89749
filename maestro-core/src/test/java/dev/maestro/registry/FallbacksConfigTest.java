package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoaderTest.ENV;
import static dev.maestro.registry.RegistryLoaderTest.reader;
import static dev.maestro.registry.RegistryLoaderTest.validRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fallbacks:} of models.yaml: read in order, and refused when an id is unknown, the model itself, or a cycle. */
class FallbacksConfigTest {
    private static String models(String aFallbacks, String bFallbacks) {
        return """
                name: live
                defaults:
                  backend: openai
                  base-url: http://127.0.0.1:9/v1
                  modalities: [text]
                models:
                  - id: primary
                    model-name: p
                    description: the main deployment
                """ + aFallbacks + """
                  - id: backup
                    model-name: b
                    description: a second deployment
                """ + bFallbacks + """
                  - id: spare
                    model-name: s
                    description: a third deployment
                """;
    }

    private static List<RegistryProblem> check(Path tmp, String models) throws IOException {
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), models);
        return reader(ENV).check(dir);
    }

    private static List<String> errors(List<RegistryProblem> p) {
        return p.stream().filter(x -> x.severity() == RegistryProblem.Severity.ERROR).map(RegistryProblem::toString).toList();
    }

    @Test
    void should_read_fallbacks_in_order(@TempDir Path tmp) throws IOException {
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), models("    fallbacks: [backup, spare]\n", ""));

        Registry r = reader(ENV).load(dir);

        assertThat(r.model("primary").orElseThrow().resilience().fallbacks()).containsExactly("backup", "spare");
        assertThat(r.model("backup").orElseThrow().resilience().fallbacks()).isEmpty();
    }

    @Test
    void should_refuse_an_unknown_fallback_naming_the_models(@TempDir Path tmp) throws IOException {
        List<String> e = errors(check(tmp, models("    fallbacks: [bakup]\n", "")));

        assertThat(e).singleElement().asString().contains("fallback 'bakup' is not a model of this registry")
                .contains("backup");
    }

    @Test
    void should_refuse_a_model_falling_back_to_itself(@TempDir Path tmp) throws IOException {
        List<String> e = errors(check(tmp, models("    fallbacks: [primary]\n", "")));

        assertThat(e).singleElement().asString().contains("cannot be its own fallback");
    }

    @Test
    void should_refuse_a_cycle_and_name_it(@TempDir Path tmp) throws IOException {
        List<String> e = errors(check(tmp, models("    fallbacks: [backup]\n", "    fallbacks: [primary]\n")));

        assertThat(e).singleElement().asString().contains("cycle").contains("primary -> backup -> primary");
    }
}
