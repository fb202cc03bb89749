package dev.maestro.skill.tool;

import com.ezylang.evalex.BaseException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.config.ExpressionConfiguration;
import com.ezylang.evalex.data.EvaluationValue;
import com.ezylang.evalex.functions.FunctionParameter;
import com.ezylang.evalex.functions.basic.FactFunction;
import com.ezylang.evalex.parser.Token;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Evaluates an arithmetic expression with EvalEx ({@code +-*}{@code /^%}, parentheses, functions such as
 * {@code SQRT}, {@code SIN}, {@code LOG}, constants {@code PI}, {@code E}). Parse and evaluation errors are
 * failure results. Expressions are capped at {@link #MAX_LENGTH} characters and {@link #TIMEOUT_MS} of work,
 * because a policy can send anything (e.g. {@code 9^999999999}).
 */
final class CalculatorTool extends BaseTool {

    static final int MAX_LENGTH = 500;

    @Override
    public boolean readsImages() {
        return false;
    }
    static final long TIMEOUT_MS = 2_000;
    /** Shown digits: enough for any benchmark answer, few enough to hide binary-decimal noise. */
    private static final MathContext SHOWN = new MathContext(15);

    /** Largest factorial argument: FACT(10^6) already takes seconds of CPU that a timeout cannot reclaim. */
    static final int MAX_FACTORIAL = 10_000;

    private static final ExpressionConfiguration CONFIG = ExpressionConfiguration.builder()
            .mathContext(new MathContext(34))
            .arraysAllowed(false)
            .structuresAllowed(false)
            .build()
            .withAdditionalFunctions(Map.entry("FACT", new CappedFactorial()));

    /**
     * EvalEx's factorial with an argument cap. The evaluation timeout stops waiting but cannot stop a
     * BigDecimal loop in its thread, so the one unbounded built-in loop is refused up front.
     */
    @FunctionParameter(name = "base")
    static final class CappedFactorial extends FactFunction {
        @Override
        public EvaluationValue evaluate(Expression expression, Token functionToken, EvaluationValue... parameterValues) {
            BigDecimal n = parameterValues[0].getNumberValue();
            if (n.compareTo(BigDecimal.valueOf(MAX_FACTORIAL)) > 0) {
                throw new ArithmeticException("FACT(" + n.toPlainString() + ") is too large; the limit is FACT(" + MAX_FACTORIAL + ")");
            }
            return super.evaluate(expression, functionToken, parameterValues);
        }
    }

    // Daemon threads: a runaway evaluation must not keep the JVM alive.
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "maestro-calculator");
        t.setDaemon(true);
        return t;
    });

    CalculatorTool() {
        super("calculator", "Evaluates an arithmetic expression, e.g. \"(3+4)*2^3/7\" or \"SQRT(2)*PI\"; answer is the value.");
    }

    @Override
    Outcome execute(ToolInput in) {
        String expr = in.argument().strip();
        if (expr.isEmpty()) {
            throw new ToolException("empty expression; give an arithmetic expression such as (3+4)*2");
        }
        if (expr.length() > MAX_LENGTH) {
            throw new ToolException("expression has " + expr.length() + " characters; the limit is " + MAX_LENGTH);
        }
        Future<EvaluationValue> f = EXECUTOR.submit(() -> evaluate(expr));
        EvaluationValue v;
        try {
            v = f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ToolException("evaluation of '" + expr + "' took longer than " + TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String msg = c instanceof BaseException be ? be.getMessage()
                    : c instanceof ArithmeticException ae ? ae.getMessage()
                    : c.getClass().getSimpleName() + ": " + c.getMessage();
            throw new ToolException("cannot evaluate '" + expr + "': " + msg);
        }
        String shown = format(v);
        return Outcome.answer(shown, expr + " = " + shown);
    }

    private static EvaluationValue evaluate(String expr) throws BaseException {
        Expression e = new Expression(expr, CONFIG);
        Set<String> undefined = e.getUndefinedVariables();
        if (!undefined.isEmpty()) {
            throw new ArithmeticException("unknown name(s) " + undefined + "; only numbers, operators, functions and the constants PI, E are allowed");
        }
        return e.evaluate();
    }

    static String format(EvaluationValue v) {
        if (v.isNumberValue()) {
            BigDecimal d = v.getNumberValue().round(SHOWN).stripTrailingZeros();
            // Plain notation for everyday magnitudes, scientific for the rest (no 10^30 zeros).
            return d.abs().compareTo(BigDecimal.TEN.pow(15)) >= 0
                    || (d.signum() != 0 && d.abs().compareTo(new BigDecimal("1e-6")) < 0)
                    ? d.toString() : d.toPlainString();
        }
        if (v.isBooleanValue()) {
            return v.getBooleanValue().toString();
        }
        throw new ToolException("the result is not a number but " + v.getDataType().name().toLowerCase(Locale.ROOT)
                + " '" + v.getStringValue() + "'; give an arithmetic expression");
    }
}
