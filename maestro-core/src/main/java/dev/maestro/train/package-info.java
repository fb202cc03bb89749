/**
 * Training the learned policy with GRPO: {@link dev.maestro.train.GrpoTrainer} runs G sampled episodes per task,
 * normalises rewards within each group ({@link dev.maestro.train.GroupAdvantages}) and updates the network; a run
 * is fully described by a {@link dev.maestro.train.TrainConfig}, logs one line per step
 * ({@link dev.maestro.train.TrainLog}), writes checkpoints atomically and resumes from the last one.
 * Training the LLM orchestrator elsewhere (verl) is served by {@code dev.maestro.serve} in maestro-server: the
 * verl-tool bridge and {@code VerlExport}, which writes tasks and rollouts in the shape verl reads.
 *
 * <p>Depends on registry, task, protocol, expert, episode and policy; nothing in eval, policy or runtime
 * depends on it.
 */
package dev.maestro.train;
