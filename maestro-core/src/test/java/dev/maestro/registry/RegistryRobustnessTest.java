package dev.maestro.registry;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the files say, checking never throws: it reports problems. And a registry only loads when clean. */
class RegistryRobustnessTest {
    private final Path tmp;

    RegistryRobustnessTest() throws IOException {
        tmp = Files.createTempDirectory("registry-robustness");
    }

    @AfterProperty
    void cleanUp() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<String> fragments() {
        return Arbitraries.oneOf(
                Arbitraries.of("[", "]", "{", "}", ":", "- ", "\n", "  ", "---", "${", "${X}", "${X:-1}", "'", "\"",
                        "&a", "*a", "!!binary", "~", "null", ".nan", "-1", "1e999", "@@", "{question}", "{tool:x}",
                        "\t", "#", "level: 7", "backend: none", "- id: z", "children: [x]", "parent: leaf"),
                Arbitraries.strings().ofMaxLength(6));
    }

    @Property(tries = 300)
    void should_never_throw_when_checking_a_mangled_registry(
            @ForAll("fragments") String fragment, @ForAll("fragments") String other,
            @ForAll boolean inModels) throws IOException {
        // given a valid registry with text spliced into one file at a position derived from the inputs
        Path dir = RegistryLoaderTest.write(tmp.resolve("suite/reg"), Map.of("models.yaml", RegistryLoaderTest.MODELS,
                "skills/solve/SKILL.md", RegistryLoaderTest.SOLVE, "skills/router/SKILL.md", RegistryLoaderTest.ROUTER,
                "skills/leaf/SKILL.md", RegistryLoaderTest.LEAF));
        Path target = dir.resolve(inModels ? "models.yaml" : "skills/leaf/SKILL.md");
        String text = Files.readString(target);
        int at = Math.floorMod((fragment + other).hashCode(), text.length() + 1);
        Files.writeString(target, text.substring(0, at) + fragment + other + text.substring(at));
        RegistryLoader.Reader reader = RegistryLoader.builder().env(RegistryLoaderTest.ENV).build();

        // when
        RegistryLoader.Inspection result = reader.inspect(dir);

        // then
        List<RegistryProblem> problems = result.problems();
        assertThat(result.registry().isPresent()).isEqualTo(problems.stream().noneMatch(RegistryProblem::isError));
        assertThat(problems).allSatisfy(p -> assertThat(p.toString()).isNotBlank());
    }
}
