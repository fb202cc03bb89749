/**
 * Episodes: one task solved by a policy in at most {@code maxTurns} turns.
 *
 * <p>{@link dev.maestro.episode.Policy} decides from an {@link dev.maestro.episode.EpisodeView} (the task, the
 * registry, the observations so far; no gold); {@link dev.maestro.episode.Environment} validates and runs the calls
 * of a turn in parallel through the skill runner, appends one {@link dev.maestro.episode.Observation} per call,
 * grades the answer and computes the reward ({@link dev.maestro.episode.RewardWeights}) within the limits of an
 * {@link dev.maestro.episode.EpisodeConfig}. Nothing a policy or an expert does throws out of an episode: failures
 * become observations. The result, with its {@link dev.maestro.episode.Step}s, goes to a
 * {@link dev.maestro.episode.TraceSink}.
 *
 * <p>Depends on registry, task, protocol, expert and skill; never on policy, eval, train or runtime.
 */
package dev.maestro.episode;
