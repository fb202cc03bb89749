package dev.maestro.task;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * An exact rational number, so that {@code 0.5}, {@code 1/2} and {@code \frac{2}{4}} compare equal without
 * floating-point doubt. Package-private: graders expose only grades.
 */
record Rational(BigInteger numerator, BigInteger denominator) {

    Rational {
        if (denominator.signum() == 0) {
            throw new ArithmeticException("zero denominator");
        }
        if (denominator.signum() < 0) {
            numerator = numerator.negate();
            denominator = denominator.negate();
        }
        BigInteger g = numerator.gcd(denominator);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            numerator = numerator.divide(g);
            denominator = denominator.divide(g);
        }
    }

    static Rational of(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() <= 0) {
            return new Rational(s.toBigIntegerExact(), BigInteger.ONE);
        }
        return new Rational(s.unscaledValue(), BigInteger.TEN.pow(s.scale()));
    }

    Rational plus(Rational o) {
        return new Rational(numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)),
                denominator.multiply(o.denominator));
    }

    Rational dividedBy(Rational o) {
        return new Rational(numerator.multiply(o.denominator), denominator.multiply(o.numerator));
    }

    Rational negate() {
        return new Rational(numerator.negate(), denominator);
    }

    double toDouble() {
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), MathContext.DECIMAL64).doubleValue();
    }

    /** Exact equality when {@code relTol == 0}, else |a-b| <= relTol * max(|a|,|b|). */
    boolean matches(Rational other, double relTol) {
        if (equals(other)) {
            return true;
        }
        if (relTol <= 0) {
            return false;
        }
        double a = toDouble();
        double b = other.toDouble();
        return Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b));
    }
}
