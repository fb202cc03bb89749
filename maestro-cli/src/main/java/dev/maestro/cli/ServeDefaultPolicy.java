package dev.maestro.cli;

import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.experiment.Suite;
import dev.maestro.runtime.MaestroHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * What {@code maestro serve} serves without {@code --registry} and {@code --policy}: the demo's learned policy on the
 * shipped {@code blind-tools} registry (recorded BlindTest models plus deterministic image tools), which answers new
 * image puzzles without any key. No checkpoint is shipped: the first start trains one with {@code maestro train
 * --suite blind-tools --seed 7 --min-steps 60} (the demo's recipe, shortened to 60 steps; its best validation
 * checkpoint is the demo's, reached at step 40) and keeps it under {@code $MAESTRO_HOME/.cache/serve/}, named by a
 * digest of the suite, registry, tasks and recipe, so later starts load it and a changed suite trains a new one.
 * Training from the code that serves it means a checkpoint format change never leaves a stale file being served.
 */
final class ServeDefaultPolicy {
    static final String REGISTRY = "blind-tools";
    static final String SUITE = "blind-tools";
    /** The arguments of {@code maestro train} that produce the default policy (plus {@code --out}). */
    static final List<String> TRAIN = List.of("--suite", SUITE, "--seed", "7", "--min-steps", "60");

    private ServeDefaultPolicy() {
    }

    /** The cached checkpoint file for this home's suite and recipe (it may not exist yet). */
    static Path cached(MaestroHome home) {
        Suite s = Suite.load(home.suite(SUITE));
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(String.join(" ", TRAIN).getBytes(StandardCharsets.UTF_8));
            Path suiteFile = home.suite(SUITE);
            for (Path p : List.of(suiteFile, s.tasks(), s.registry().resolve("models.yaml"))) {
                d.update(Files.readAllBytes(p));
            }
            try (Stream<Path> skills = Files.walk(s.registry().resolve("skills"))) {
                for (Path p : skills.filter(Files::isRegularFile).sorted().toList()) {
                    d.update(Files.readAllBytes(p));
                }
            }
            String tag = HexFormat.of().formatHex(d.digest()).substring(0, 12);
            return home.cacheDir().resolve("serve").resolve(SUITE + "-policy-" + tag + ".ckpt");
        } catch (IOException e) {
            throw new MaestroException("cannot read the shipped suite " + SUITE + " to find its cached policy: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    /** Trains the default policy into the cache (progress on standard error) and returns the checkpoint. */
    static Path train(MaestroHome home, PrintWriter err) {
        return train(home, err, true);
    }

    /** As {@link #train(MaestroHome, PrintWriter)}; {@code progress} false trains without progress bars. */
    static Path train(MaestroHome home, PrintWriter err, boolean progress) {
        Path target = cached(home);
        Path work;
        try {
            Files.createDirectories(target.getParent());
            work = Files.createTempDirectory(target.getParent(), "train-");
        } catch (IOException e) {
            throw new MaestroException("cannot write the policy cache under " + target.getParent() + ": " + e.getMessage(), e);
        }
        err.println("maestro serve: no trained default policy in " + target.getParent() + " yet: training it once (maestro train "
                + String.join(" ", TRAIN) + "), about half a minute on 2 cores ...");
        err.flush();
        long t0 = System.nanoTime();
        try {
            List<String> args = new ArrayList<>(TRAIN);
            args.addAll(List.of("--out", work.toString()));
            if (!progress) {
                args.add("--no-progress");
            }
            int status = new CommandLine(new TrainCommand()).setExecutionExceptionHandler(Main::handle)
                    .execute(args.toArray(String[]::new));
            Path ckpt = work.resolve("policy.ckpt");
            if (status != 0 || !Files.isRegularFile(ckpt)) {
                throw new MaestroException("training the default policy failed (maestro train exit status " + status
                        + "); serve another policy with --policy, or run: maestro train " + String.join(" ", TRAIN) + " --out DIR");
            }
            AtomicFiles.write(target, Files.readAllBytes(ckpt));
            err.printf(Locale.ROOT, "maestro serve: trained the default policy in %.1f s; cached as %s%n",
                    (System.nanoTime() - t0) / 1e9, target);
            err.flush();
            return target;
        } catch (IOException e) {
            throw new MaestroException("cannot store the trained policy in " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary folder in the cache is harmless
        }
    }
}
