package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.episode.Policy;
import dev.maestro.registry.Registry;
import dev.maestro.train.LearnedPolicies;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves --policy values that name something other than a baseline: checkpoint files. */
final class PolicySpecs {
    private PolicySpecs() {
    }

    static Policy resolve(String spec, Registry registry) {
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            return LearnedPolicies.load(p, Embedders::open);
        }
        throw new MaestroException("--policy " + spec + ": not a checkpoint file; valid: fixed:MODEL@@SKILL or a "
                + "policy.ckpt written by `maestro train` (registry " + registry.name() + ")");
    }
}
