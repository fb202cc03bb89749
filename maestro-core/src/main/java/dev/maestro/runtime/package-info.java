/**
 * The one place that builds a ready runtime and resolves names.
 *
 * <ul>
 *   <li>{@link dev.maestro.runtime.MaestroRuntime}: from a registry and documented options, the experts with their
 *       decorators and the record/replay cache, the bounded call pool, the skill runner, the grader and the episode
 *       environment. Every command, the server and library users get their environment here.</li>
 *   <li>{@link dev.maestro.runtime.MaestroHome}: shipped suites and registries by name, registries by folder or
 *       name, {@code $MAESTRO_HOME}.</li>
 *   <li>{@link dev.maestro.runtime.Embedders}: text embedders by name with their persistent cache; names
 *       round-trip through checkpoints.</li>
 *   <li>{@link dev.maestro.runtime.PolicySpec} and {@link dev.maestro.runtime.PolicyResolver}: {@code --policy}
 *       values ({@code fixed:}, checkpoints, {@code llm:}, baselines fitted on training tasks).</li>
 *   <li>{@link dev.maestro.runtime.Maestro}: the facade for library users; questions in,
 *       {@link dev.maestro.runtime.Answer}s out.</li>
 * </ul>
 *
 * <p>Depends on registry, task, expert, skill, episode, policy and eval (baselines are fitted with eval's pair
 * matrix); never on train, experiment, serve or cli.
 */
package dev.maestro.runtime;
