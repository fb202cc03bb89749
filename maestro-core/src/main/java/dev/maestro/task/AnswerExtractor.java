package dev.maestro.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the final answer out of a free-text expert response. It reads only the response and the task's
 * question, options and answer type — never the gold — so it may run where a policy could see its output.
 *
 * <p>Order of preference: the last {@code \boxed{...}} (nested braces allowed); an "Answer:" / "The answer is"
 * statement; BlindTest-style curly answers ({@code {5}}, {@code rows={5} columns={6}}); for multiple choice the
 * last option letter; for Yes/No questions the first yes/no; the last number.
 */
public final class AnswerExtractor {

    /** Responses longer than this are read from their tail: answers come last, and regexes must stay cheap. */
    static final int MAX_RESPONSE_CHARS = 20_000;

    private static final Pattern ANSWER_IS = Pattern.compile(
            "(?:final\\s+answer|the\\s+answer|answer)\\s*(?:is\\s*[:：]?|:|：|=)\\s*(?:\\*\\*)?\\s*(.+)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CURLY = Pattern.compile("(?<![\\\\a-zA-Z^_}])\\{([^{}\\n]{1,40})\\}");
    // Lower-case letters count only when marked ("(b)", "b)", "option b", a lone "b"): a bare "e." is usually "e.g.".
    private static final Pattern LETTER_MARKED = Pattern.compile(
            "(?i:\\(([A-Z])\\))|(?i:\\b(?:option|choice)\\s*\\(?([A-Z])\\b)|(?<![A-Za-z])(?i:([A-Z]))\\)"
                    + "|\\b([A-Z])[.:](?=\\s|$)|^\\s*(?i:([A-Z]))\\s*$",
            Pattern.MULTILINE);
    private static final Pattern NUMBER = Pattern.compile(
            "-?\\\\frac\\s*\\{\\s*-?\\d+(?:\\.\\d+)?\\s*\\}\\s*\\{\\s*\\d+(?:\\.\\d+)?\\s*\\}|-?\\d+(?:\\.\\d+)?\\s*/\\s*\\d+(?:\\.\\d+)?|-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|-?\\d+(?:\\.\\d+)?|-?\\.\\d+");
    private static final Pattern LEADING_LETTER = Pattern.compile(
            "^(?:option\\s*)?(?:\\(([A-Za-z])\\)|([A-Z])(?=[.:)\\s]|$)|([a-z])(?=[.:)]|$))");
    private static final Pattern YES_NO = Pattern.compile("\\b(yes|no)\\b", Pattern.CASE_INSENSITIVE);

    private AnswerExtractor() {
    }

    public static Optional<String> extract(String responseText, Task task) {
        String text = responseText.length() > MAX_RESPONSE_CHARS
                ? responseText.substring(responseText.length() - MAX_RESPONSE_CHARS) : responseText;
        if (text.isBlank()) {
            return Optional.empty();
        }
        Optional<String> boxed = lastBoxed(text);
        if (boxed.isPresent()) {
            return boxed;
        }
        Optional<String> stated = answerStatement(text);
        if (stated.isPresent()) {
            if (!task.options().isEmpty()) {
                // "The answer is (B) 45°" names option B; the text after the letter is commentary.
                Matcher lead = LEADING_LETTER.matcher(stated.get());
                if (lead.find()) {
                    String l = (lead.group(1) != null ? lead.group(1) : lead.group(2) != null ? lead.group(2) : lead.group(3))
                            .toUpperCase(Locale.ROOT);
                    if (l.charAt(0) - 'A' < task.options().size()) {
                        return Optional.of(l);
                    }
                }
            }
            return stated;
        }
        Optional<String> curly = curly(text, task);
        if (curly.isPresent()) {
            return curly;
        }
        if (!task.options().isEmpty()) {
            Optional<String> letter = lastLetter(text, task.options().size());
            if (letter.isPresent()) {
                return letter;
            }
        }
        if (asksYesNo(task)) {
            Matcher yn = YES_NO.matcher(text);
            if (yn.find()) {
                String w = yn.group(1).toLowerCase(Locale.ROOT);
                return Optional.of(w.equals("yes") ? "Yes" : "No");
            }
        }
        if (asksRowsColumns(task)) {
            Optional<int[]> rc = AnswerText.rowsColumns(text);
            if (rc.isPresent()) {
                return Optional.of(rc.get()[0] + "x" + rc.get()[1]);
            }
        }
        return lastNumber(text);
    }

    /** Content of the last {@code \boxed{...}}, braces balanced. */
    static Optional<String> lastBoxed(String text) {
        int at = text.lastIndexOf("\\boxed");
        while (at >= 0) {
            int open = at + "\\boxed".length();
            while (open < text.length() && text.charAt(open) == ' ') {
                open++;
            }
            if (open < text.length() && text.charAt(open) == '{') {
                int close = AnswerText.matchingBrace(text, open);
                if (close > open) {
                    String inner = text.substring(open + 1, close).strip();
                    if (!inner.isEmpty()) {
                        return Optional.of(inner);
                    }
                }
            }
            at = at == 0 ? -1 : text.lastIndexOf("\\boxed", at - 1);
        }
        return Optional.empty();
    }

    private static Optional<String> answerStatement(String text) {
        Matcher m = ANSWER_IS.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return Optional.empty();
        }
        String s = last.strip();
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        // Keep the first sentence: "The answer is 5. Because ..." -> "5".
        Matcher sentence = Pattern.compile("(?<!\\d)\\.(?:\\s|$)|(?<=\\d)\\.(?=\\s|$)").matcher(s);
        if (sentence.find()) {
            s = s.substring(0, sentence.start());
        }
        s = s.replace("**", "").strip();
        return s.isEmpty() || s.length() > 200 ? Optional.empty() : Optional.of(s);
    }

    private static Optional<String> curly(String text, Task task) {
        Matcher m = CURLY.matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1).strip());
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (asksRowsColumns(task)) {
            Optional<int[]> rc = AnswerText.rowsColumns(text);
            if (rc.isPresent()) {
                return Optional.of(rc.get()[0] + "x" + rc.get()[1]);
            }
        }
        return Optional.of(found.get(found.size() - 1));
    }

    private static Optional<String> lastLetter(String text, int optionCount) {
        Matcher m = LETTER_MARKED.matcher(text);
        String last = null;
        while (m.find()) {
            for (int g = 1; g <= m.groupCount(); g++) {
                String v = m.group(g);
                if (v != null) {
                    int index = Character.toUpperCase(v.charAt(0)) - 'A';
                    if (index >= 0 && index < optionCount) {
                        last = String.valueOf((char) ('A' + index));
                    }
                    break;
                }
            }
        }
        return Optional.ofNullable(last);
    }

    private static Optional<String> lastNumber(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return Optional.ofNullable(last).map(s -> s.replace(" ", ""));
    }

    private static boolean asksYesNo(Task task) {
        return mentions(task, "yes/no") || task.answerType() == AnswerType.TEXT
                && (mentions(task, "are the ") || mentions(task, "is the ") || mentions(task, "does "));
    }

    private static boolean asksRowsColumns(Task task) {
        return mentions(task, "rows") && mentions(task, "columns");
    }

    private static boolean mentions(Task task, String word) {
        if (task.question().toLowerCase(Locale.ROOT).contains(word)) {
            return true;
        }
        return task.variants().values().stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains(word));
    }
}
