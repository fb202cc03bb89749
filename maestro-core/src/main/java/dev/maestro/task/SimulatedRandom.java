package dev.maestro.task;

import java.util.List;
import java.util.SplittableRandom;

/** The seeded random source of one task. */
final class SimulatedRandom {
    private final SplittableRandom rnd;

    SimulatedRandom(SplittableRandom rnd) {
        this.rnd = rnd;
    }

    int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    boolean nextBoolean() {
        return rnd.nextBoolean();
    }

    double gaussian() {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    <T> T pick(T[] items) {
        return items[rnd.nextInt(items.length)];
    }

    <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** n values with one decimal in [lo, hi], pairwise at least 0.5 apart so extremes are unambiguous. */
    double[] distinctTenths(int n, double lo, double hi) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            boolean ok;
            do {
                out[i] = Math.round((lo + rnd.nextDouble() * (hi - lo)) * 10) / 10.0;
                ok = true;
                for (int k = 0; k < i; k++) {
                    ok &= Math.abs(out[k] - out[i]) >= 0.5;
                }
            } while (!ok);
        }
        return out;
    }
}
