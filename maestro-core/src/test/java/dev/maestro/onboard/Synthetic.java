package dev.maestro.onboard;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Outcomes drawn from a known two-parameter item-response model with group abilities, for tests. */
final class Synthetic {
    final double[] b;
    final double[] a;
    final int[] group;
    final List<String> groups;
    final List<String> items = new ArrayList<>();
    final List<String> itemGroups = new ArrayList<>();
    final SplittableRandom rng;

    Synthetic(int items, int groups, long seed) {
        this.rng = new SplittableRandom(seed);
        this.b = new double[items];
        this.a = new double[items];
        this.group = new int[items];
        this.groups = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            this.groups.add("g" + g);
        }
        for (int i = 0; i < items; i++) {
            b[i] = gaussian() * 1.5;
            a[i] = Math.exp(gaussian() * 0.3);
            group[i] = i % groups;
            this.items.add("q" + i);
            itemGroups.add(this.groups.get(group[i]));
        }
    }

    double gaussian() {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    double p(int item, double theta, double[] delta) {
        return Dense.sigmoid(a[item] * (theta + delta[group[item]] - b[item]));
    }

    /** One expert's sampled 0/1 outcomes. */
    double[] sample(double theta, double[] delta) {
        double[] y = new double[b.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = rng.nextDouble() < p(i, theta, delta) ? 1 : 0;
        }
        return y;
    }

    /** The expert's expected accuracy on a group's items. */
    double groupAccuracy(int g, double theta, double[] delta) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < b.length; i++) {
            if (group[i] == g) {
                s += p(i, theta, delta);
                n++;
            }
        }
        return s / n;
    }

    Outcomes outcomes(List<String> experts, double[][] grades) {
        return Outcomes.of(experts, items, itemGroups, grades);
    }
}
