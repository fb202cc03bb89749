package dev.maestro.policy.nn;

/**
 * Updates {@link Parameters} from their accumulated gradients. Kept apart from the parameters
 * (as in Tribuo) so one network can be trained by different optimisers and the optimiser state
 * (moments, step count) is its own object.
 *
 * <p>{@link #step} does not zero the gradients: the caller decides when an accumulation window
 * ends ({@link Parameters#zeroGradients()}), which keeps gradient accumulation over minibatches explicit.
 */
public interface Optimizer {
    /**
     * Applies one update and marks the parameters changed.
     *
     * @return the global L2 norm of the gradient BEFORE any clipping (a training diagnostic)
     */
    double step(Parameters parameters);

    /** Number of steps taken so far. */
    long steps();

    /** Scales {@code gradients} so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    static double clipGlobalNorm(double[] gradients, double maxNorm) {
        double s = 0;
        for (double g : gradients) {
            s += g * g;
        }
        double norm = Math.sqrt(s);
        if (maxNorm > 0 && norm > maxNorm) {
            double scale = maxNorm / norm;
            for (int i = 0; i < gradients.length; i++) {
                gradients[i] *= scale;
            }
        }
        return norm;
    }
}
