package dev.maestro.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** models.yaml entries of the native provider backends: what each needs, and the keys each takes. */
class NativeBackendsRegistryTest {
    @TempDir
    Path dir;

    private List<RegistryProblem> check(String entry) throws IOException {
        Path reg = dir.resolve("reg");
        Files.createDirectories(reg.resolve("skills/direct"));
        Files.writeString(reg.resolve("skills/direct/SKILL.md"),
                "---\nname: direct\nlevel: 1\ndescription: \"Answer directly.\"\n---\n{question}\n");
        Files.writeString(reg.resolve("models.yaml"), "name: providers\nmodels:\n  - id: m\n    description: \"a model\"\n"
                + "    skills: [direct]\n" + entry);
        return RegistryLoader.builder().env(Map.of("THE_KEY", "x")).build().check(reg);
    }

    private static List<String> errors(List<RegistryProblem> problems) {
        return problems.stream().filter(RegistryProblem::isError).map(RegistryProblem::toString).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "    backend: anthropic\n    model-name: claude-sonnet-4-5\n    api-key-env: THE_KEY\n",
        "    backend: gemini\n    model-name: gemini-2.5-flash\n    api-key-env: THE_KEY\n    seed: 7\n",
        "    backend: ollama\n    model-name: llava\n",
        "    backend: azure-openai\n    base-url: https://r.openai.azure.com\n    api-key-env: THE_KEY\n"
                + "    deployment: gpt-4o-mini\n    api-version: 2024-06-01\n    retry-attempts: 2\n",
        "    backend: azure-openai\n    base-url: https://r.openai.azure.com\n    api-key-env: THE_KEY\n    model-name: gpt-4o\n",
        "    backend: anthropic\n    model-name: c\n    api-key-env: THE_KEY\n    extra-body: {top_k: 5}\n    temperature: 0.2\n",
    })
    void should_accept_a_complete_entry_of_each_native_backend(String entry) throws IOException {
        assertThat(errors(check(entry))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
        "anthropic without key|    backend: anthropic\\n    model-name: c\\n|models[m].api-key-env: the anthropic backend needs api-key-env",
        "anthropic without model|    backend: anthropic\\n    api-key-env: THE_KEY\\n|the anthropic backend needs model-name",
        "gemini without key|    backend: gemini\\n    model-name: g\\n|the gemini backend needs api-key-env (the NAME of the environment variable holding the key, e.g. GEMINI_API_KEY)",
        "ollama without model|    backend: ollama\\n|the ollama backend needs model-name",
        "azure without endpoint|    backend: azure-openai\\n    api-key-env: THE_KEY\\n    deployment: d\\n|the azure-openai backend needs base-url",
        "azure without deployment|    backend: azure-openai\\n    base-url: https://r.openai.azure.com\\n    api-key-env: THE_KEY\\n|needs deployment",
        "azure bad version|    backend: azure-openai\\n    base-url: https://r.openai.azure.com\\n    api-key-env: THE_KEY\\n    deployment: d\\n    api-version: latest\\n|api-version must be an Azure OpenAI API version",
        "azure bad deployment|    backend: azure-openai\\n    base-url: https://r.openai.azure.com\\n    api-key-env: THE_KEY\\n    deployment: a/b\\n|deployment must be a deployment name",
        "anthropic has no seed|    backend: anthropic\\n    model-name: c\\n    api-key-env: THE_KEY\\n    seed: 3\\n|unknown key for the anthropic backend",
        "gemini takes no extra body|    backend: gemini\\n    model-name: g\\n    api-key-env: THE_KEY\\n    extra-body: {a: 1}\\n|unknown key for the gemini backend",
        "deployment is azure's only|    backend: ollama\\n    model-name: l\\n    deployment: d\\n|unknown key for the ollama backend",
    })
    void should_name_what_a_native_backend_entry_lacks(String name, String entry, String expected) throws IOException {
        assertThat(errors(check(entry.replace("\\n", "\n")))).anySatisfy(e -> assertThat(e).contains(expected));
    }

    @Test
    void should_read_request_and_resilience_keys_of_a_native_backend_into_the_card() throws IOException {
        Path reg = dir.resolve("reg2");
        Files.createDirectories(reg.resolve("skills/direct"));
        Files.writeString(reg.resolve("skills/direct/SKILL.md"),
                "---\nname: direct\nlevel: 1\ndescription: \"Answer directly.\"\n---\n{question}\n");
        Files.writeString(reg.resolve("models.yaml"), "name: p\ndefaults:\n  extra-body: {x: 1}\nmodels:\n"
                + "  - id: m\n    backend: gemini\n    description: d\n    model-name: g\n    api-key-env: THE_KEY\n"
                + "    temperature: 0.3\n    retry-attempts: 2\n");
        ModelCard m = RegistryLoader.builder().env(Map.of("THE_KEY", "x")).build().load(reg).model("m").orElseThrow();
        assertThat(m.backend()).isEqualTo(Backend.GEMINI);
        assertThat(m.request().temperature()).contains(0.3);
        assertThat(m.request().extraBody()).isEmpty(); // from defaults, and not a gemini key: ignored
        assertThat(m.resilience().retryAttempts()).contains(2);
    }
}
