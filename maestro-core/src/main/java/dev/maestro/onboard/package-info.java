/**
 * Onboarding experts a trained policy never saw, from a handful of probes instead of retraining.
 *
 * <ul>
 *   <li>{@link dev.maestro.onboard.ItemResponseModel}: a two-parameter item-response model fitted by regularised
 *       maximum likelihood on the known experts' training outcomes ({@link dev.maestro.onboard.Outcomes}): a
 *       difficulty and a discrimination per question, an ability per expert and group;</li>
 *   <li>{@link dev.maestro.onboard.CardPrior}: a zero-shot prior of a new expert's ability from its model card
 *       ({@link dev.maestro.registry.ModelFacts}), learned across the known experts, with its leave-one-out error;</li>
 *   <li>{@link dev.maestro.onboard.AbilityPosterior}: the new expert's ability after some probes (Laplace
 *       approximation), and from it its accuracy per group with an interval;</li>
 *   <li>{@link dev.maestro.onboard.ProbeSelector}: which training question to probe next — adaptive (most
 *       informative under the model, spread over groups and, given question vectors, over the embedding space)
 *       or random (the baseline);</li>
 *   <li>{@link dev.maestro.onboard.ProbeSession}: the probe loop (at most N probes, a budget, an early stop when
 *       the estimate is tight; a failed call is recorded with its cause and carries no information);</li>
 *   <li>{@link dev.maestro.onboard.ProbeEvaluation}: the offline measurement of estimate error against the number
 *       of probes, adaptive against random, on recorded outcomes.</li>
 * </ul>
 *
 * <p>Depends on {@code registry} (model cards) and plain data only; nothing here trains or runs a policy. How the
 * estimates reach a policy is the {@code experiment} package's business.
 */
package dev.maestro.onboard;
