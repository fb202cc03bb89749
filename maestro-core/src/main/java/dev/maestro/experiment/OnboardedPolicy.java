package dev.maestro.experiment;

import dev.maestro.policy.Checkpoint;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.PairHistory;
import dev.maestro.registry.Registry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes an onboarded policy as a checkpoint: the trained network unchanged, the new pairs' estimated accuracies
 * added to the priors, their expected cost per call to the costs, and their predicted outcomes on the training
 * questions added to the history, so that
 * {@code eval --policy}, {@code serve --policy} and the library load it exactly like a checkpoint from training.
 * The header names the registry it was onboarded for and keeps the onboarding summary in its notes.
 */
public final class OnboardedPolicy {
    private OnboardedPolicy() {
    }

    /**
     * @param out     the file to write (atomically)
     * @param trained the checkpoint the onboarding started from
     * @param summary what to keep in the header's notes under {@code onboarding}
     */
    public static void write(Path out, Path trained, Onboarding.Result r, Registry registry, Map<String, Object> summary) {
        Checkpoint.Contents c = Checkpoint.read(trained);
        Checkpoint.Header h = c.header();
        Map<String, Double> priors = new LinkedHashMap<>(h.priors());
        priors.putAll(LearnedPolicies.priorIds(r.accuracies()));
        Map<String, Object> notes = new LinkedHashMap<>(h.notes());
        Map<String, Object> on = new LinkedHashMap<>();
        on.put("from_checkpoint", trained.getFileName().toString());
        on.put("from_checkpoint_sha256", Checkpoint.digest(trained));
        on.put("from_registry", h.registryName());
        on.putAll(summary);
        on.remove("pairs"); // the probes are in the report next to the file; the header keeps the estimates
        Map<String, Object> est = new LinkedHashMap<>();
        r.pairs().forEach(p -> est.put(p.pair().id(), p.accuracy().estimate()));
        on.put("estimated_accuracy", est);
        notes.put("onboarding", on);
        Map<String, Double> costs = new LinkedHashMap<>(h.costs());
        costs.putAll(LearnedPolicies.priorIds(r.costs()));
        Checkpoint.Header header = new Checkpoint.Header(h.format(), registry.name(), registry.fingerprint(), h.embedder(),
                h.projectionSeed(), h.config(), h.step(), priors, costs, h.costReference(), h.costWeight(), notes);
        Optional<PairHistory> history = c.history().map(ph -> ph.withPairs(r.tasks(), r.grades()));
        Checkpoint.write(out, header, c.parameters(), Optional.empty(), history);
    }
}
