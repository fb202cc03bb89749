package dev.maestro.policy.nn;

/** Hidden-unit nonlinearity. Derivatives are taken from the OUTPUT, so backward needs no pre-activations. */
public enum Activation {
    TANH {
        @Override
        public double apply(double x) {
            return Math.tanh(x);
        }

        @Override
        public double derivativeFromOutput(double y) {
            return 1.0 - y * y;
        }
    },
    RELU {
        @Override
        public double apply(double x) {
            return x > 0 ? x : 0.0;
        }

        @Override
        public double derivativeFromOutput(double y) {
            return y > 0 ? 1.0 : 0.0;
        }
    };

    public abstract double apply(double x);

    public abstract double derivativeFromOutput(double y);
}
