package dev.maestro.task;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A normalised key for an answer, so that equivalent answers fall in one bin when votes are counted:
 * case, spaces, {@code $}, {@code \boxed{}}, trailing punctuation and option brackets are removed, and
 * for multiple-choice tasks an option's text maps to its letter.
 */
public final class AnswerKey {
    /** Compiled once: String.replaceAll compiled the pattern on every call, ~1 µs of each policy decision. */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private AnswerKey() {
    }

    public static String of(Task task, String answer) {
        String a = normalise(answer);
        if (task.answerType() == AnswerType.CHOICE) {
            if (a.length() == 1 && Character.isLetter(a.charAt(0))) {
                return a;
            }
            for (int i = 0; i < task.options().size(); i++) {
                if (normalise(task.options().get(i)).equals(a)) {
                    return String.valueOf((char) ('a' + i));
                }
            }
        }
        return a;
    }

    static String normalise(String s) {
        String a = s.strip().toLowerCase(Locale.ROOT);
        if (a.startsWith("\\boxed{") && a.endsWith("}")) {
            a = a.substring(7, a.length() - 1);
        }
        a = a.replace("$", "").replace("\\left", "").replace("\\right", "");
        a = WHITESPACE.matcher(a).replaceAll("");
        while (!a.isEmpty() && ".,;:".indexOf(a.charAt(a.length() - 1)) >= 0) {
            a = a.substring(0, a.length() - 1);
        }
        if (a.length() == 3 && a.charAt(0) == '(' && a.charAt(2) == ')') {
            a = a.substring(1, 2);
        } else if (a.length() == 2 && a.charAt(1) == ')') {
            a = a.substring(0, 1);
        }
        return a;
    }
}
