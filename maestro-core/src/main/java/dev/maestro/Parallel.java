package dev.maestro;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs indexed work on a fixed number of worker threads: the one way evaluation, the pair matrix and training
 * rollouts spread episodes over cores. Callers write each result into its own slot and derive each item's seed
 * from its index or id, so results never depend on which thread ran what, or in which order.
 *
 * <p>Open one with {@link #of(int)} to reuse its threads across many batches (a training run), or call
 * {@link #forEach(int, String, int, IntConsumer)} for a single batch.
 */
public final class Parallel implements AutoCloseable {
    private final ForkJoinPool pool;

    private Parallel(int threads) {
        // One thread runs on the caller: no pool to start, and the order is the plain index order.
        this.pool = threads <= 1 ? null : new ForkJoinPool(threads);
    }

    /** Workers for {@code threads} threads (at most 1: the caller's thread, in index order). */
    public static Parallel of(int threads) {
        return new Parallel(threads);
    }

    /** Runs {@code body(i)} for every i in [0, n) on {@code threads} threads, then lets the threads go. */
    public static void forEach(int threads, String what, int n, IntConsumer body) {
        try (Parallel p = of(threads)) {
            p.forEach(what, n, body);
        }
    }

    /**
     * Runs {@code body(i)} for every i in [0, n) and returns when all are done. A {@link MaestroException} from
     * the body comes out as it is (its message is for the user); anything else is a bug and comes out as an
     * {@link IllegalStateException} naming {@code what} failed, with the cause attached.
     */
    public void forEach(String what, int n, IntConsumer body) {
        if (pool == null) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MaestroException(what + " interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MaestroException m) {
                throw m;
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
