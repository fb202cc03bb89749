package dev.maestro.task;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Evaluates the small LaTeX arithmetic that contest answers are written in ({@code 2 \cdot 4 \cdot 3},
 * {@code 3^{1008}}, {@code \frac{5}{3}\pi+2}, {@code 5(\sqrt{5}-2)}, {@code 1:2}), so that equivalent forms grade
 * equal. Rational sub-expressions stay exact; {@code \sqrt} of a non-square and {@code \pi} fall back to doubles.
 * Anything else (variables, functions, prose) does not parse. Package-private.
 */
final class Expr {

    /** A value: exact when {@code exact} is non-null, else approximate. */
    record Value(Rational exact, double approx) {
        static Value of(Rational r) {
            return new Value(r, r.toDouble());
        }

        static Value approx(double d) {
            return new Value(null, d);
        }

        boolean isExact() {
            return exact != null;
        }

        /**
         * Exact values compare exactly (or within {@code relTol}); approximate ones within
         * max(relTol, 1e-9) relative — the numeric stand-in for symbolic equality of surds and multiples of pi.
         */
        boolean matches(Value o, double relTol) {
            if (isExact() && o.isExact()) {
                return exact.matches(o.exact, relTol);
            }
            if (!Double.isFinite(approx) || !Double.isFinite(o.approx)) {
                return false;
            }
            double tol = Math.max(relTol, 1e-9);
            return Math.abs(approx - o.approx) <= tol * Math.max(Math.max(Math.abs(approx), Math.abs(o.approx)), 1e-12);
        }
    }

    private static final int MAX_CHARS = 300;
    private static final long MAX_BITS = 200_000;

    private final String s;
    private int pos;

    private Expr(String s) {
        this.s = s;
    }

