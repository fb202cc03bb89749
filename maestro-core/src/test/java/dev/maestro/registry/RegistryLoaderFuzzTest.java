package dev.maestro.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of {@link RegistryLoader#check}: an arbitrary models.yaml and one arbitrary
 * {@code skills/cot/SKILL.md}. Checking never throws; every problem it returns names a file and a message.
 *
 * <p>The input is split at the first line {@code =====}: before it models.yaml, after it SKILL.md (without
 * the line, SKILL.md is a valid fixed skill). So seed files in
 * {@code src/test/resources/dev/maestro/registry/RegistryLoaderFuzzTestInputs/fuzzCheck/} are readable text.
 * Under plain {@code mvn test} this runs in regression mode; with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class RegistryLoaderFuzzTest {
    private static final byte[] SEPARATOR = "\n=====\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALID_SKILL = """
            ---
            name: cot
            level: 1
            description: think step by step
            ---
            Think step by step. {question}
            """.getBytes(StandardCharsets.UTF_8);
    // fixed environment, so ${VAR} substitution does not depend on the machine
    private static final RegistryLoader.Reader READER =
            RegistryLoader.builder().env(Map.of("FUZZ_URL", "http://127.0.0.1:9/v1")).build();
    private static final Path ROOT;

    static {
        try {
            ROOT = Files.createTempDirectory("registry-fuzz").resolve("registry");
            Files.createDirectories(ROOT.resolve("skills/cot"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/maestro/io/long-lines.dict")
    void fuzzCheck(byte[] data) throws IOException {
        int cut = indexOf(data, SEPARATOR);
        byte[] models = cut < 0 ? data : Arrays.copyOfRange(data, 0, cut);
        byte[] skill = cut < 0 ? VALID_SKILL : Arrays.copyOfRange(data, cut + SEPARATOR.length, data.length);
        Files.write(ROOT.resolve(RegistryLoader.MODELS_FILE), models);
        Files.write(ROOT.resolve("skills/cot").resolve(RegistryLoader.SKILL_FILE), skill);

        List<RegistryProblem> problems = READER.check(ROOT);

        assertThat(problems).doesNotContainNull();
        RegistryLoader.Inspection inspection = READER.inspect(ROOT);
        assertThat(inspection.problems()).isEqualTo(problems);
        // a registry comes back exactly when nothing is an error
        assertThat(inspection.registry().isPresent()).isEqualTo(inspection.errors() == 0);
    }

    private static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (a[i + j] != b[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
