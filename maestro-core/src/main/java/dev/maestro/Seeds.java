package dev.maestro;

import java.nio.charset.StandardCharsets;

/**
 * The one seed mixer (SplitMix64's finaliser and golden-ratio increment): every seed derived from another (a task's
 * from the run's, a training step's from the run's, a simulated outcome's from its key) goes through here, so
 * nearby inputs give unrelated streams and the same inputs give the same numbers on every JVM and thread count.
 */
public final class Seeds {
    /** SplitMix64's increment, 2^64 divided by the golden ratio: the start and step of every fold. */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** SplitMix64's finaliser: a bijective mix in which every input bit moves about half the output bits. */
    public static long finish(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed of stream {@code index} of {@code seed} (a training step of a run, an episode of a step). */
    public static long of(long seed, long index) {
        return finish(seed * GOLDEN_GAMMA + index);
    }

    /**
     * The seed of the item named {@code id} under {@code seed} (a task's episode seed from the run seed), from the
     * id's UTF-8 bytes: it does not depend on the item's position, so order and thread count do not change results.
     */
    public static long of(long seed, String id) {
        long h = seed * GOLDEN_GAMMA;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return finish(h);
    }

    /** The seed of a key of several parts, each folded in turn, so keys that differ in any part are unrelated. */
    public static long fold(long... parts) {
        long h = GOLDEN_GAMMA;
        for (long p : parts) {
            h = finish(h + p + GOLDEN_GAMMA);
        }
        return h;
    }
}
