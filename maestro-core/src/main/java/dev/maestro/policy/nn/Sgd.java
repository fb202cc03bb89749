package dev.maestro.policy.nn;

import dev.maestro.MaestroException;

/** Plain (optionally momentum) stochastic gradient descent, with optional global-norm clipping. */
public final class Sgd implements Optimizer {
    private final double learningRate;
    private final double momentum;
    private final double clipNorm;
    private double[] velocity;
    private long steps;

    private Sgd(double learningRate, double momentum, double clipNorm) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new MaestroException("SGD learning rate must be > 0 and finite, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new MaestroException("SGD momentum must be in [0, 1), got " + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.clipNorm = clipNorm;
    }

    public static Sgd create(double learningRate) {
        return new Sgd(learningRate, 0, 0);
    }

    /** @param clipNorm maximum global gradient norm; 0 disables clipping */
    public static Sgd create(double learningRate, double momentum, double clipNorm) {
        return new Sgd(learningRate, momentum, clipNorm);
    }

    @Override
    public double step(Parameters p) {
        double[] g = p.gradients();
        double[] v = p.values();
        double norm = Optimizer.clipGlobalNorm(g, clipNorm);
        if (momentum > 0) {
            if (velocity == null || velocity.length != v.length) {
                velocity = new double[v.length];
            }
            for (int i = 0; i < v.length; i++) {
                velocity[i] = momentum * velocity[i] + g[i];
                v[i] -= learningRate * velocity[i];
            }
        } else {
            for (int i = 0; i < v.length; i++) {
                v[i] -= learningRate * g[i];
            }
        }
        steps++;
        p.markChanged();
        return norm;
    }

    @Override
    public long steps() {
        return steps;
    }
}
