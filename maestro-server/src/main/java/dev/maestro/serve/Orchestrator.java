package dev.maestro.serve;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Environment;
import dev.maestro.episode.Policy;
import java.util.Objects;

/**
 * What the server exposes as one "model": an environment (registry, experts, skill runner, default budget)
 * driven by a policy, under a public name such as {@code maestro}.
 *
 * @param name        the model name clients send in {@code model}
 * @param environment runs the episodes; its {@link Environment#config()} is the default per-request budget
 * @param policy      decides the calls; must be thread-safe (requests run concurrently)
 */
public record Orchestrator(String name, Environment environment, Policy policy) {
    public Orchestrator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(policy, "policy");
        if (name.isBlank()) {
            throw new MaestroException("orchestrator name must not be blank");
        }
    }

    public EpisodeConfig defaults() {
        return environment.config();
    }
}
