/**
 * Expert models and how they are reached.
 *
 * <p>{@link dev.maestro.expert.Expert} is the one interface; backends are
 * {@link dev.maestro.expert.OpenAiExpert} (any OpenAI-compatible endpoint, via LangChain4j),
 * {@link dev.maestro.expert.ReplayExpert} (recorded outputs of real models, indexed by
 * {@link dev.maestro.expert.RecordedOutputs}) and a simulated backend. Around a backend, decorators
 * in the spirit of OkHttp interceptors add what a long evaluation needs:
 * {@link dev.maestro.expert.CachingExpert}, {@link dev.maestro.expert.RetryingExpert},
 * {@link dev.maestro.expert.CircuitBreakerExpert} and {@link dev.maestro.expert.ConcurrencyLimitedExpert}.
 * {@link dev.maestro.expert.Experts#forRegistry} wires them per model card. Failures are values
 * ({@link dev.maestro.expert.ExpertError}), never exceptions, so an episode can observe and record them.
 */
package dev.maestro.expert;
