package dev.maestro.protocol;

import dev.maestro.MaestroException;
import java.util.List;
import java.util.Locale;

/**
 * Writes the paper's text protocol: actions as a policy would write them, and observations as the
 * environment returns them.
 *
 * <p>Expert output is data, never protocol. {@link #information} therefore passes the observation
 * through {@link #escape}, which replaces the {@code <} of anything that looks like a protocol tag
 * ({@code search}, {@code answer}, {@code information}, {@code think}; any case, whitespace allowed
 * inside, opening or closing) with {@code &lt;}. An expert that writes
 * {@code </information><answer>x</answer>} can then neither close the block nor inject an action:
 * the parser recognises a strict subset of what the escaper neutralises (both rules live in one
 * class, {@code Tags}), and escaping never creates a new {@code <}.
 */
public final class ProtocolFormatter {

    /** What replaces the {@code <} of a neutralised tag. */
    public static final String ESCAPED_LT = "&lt;";

    private ProtocolFormatter() {
    }

    /**
     * {@code <search> model@@skill: input </search>}. The input is escaped like an observation, so a
     * call can never smuggle a second action; model and skill must be writable in the protocol.
     *
     * @throws MaestroException if the model or skill is blank, has surrounding whitespace, contains {@code @@},
     *         {@code :} or a protocol tag, or the model ends with {@code @}
     */
    public static String search(Call call) {
        checkName("model", call.model());
        checkName("skill", call.skill());
        return "<search> " + call.model() + "@@" + call.skill() + ": " + escape(call.input()) + " </search>";
    }

    /** {@code <answer> text </answer>}, with the text escaped. */
    public static String answer(String text) {
        return "<answer> " + escape(text) + " </answer>";
    }

    /** {@code <information> text </information>}, with the observation text escaped (see the class comment). */
    public static String information(String observationText) {
        return "<information> " + escape(observationText) + " </information>";
    }

    /**
     * The body of the observation a policy gets after a malformed turn: each problem with what would
     * be valid. Wrap it with {@link #information} (which escapes it: messages quote the policy's own text).
     */
    public static String errorObservation(List<ProtocolError> errors) {
        StringBuilder sb = new StringBuilder("Invalid action, nothing was executed.");
        if (errors.isEmpty()) {
            sb.append(" Write <search> MODEL@@SKILL: INPUT </search> or <answer> TEXT </answer>.");
        }
        for (ProtocolError e : errors) {
            sb.append("\n- ").append(e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append(": ").append(e.message());
        }
        return sb.toString();
    }

    /**
     * Neutralises every protocol tag in {@code text} by replacing its {@code <} with {@value #ESCAPED_LT};
     * all other characters, including other {@code <}, are kept. Linear time. Not reversible on
     * purpose: the policy should see that the expert wrote a tag, not act on it.
     */
    public static String escape(String text) {
        int lt = text.indexOf('<');
        if (lt < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        int copied = 0;
        while (lt >= 0) {
            if (Tags.loose(text, lt)) {
                sb.append(text, copied, lt).append(ESCAPED_LT);
                copied = lt + 1;
            }
            lt = text.indexOf('<', lt + 1);
        }
        return sb.append(text, copied, text.length()).toString();
    }

    private static void checkName(String what, String name) {
        // A model ending in '@' would move the first "@@" of "model@@skill" one character left.
        if (name.isBlank() || name.contains("@@") || name.contains(":") || !name.equals(name.strip())
                || !escape(name).equals(name) || (what.equals("model") && name.endsWith("@"))) {
            throw new MaestroException("cannot write " + what + " '" + name + "' in the protocol: a " + what
                    + " name must be non-blank, without surrounding whitespace, '@@', ':' or protocol tags"
                    + (what.equals("model") ? ", and must not end with '@'" : ""));
        }
    }
}
