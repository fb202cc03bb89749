/**
 * Policies: what decides, turn by turn, which (model, skill) pairs to call and when to answer.
 *
 * <p>The lightweight learned orchestrator ({@link dev.maestro.policy.LearnedPolicy}: a small MLP in
 * {@code policy.nn} over description embeddings from {@code policy.embed}) with its checkpoints
 * ({@link dev.maestro.policy.Checkpoint}, {@link dev.maestro.policy.LearnedPolicies}); the paper's LLM orchestrator
 * ({@link dev.maestro.policy.LlmPolicy}) speaking the text protocol; and the baselines (fixed pair, random pair,
 * keyword router, majority vote). Loading and running a trained policy needs nothing from {@code train}.
 *
 * <p>Depends on registry, task, protocol, expert and episode.
 */
package dev.maestro.policy;
