/**
 * Text embeddings for the learned policy: {@link dev.maestro.policy.embed.TextEmbedder} with the
 * in-process BGE-small-en-v1.5 model ({@link dev.maestro.policy.embed.BgeSmallEmbedder}, 384-d, a few
 * milliseconds a sentence), a deterministic feature-hashing fallback
 * ({@link dev.maestro.policy.embed.HashingEmbedder}) and a SHA-256-keyed memo with an atomic binary
 * file ({@link dev.maestro.policy.embed.CachingEmbedder}) so a suite's questions are embedded once.
 */
package dev.maestro.policy.embed;
