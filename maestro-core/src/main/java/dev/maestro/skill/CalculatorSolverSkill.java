package dev.maestro.skill;

import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.skill.tool.ToolInput;
import dev.maestro.skill.tool.ToolResult;
import dev.maestro.task.AnswerExtractor;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code implementation: java:calculator-solver}: finds an arithmetic expression in the question (or else in
 * the orchestrator's input) and evaluates it with the {@code calculator} tool, without a model call. When
 * no expression is found, or the calculator fails, it falls back to the skill's prompt and the chosen model
 * (when the skill has a template), so the skill is never worse than a plain prompt.
 */
public final class CalculatorSolverSkill implements SkillImplementation {
    /**
     * A run of numbers joined by operators, possibly in parentheses: "12 * (3 + 4)", "2^10 - 1", "7.5/2.5".
     * Words such as "x" are deliberately not operators, so "3 x 4" is not read as a product.
     */
    private static final Pattern EXPR = Pattern.compile(
            "[(\\s]*-?\\d+(?:\\.\\d+)?[)\\s]*(?:[-+*/^%×÷][(\\s]*-?\\d+(?:\\.\\d+)?[)\\s]*)+");

    @Override
    public String name() {
        return "calculator-solver";
    }

    /** The longest arithmetic expression in the text, with × and ÷ written as * and /. */
    public static Optional<String> findExpression(String text) {
        Matcher m = EXPR.matcher(text);
        String best = null;
        while (m.find()) {
            String e = m.group().strip();
            if (best == null || e.length() > best.length()) {
                best = e;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String e = best.replace('×', '*').replace('÷', '/');
        // Trim unbalanced parentheses left at the edges by the greedy match ("(3 + 4" or "2) * 5").
        while (count(e, '(') > count(e, ')') && e.startsWith("(")) {
            e = e.substring(1).strip();
        }
        while (count(e, ')') > count(e, '(') && e.endsWith(")")) {
            e = e.substring(0, e.length() - 1).strip();
        }
        return Optional.of(e);
    }

    private static long count(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }

    @Override
    public ExpertReply run(SkillContext ctx) {
        Optional<String> expr = findExpression(ctx.question()).or(() -> findExpression(ctx.input()));
        String note;
        double toolMs = 0;
        if (expr.isPresent()) {
            ToolResult r = ctx.tools().run("calculator", ToolInput.text(expr.get()));
            toolMs = r.millis();
            if (r.ok() && r.answer().isPresent()) {
                String text = "[calculator] " + expr.get() + " = " + r.answer().get();
                return new ExpertReply(Optional.of(text), r.answer(), Optional.empty(), Usage.NONE, 0, toolMs,
                        Optional.empty(), false);
            }
            note = "[calculator] " + expr.get() + ": " + r.observation();
        } else {
            note = "[calculator] no arithmetic expression found in the question";
        }
        if (ctx.skill().template().isBlank()) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.TOOL, note.substring("[calculator] ".length())), toolMs);
        }
        ExpertReply reply = ctx.callModel(ctx.render(Map.of("calculator", "")), ctx.task().images());
        if (reply.ok() && reply.answer().isEmpty() && reply.text().isPresent()) {
            reply = reply.withAnswer(AnswerExtractor.extract(reply.text().get(), ctx.task()));
        }
        String text = note + "\n[model] " + reply.text().orElse("");
        return new ExpertReply(Optional.of(text), reply.answer(), reply.recordedCorrect(), reply.usage(), reply.costUsd(),
                reply.latencyMs() + toolMs, reply.error(), reply.simulated(), reply.fallback());
    }
}
