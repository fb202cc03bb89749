/**
 * The paper's text protocol: {@code <search> MODEL@@SKILL: INPUT </search>} calls,
 * {@code <answer> TEXT </answer>} and {@code <information> TEXT </information>} observations.
 *
 * <p>{@link dev.maestro.protocol.ProtocolParser} reads a policy turn into an
 * {@link dev.maestro.protocol.Action} and never throws: bad text becomes
 * {@link dev.maestro.protocol.Action.Malformed} with typed {@link dev.maestro.protocol.ProtocolError}s
 * whose messages list the valid choices. {@link dev.maestro.protocol.ProtocolFormatter} writes actions and
 * observations, escaping protocol tags in expert output so that observations are data, never actions.
 * {@link dev.maestro.protocol.Transcript} keeps an LLM policy's conversation. See docs/protocol.md.
 */
package dev.maestro.protocol;
