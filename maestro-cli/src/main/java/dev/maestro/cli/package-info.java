/**
 * The {@code maestro} command line (picocli): one class per command ({@code demo}, {@code eval}, {@code train},
 * {@code collect}, {@code registry}, {@code grading}, {@code export}, {@code generalize}, {@code serve}).
 *
 * <p>Commands parse flags, open a runtime through {@code dev.maestro.runtime} and call the core; they hold no
 * logic of their own beyond presenting it. Bad input reaches {@link dev.maestro.cli.Main} as a
 * {@link dev.maestro.MaestroException} and ends as one line, {@code maestro <cmd>: <message>}, with exit status 2.
 */
package dev.maestro.cli;
