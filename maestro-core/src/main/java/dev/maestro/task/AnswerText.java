package dev.maestro.task;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalisation shared by the grader and the extractor: strips LaTeX wrappers, units and answer prefixes,
 * parses exact numbers, option letters and "rows x columns" pairs. Package-private on purpose: the public
 * contract is {@link Grader} and {@link AnswerExtractor}.
 */
final class AnswerText {

    /** Longer answers are not normalised: regexes on hostile megabyte strings would only waste time. */
    static final int MAX_ANSWER_CHARS = 10_000;

    private static final Pattern PREFIX = Pattern.compile(
            "^(?:(?:the\\s+)?(?:final\\s+|correct\\s+)?answer(?:\\s+is)?\\s*[:：]?|answer\\s*[:：])\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern TEXT_GROUP = Pattern.compile("\\\\(?:mathrm|text|textrm|mbox|textbf|mathbf|operatorname)\\s*\\{([^{}]*)\\}");
    private static final Pattern UNIT_GROUP = Pattern.compile(
            "\\\\(?:mathrm|text|textrm|mbox)\\s*\\{([^{}]*)\\}(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?)?");
    private static final Pattern DEGREES = Pattern.compile(
            "\\^\\s*\\{\\s*\\\\circ\\s*\\}|\\^\\s*\\\\circ|\\\\circ|°|\\{\\s*degrees?\\s*\\}");
    private static final String NUM = "[+-]?(?:\\d+(?:\\.\\d+)?|\\.\\d+)";
    private static final Pattern DECIMAL = Pattern.compile(NUM);
    private static final Pattern THOUSANDS = Pattern.compile("[+-]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern SLASH = Pattern.compile("(" + NUM + ")\\s*/\\s*(" + NUM + ")");
    private static final Pattern FRAC = Pattern.compile("([+-]?)\\\\frac\\s*\\{\\s*(" + NUM + ")\\s*\\}\\s*\\{\\s*(" + NUM + ")\\s*\\}");
    private static final Pattern FRAC_SHORT = Pattern.compile("([+-]?)\\\\frac(\\d)(\\d)");
    private static final Pattern MIXED = Pattern.compile("([+-]?)(\\d+)\\s*\\\\frac\\s*\\{\\s*(\\d+)\\s*\\}\\s*\\{\\s*(\\d+)\\s*\\}");
    private static final Pattern UNIT_SUFFIX = Pattern.compile(
            "(.*?\\d)\\s*(?:\\\\?%|percent|degrees?|deg|cm|mm|km|dm|m|kg|g|mg|l|ml|s|sec|seconds?|min|minutes?|h|hours?"
                    + "|units?|square\\s+units|sq\\s+units|dollars?|cents?|years?|days?|points?|euros?)"
                    + "(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?|[²³])?\\.?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CURRENCY = Pattern.compile("^(?:\\\\\\$|\\$|€|£)\\s*(?=[+-]?[\\d.])");
    private static final Pattern LETTER = Pattern.compile(
            "^(?:(?:option|choice)\\s*)?[(\\[{]?\\s*([A-Za-z])\\s*[)\\]}]?\\s*[.:)]?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern PAIR_XY = Pattern.compile("^(\\d+)\\s*(?:x|×|\\*|\\\\times|by)\\s*(\\d+)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern TIME = Pattern.compile("(?<![\\d.])(?:\\d{2}:\\d{2}|\\d:[0-5]0)(?!\\d)");
    private static final Pattern INT = Pattern.compile("\\d+");
    private static final Pattern ROWS_THEN_N = Pattern.compile("rows?\\s*[=:]?\\s*\\{?\\s*(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern COLS_THEN_N = Pattern.compile("columns?\\s*[=:]?\\s*\\{?\\s*(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern N_THEN_ROWS = Pattern.compile("(\\d+)\\s*\\}?\\s*rows?", Pattern.CASE_INSENSITIVE);
    private static final Pattern N_THEN_COLS = Pattern.compile("(\\d+)\\s*\\}?\\s*columns?", Pattern.CASE_INSENSITIVE);
    private static final Pattern PAREN_PAIR = Pattern.compile("\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

    private AnswerText() {
    }

    /**
     * Removes wrappers that never change the meaning of an answer: {@code $}, {@code \boxed{}}, {@code \( \)},
     * spacing commands, an "Answer:" prefix, a trailing full stop, a whole-answer {@code {...}}.
     * {@code \text{}}/{@code \mathrm{}} groups are unwrapped (their content kept).
     */
    static String clean(String raw) {
        String s = raw.length() > MAX_ANSWER_CHARS ? raw.substring(0, MAX_ANSWER_CHARS) : raw;
        // "\frac" written in JSON without escaping the backslash arrives as form feed + "rac" (seen in MATH-V gold).
        s = s.replace("\frac", "\\frac").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.strip();
        for (int i = 0; i < 4; i++) {
            String before = s;
            s = PREFIX.matcher(s).replaceFirst("");
            s = s.replace("\\$", "").replace("$", "").replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "");
            s = unwrapCommand(s, "\\boxed");
            s = unwrapCommand(s, "\\fbox");
            s = s.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("\\,", " ")
                    .replace("\\;", " ").replace("\\ ", " ").replace("~", " ").replace("\\displaystyle", "");
            s = s.strip();
            while (s.endsWith(".") || s.endsWith("。")) {
                s = s.substring(0, s.length() - 1).strip();
            }
            int unmatched = unmatchedClose(s);
            if (unmatched > 0) {
                // A brace closed that was never opened: the answer was cut out of "\boxed{...}" together with what
                // followed it ("\frac{7}{32}}.the answer is ..."); the part before the brace is the boxed content.
                s = s.substring(0, unmatched).strip();
            }
            if (s.length() >= 2 && s.startsWith("{") && s.endsWith("}") && balanced(s.substring(1, s.length() - 1))) {
                s = s.substring(1, s.length() - 1).strip();
            }
            if (s.equals(before)) {
                break;
            }
        }
        return s;
    }

    /** {@link #clean} with {@code \text{}} groups unwrapped, degree signs removed, lower case, no whitespace. */
    static String canonical(String raw) {
        String s = clean(raw);
        s = DEGREES.matcher(s).replaceAll("");
        Matcher m = TEXT_GROUP.matcher(s);
        s = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
        s = s.toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
        s = s.replaceAll("^[\"'`“”‘’.,;:?]+|[\"'`“”‘’.,;:?]+$", ""); // not '!': 4! is 24
        return s;
    }

    /** The exact value of a numeric answer, units, currency and degree signs removed; empty if not a number. */
    static Optional<Rational> number(String raw) {
        String s = withoutUnits(raw);
        if (s.length() > 200) {
            return Optional.empty();
        }
        try {
            if (DECIMAL.matcher(s).matches()) {
                return Optional.of(Rational.of(new BigDecimal(s)));
            }
            if (THOUSANDS.matcher(s).matches()) {
                return Optional.of(Rational.of(new BigDecimal(s.replace(",", ""))));
            }
            Matcher m = SLASH.matcher(s);
            if (m.matches()) {
                return Optional.of(Rational.of(new BigDecimal(m.group(1))).dividedBy(Rational.of(new BigDecimal(m.group(2)))));
            }
            m = FRAC.matcher(s);
            if (m.matches()) {
                Rational r = Rational.of(new BigDecimal(m.group(2))).dividedBy(Rational.of(new BigDecimal(m.group(3))));
                return Optional.of(m.group(1).equals("-") ? r.negate() : r);
            }
            m = FRAC_SHORT.matcher(s);
            if (m.matches()) {
                Rational r = new Rational(new BigInteger(m.group(2)), new BigInteger(m.group(3)));
                return Optional.of(m.group(1).equals("-") ? r.negate() : r);
            }
            m = MIXED.matcher(s);
            if (m.matches()) {
                Rational r = new Rational(new BigInteger(m.group(2)), BigInteger.ONE)
                        .plus(new Rational(new BigInteger(m.group(3)), new BigInteger(m.group(4))));
                return Optional.of(m.group(1).equals("-") ? r.negate() : r);
            }
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The value of a numeric or arithmetic answer ({@code 2 \cdot 4 \cdot 3}, {@code 5\sqrt{5}-10}, {@code 1:2}),
     * exact where possible; empty for anything that is not arithmetic.
     */
    static Optional<Expr.Value> value(String raw) {
        Optional<Rational> n = number(raw);
        if (n.isPresent()) {
            return Optional.of(Expr.Value.of(n.get()));
        }
        String s = withoutUnits(raw);
        if (TIME.matcher(s).find()) {
            return Optional.empty(); // 10:30 is a time, not the ratio 1/3
        }
        return Expr.evaluate(s);
    }

    /** {@link #clean} plus degree signs, unit groups, currency and trailing unit words removed; no spaces. */
    static String withoutUnits(String raw) {
        String s = clean(raw);
        s = DEGREES.matcher(s).replaceAll("");
        s = UNIT_GROUP.matcher(s).replaceAll(r -> Matcher.quoteReplacement(isUnitWord(r.group(1)) ? "" : r.group(0)));
        s = TEXT_GROUP.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
        s = s.strip();
        s = CURRENCY.matcher(s).replaceFirst("");
        Matcher u = UNIT_SUFFIX.matcher(s);
        if (u.matches()) {
            s = u.group(1);
        }
        return s.replace(" ", "").replace("{,}", "");
    }

    /** The option index an answer names as a letter ("C", "(b)", "c)", "Option D"), if within range. */
    static OptionalInt letter(String raw, int optionCount) {
        String s = clean(raw);
        s = TEXT_GROUP.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1))).strip();
        Matcher m = LETTER.matcher(s);
        if (!m.matches()) {
            return OptionalInt.empty();
        }
        int index = Character.toUpperCase(m.group(1).charAt(0)) - 'A';
        return index >= 0 && index < optionCount ? OptionalInt.of(index) : OptionalInt.empty();
    }

    /** "RxC" gold or answers such as "rows={5} columns={6}", "(5,6)", "5 rows and 6 columns". */
    static Optional<int[]> rowsColumns(String raw) {
        String s = clean(raw).replace("\\times", "x");
        Matcher xy = PAIR_XY.matcher(s.replace(" ", "").replace("\\", ""));
        if (xy.matches()) {
            return pair(xy.group(1), xy.group(2));
        }
        // "rows={5} columns={6}" before "5 rows and 6 columns": in the first form the 5 also precedes "columns".
        Matcher r = ROWS_THEN_N.matcher(s);
        Matcher c = COLS_THEN_N.matcher(s);
        if (r.find() && c.find()) {
            return pair(r.group(1), c.group(1));
        }
        r = N_THEN_ROWS.matcher(s);
        c = N_THEN_COLS.matcher(s);
        if (r.find() && c.find()) {
            return pair(r.group(1), c.group(1));
        }
        if (s.length() <= 40) {
            Matcher ints = INT.matcher(s);
            String a = null;
            String b = null;
            int n = 0;
            while (ints.find()) {
                n++;
                if (n == 1) {
                    a = ints.group();
                } else if (n == 2) {
                    b = ints.group();
                }
            }
            if (n == 2 && s.replaceAll("[\\d\\s(),\\[\\]{}x×;]", "").isEmpty()) {
                return pair(a, b);
            }
        }
        Matcher paren = PAREN_PAIR.matcher(s);
        String[] last = null;
        while (paren.find()) {
            last = new String[] {paren.group(1), paren.group(2)};
        }
        if (last != null) {
            return pair(last[0], last[1]); // "(row, column)" as the second BlindTest prompt asks
        }
        return Optional.empty();
    }

    static boolean isPairGold(String gold) {
        return PAIR_XY.matcher(clean(gold).replace(" ", "")).matches();
    }

    private static Optional<int[]> pair(String a, String b) {
        if (a.length() > 6 || b.length() > 6) {
            return Optional.empty();
        }
        return Optional.of(new int[] {Integer.parseInt(a), Integer.parseInt(b)});
    }

    private static boolean isUnitWord(String content) {
        return content.strip().matches("[~\\s]*[A-Za-z]{1,6}[~\\s]*(\\^\\{?[23]\\}?)?[~\\s]*|[~\\s]*");
    }

    /** Replaces {@code \cmd{...}} (balanced braces) by its content, for every occurrence. */
    static String unwrapCommand(String s, String command) {
        int at = s.indexOf(command);
        int guard = 0;
        while (at >= 0 && guard++ < 50) {
            int open = at + command.length();
            while (open < s.length() && s.charAt(open) == ' ') {
                open++;
            }
            if (open >= s.length() || s.charAt(open) != '{') {
                at = s.indexOf(command, at + command.length());
                continue;
            }
            int close = matchingBrace(s, open);
            if (close < 0) {
                // An unclosed \boxed{ (truncated output): keep what follows it.
                s = s.substring(0, at) + s.substring(open + 1);
            } else {
                s = s.substring(0, at) + s.substring(open + 1, close) + s.substring(close + 1);
            }
            at = s.indexOf(command);
        }
        return s;
    }

    /** Index of the brace closing the one at {@code open}, or -1. */
    static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                i++;
                continue;
            }
            if (ch == '{') {
                depth++;
            } else if (ch == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static int unmatchedClose(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                i++;
            } else if (ch == '{') {
                depth++;
            } else if (ch == '}' && --depth < 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean balanced(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '{') {
                depth++;
            } else if (ch == '}' && --depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }
}
