package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.policy.Checkpoint;
import java.nio.file.Path;

/**
 * Checks that checkpoint files are readable: magic, format version, SHA-256 checksum and every block.
 * Used by {@code scripts/crash-resume.sh} after each {@code kill -9}; prints one header line per file and
 * exits 1 with the reader's own message on the first file that {@link Checkpoint#read} refuses.
 *
 * <pre>java -cp maestro-cli/target/maestro.jar dev.maestro.cli.CheckpointCheck FILE...</pre>
 */
public final class CheckpointCheck {
    private CheckpointCheck() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: CheckpointCheck FILE... (Maestro .ckpt files to verify)");
            System.exit(2);
        }
        for (String a : args) {
            try {
                Checkpoint.Header h = Checkpoint.read(Path.of(a)).header();
                System.out.println(a + ": ok format=" + h.format() + " step=" + h.step() + " registry=" + h.registryName()
                        + " fingerprint=" + h.registryFingerprint() + " embedder=" + h.embedder() + " seed=" + h.architecture().seed());
            } catch (MaestroException e) {
                // The reader's message already names the file and the problem (checksum, format, truncation).
                System.err.println("REFUSED " + e.getMessage());
                System.exit(1);
            }
        }
    }
}
