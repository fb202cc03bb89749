/**
 * The lightweight learned policy's network: a candidate-scoring MLP in plain Java, its parameters,
 * optimisers, and the math of the GRPO objective. No dependency on episodes or registries.
 *
 * <h2>Shapes of one decision</h2>
 * A decision scores K candidates (typically 10–40 model@@skill pairs plus answer actions). Inputs:
 * <ul>
 *   <li>context q (C ≈ 400: question embedding 384 + turn, budget, modality flags) — shared;</li>
 *   <li>dynamic candidate features x_k (D ≈ 32–64: price, latency, already-called, what it returned,
 *       support of an answer…) — change every decision;</li>
 *   <li>static candidate features e_k (S = 768: the 384-d embeddings of the model's and the skill's
 *       descriptions) — fixed for a registry.</li>
 * </ul>
 * {@link dev.maestro.policy.nn.Mlp} computes h1_k = act(b1 + W_q·q + W_s·e_k + W_c·x_k), further
 * hidden layers, and a linear logit; {@link dev.maestro.policy.nn.MaskedSoftmax} turns logits into a
 * distribution over the valid candidates.
 *
 * <h2>Why a decision costs microseconds: split and precompute the first layer</h2>
 * The first layer is the expensive one. Done naively it costs K·(C+S+D)·H1 multiply-adds
 * (20·1232·64 ≈ 1.6 M). Splitting its weight matrix by input block removes almost all of it:
 * <ul>
 *   <li>W_q·q is the same for every candidate: computed once per decision (C·H1 ≈ 25 k);</li>
 *   <li>W_s·e_k depends only on the registry and the parameters: {@link dev.maestro.policy.nn.CandidateTable}
 *       holds the description embeddings of every pair and caches their projection, keyed by
 *       {@link dev.maestro.policy.nn.Parameters#version()}, so it is recomputed once per optimizer
 *       step (N·S·H1, amortised over all decisions of a rollout batch) and is free per decision;</li>
 *   <li>only W_c·x_k is per candidate (K·D·H1 ≈ 61 k for D = 48).</li>
 * </ul>
 * Backward mirrors this: W_q receives one outer product with the candidates' summed first-layer
 * deltas; W_s's gradient is accumulated per table row (H1 numbers per candidate) and multiplied out
 * once in {@link dev.maestro.policy.nn.PolicyNetwork#flushGradients()} instead of S·H1 per candidate.
 *
 * <h2>Memory and threads</h2>
 * All numbers live in one flat {@code double[]} ({@link dev.maestro.policy.nn.Parameters}) with named
 * views; weights are stored input-major so forward and gradient loops are contiguous axpys. Forward
 * reads a copy of the weights with one array per row, made once per parameter version, because C2
 * (JDK 17) vectorises such loops only over arrays indexed from 0 (docs/policy-network.md). The hot path
 * allocates nothing except that copy, once per optimizer step: activations live in a per-thread
 * {@link dev.maestro.policy.nn.PolicyNetwork.Workspace}. Forward passes may run on many threads;
 * backward accumulates into one gradient array and is single-threaded.
 *
 * <h2>Correctness</h2>
 * Every gradient (network paths for context, candidate and static features; masked log-prob and
 * entropy; the clipped objective away from its kink) is checked against central finite differences
 * in the tests (relative error &lt; 1e-5).
 */
package dev.maestro.policy.nn;
