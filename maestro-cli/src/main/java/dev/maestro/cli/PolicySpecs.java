package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.Policy;
import dev.maestro.registry.Registry;
import dev.maestro.policy.LearnedPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import dev.maestro.policy.LlmPolicy;

/** Resolves --policy values that name something other than a baseline: checkpoint files. */
final class PolicySpecs {
    private PolicySpecs() {
    }

    /**
     * {@code llm:MODEL@BASE_URL} — the paper's LLM orchestrator (e.g. Maestro-4B on vLLM) behind an
     * OpenAI-compatible endpoint; the key, if the endpoint needs one, is read from MAESTRO_LLM_API_KEY.
     */
    static Optional<Policy> llm(String spec) {
        if (!spec.startsWith("llm:")) {
            return Optional.empty();
        }
        String rest = spec.substring(4);
        int at = rest.lastIndexOf('@');
        if (at <= 0 || at == rest.length() - 1) {
            throw new MaestroException("--policy " + spec + ": write llm:MODEL@BASE_URL, e.g. llm:Maestro-4B@http://127.0.0.1:8000/v1");
        }
        LlmPolicy.Builder b = LlmPolicy.builder(rest.substring(at + 1), rest.substring(0, at));
        if (System.getenv("MAESTRO_LLM_API_KEY") != null) {
            b.apiKeyEnv("MAESTRO_LLM_API_KEY");
        }
        return Optional.of(b.build());
    }

    static Policy resolve(String spec, Registry registry) {
        Optional<Policy> llm = llm(spec);
        if (llm.isPresent()) {
            return llm.get();
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            return LearnedPolicies.load(p, Embedders::open);
        }
        throw new MaestroException("--policy " + spec + ": not a checkpoint file; valid: fixed:MODEL@@SKILL, "
                + "llm:MODEL@BASE_URL, or a policy.ckpt written by `maestro train` (registry " + registry.name() + ")");
    }
}
