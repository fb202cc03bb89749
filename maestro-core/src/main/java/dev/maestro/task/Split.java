package dev.maestro.task;

import dev.maestro.MaestroException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A deterministic train / validation / test split by a salted hash of the task id, so that a task keeps its
 * part when the file is reordered, filtered or extended, and the same ids give the same split on every JVM.
 *
 * <p>u = first 8 bytes of SHA-256(salt + ":" + id) as an unsigned number, top 53 bits / 2^53 (uniform in [0,1)).
 * u &lt; testFraction → TEST; otherwise the task is in train, and v = (u − testFraction) / (1 − testFraction)
 * &lt; validationFraction → VALIDATION (validation is carved from train), else TRAIN.
 *
 * @param salt               changes the whole split; ours is {@value #DEFAULT_SALT}
 * @param testFraction       share of all tasks in TEST, in [0, 1]
 * @param validationFraction share of the non-test tasks in VALIDATION, in [0, 1)
 */
public record Split(String salt, double testFraction, double validationFraction) {

    public static final String DEFAULT_SALT = "maestro-v1";

    /** The part of a split a task belongs to. */
    public enum Part { TRAIN, VALIDATION, TEST }

    public Split {
        if (salt.isEmpty()) {
            throw new MaestroException("split salt must not be empty (ours is '" + DEFAULT_SALT + "')");
        }
        if (!(testFraction >= 0 && testFraction <= 1)) {
            throw new MaestroException("split testFraction must be in [0, 1], got " + testFraction);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new MaestroException("split validationFraction must be in [0, 1), got " + validationFraction);
        }
    }

    public static Split of(String salt, double testFraction, double validationFraction) {
        return new Split(salt, testFraction, validationFraction);
    }

    /** The project's split: salt "maestro-v1", half the tasks in test, 20% of the rest in validation. */
    public static Split standard() {
        return of(DEFAULT_SALT, 0.5, 0.2);
    }

    public Part assign(Task task) {
        return assign(task.id());
    }

    public Part assign(String taskId) {
        double u = uniform(taskId);
        if (u < testFraction) {
            return Part.TEST;
        }
        double v = testFraction >= 1 ? 0 : (u - testFraction) / (1 - testFraction);
        return v < validationFraction ? Part.VALIDATION : Part.TRAIN;
    }

    public List<Task> filter(List<Task> tasks, Part part) {
        return tasks.stream().filter(t -> assign(t) == part).toList();
    }

    /** The task id's position in [0, 1); exposed for tests and for documenting the split. */
    public double uniform(String taskId) {
        byte[] h = sha256((salt + ":" + taskId).getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (h[i] & 0xFF);
        }
        return (bits >>> 11) * 0x1.0p-53;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