    /** Parses a cleaned answer (see {@link AnswerText#clean}); empty unless the whole string is arithmetic. */
    static Optional<Value> evaluate(String text) {
        String t = text.replace("\\cdot", "*").replace("\\times", "*").replace("×", "*").replace("\\div", "/")
                .replace("÷", "/").replace("\\pi", "π").replace("\\sqrt", "√").replace("sqrt", "√").replace("\\frac", "ƒ")
                .replaceAll("\\s+", "");
        if (t.isEmpty() || t.length() > MAX_CHARS || t.chars().filter(c -> c == ':').count() > 1) {
            return Optional.empty();
        }
        // A ratio a:b is the number a/b ("1:2" for gold 1/2).
        int colon = t.indexOf(':');
        if (colon > 0) {
            t = "(" + t.substring(0, colon) + ")/(" + t.substring(colon + 1) + ")";
        }
        try {
            Expr e = new Expr(t);
            Value v = e.sum();
            return e.pos == t.length() && Double.isFinite(v.approx()) ? Optional.of(v) : Optional.empty();
        } catch (ArithmeticException | NumberFormatException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    private Value sum() {
        Value v = product();
        while (pos < s.length() && (peek() == '+' || peek() == '-')) {
            char op = s.charAt(pos++);
            Value r = product();
            v = op == '+' ? add(v, r) : add(v, negate(r));
        }
        return v;
    }

    private Value product() {
        Value v = power();
        while (pos < s.length()) {
            char c = peek();
            if (c == '*' || c == '/') {
                pos++;
                Value r = power();
                v = c == '*' ? mul(v, r) : div(v, r);
            } else if (startsPrimary(c)) {
                v = mul(v, power()); // implicit multiplication: 2√3, 5(√5-2), \frac{5}{3}π
            } else {
                break;
            }
        }
        return v;
    }

    private Value power() {
        Value base = unary();
        if (pos < s.length() && peek() == '^') {
            pos++;
            Value exp;
            if (pos < s.length() && peek() == '{') {
                exp = group('{', '}');
            } else if (pos < s.length() && Character.isDigit(peek())) {
                exp = Value.of(new Rational(BigInteger.valueOf(s.charAt(pos++) - '0'), BigInteger.ONE));
            } else {
                exp = unary();
            }
            return pow(base, exp);
        }
        return base;
    }

    private Value unary() {
        if (pos < s.length() && peek() == '-') {
            pos++;
            return negate(unary());
        }
        if (pos < s.length() && peek() == '+') {
            pos++;
            return unary();
        }
        return primary();
    }

    private Value primary() {
        if (pos >= s.length()) {
            throw new IllegalStateException("end of input");
        }
        char c = peek();
        if (Character.isDigit(c) || c == '.') {
            int start = pos;
            while (pos < s.length() && (Character.isDigit(peek()) || peek() == '.')) {
                pos++;
            }
            return Value.of(Rational.of(new BigDecimal(s.substring(start, pos))));
        }
        switch (c) {
            case '(':
                return group('(', ')');
            case '{':
                return group('{', '}');
            case '[':
                return group('[', ']');
            case 'π':
                pos++;
                return Value.approx(Math.PI);
            case 'ƒ': {
                pos++;
                Value num = argument();
                Value den = argument();
                return div(num, den);
            }
            case '√': {
                pos++;
                Value degree = null;
                if (pos < s.length() && peek() == '[') {
                    degree = group('[', ']');
                }
                Value arg = argument();
                return degree == null ? sqrt(arg) : Value.approx(Math.pow(arg.approx(), 1.0 / degree.approx()));
            }
            default:
                throw new IllegalStateException("unexpected '" + c + "'");
        }
    }

    /** A braced argument, or a single digit / symbol as in {@code \frac12} and {@code \sqrt3}. */
    private Value argument() {
        if (pos < s.length() && peek() == '{') {
            return group('{', '}');
        }
        if (pos < s.length() && Character.isDigit(peek())) {
            return Value.of(new Rational(BigInteger.valueOf(s.charAt(pos++) - '0'), BigInteger.ONE));
        }
        return primary();
    }

    private Value group(char open, char close) {
        if (peek() != open) {
            throw new IllegalStateException("expected " + open);
        }
        pos++;
        Value v = sum();
        if (pos >= s.length() || peek() != close) {
            throw new IllegalStateException("expected " + close);
        }
        pos++;
        return v;
    }

    private char peek() {
        return s.charAt(pos);
    }

    private static boolean startsPrimary(char c) {
        return Character.isDigit(c) || c == '(' || c == '{' || c == '[' || c == 'π' || c == '√' || c == 'ƒ';
    }

    private static Value add(Value a, Value b) {
        return a.isExact() && b.isExact() ? Value.of(a.exact().plus(b.exact())) : Value.approx(a.approx() + b.approx());
    }

    private static Value negate(Value a) {
        return a.isExact() ? Value.of(a.exact().negate()) : Value.approx(-a.approx());
    }

    private static Value mul(Value a, Value b) {
        if (a.isExact() && b.isExact()) {
            Rational x = a.exact();
            Rational y = b.exact();
            checkBits(x.numerator().bitLength() + (long) y.numerator().bitLength()
                    + x.denominator().bitLength() + y.denominator().bitLength());
            return Value.of(new Rational(x.numerator().multiply(y.numerator()), x.denominator().multiply(y.denominator())));
        }
        return Value.approx(a.approx() * b.approx());
    }

    private static Value div(Value a, Value b) {
        if (a.isExact() && b.isExact()) {
            return Value.of(a.exact().dividedBy(b.exact()));
        }
        return Value.approx(a.approx() / b.approx());
    }

    private static Value pow(Value base, Value exp) {
        if (base.isExact() && exp.isExact() && exp.exact().denominator().equals(BigInteger.ONE)
                && exp.exact().numerator().bitLength() < 20) {
            int e = exp.exact().numerator().intValueExact();
            Rational b = base.exact();
            checkBits((long) Math.abs(e) * (b.numerator().bitLength() + b.denominator().bitLength()));
            Rational r = new Rational(b.numerator().pow(Math.abs(e)), b.denominator().pow(Math.abs(e)));
            return Value.of(e >= 0 ? r : new Rational(r.denominator(), r.numerator()));
        }
        return Value.approx(Math.pow(base.approx(), exp.approx()));
    }

    private static Value sqrt(Value a) {
        if (a.isExact() && a.exact().numerator().signum() >= 0) {
            BigInteger n = a.exact().numerator().sqrt();
            BigInteger d = a.exact().denominator().sqrt();
            if (n.multiply(n).equals(a.exact().numerator()) && d.multiply(d).equals(a.exact().denominator())) {
                return Value.of(new Rational(n, d));
            }
        }
        return Value.approx(Math.sqrt(a.approx()));
    }

    private static void checkBits(long bits) {
        if (bits > MAX_BITS) {
            throw new ArithmeticException("number too large to compare exactly");
        }
    }
}
