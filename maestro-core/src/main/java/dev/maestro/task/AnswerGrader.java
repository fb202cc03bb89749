package dev.maestro.task;

import dev.maestro.MaestroException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * The grader for our suites (MATH-V, BlindTest, our own JSONL suites):
 * <ul>
 *   <li>{@link AnswerType#CHOICE}: a letter ("C", "(b)", "c)", "Answer: C") or an option's text
 *       ("8 kg" for option {@code $8 \mathrm{~kg}$}; a bare number when exactly one option has that value);</li>
 *   <li>{@link AnswerType#NUMBER}: exact rational comparison, also of arithmetic ({@code 2 \cdot 4 \cdot 3} = 24;
 *       surds and multiples of pi within 1e-9 relative) ({@code \frac{4}{3}} = {@code 4/3}; {@code 0.5} = {@code 1/2})
 *       after stripping {@code $}, {@code \boxed{}}, units and degree signs; a relative tolerance per source
 *       (default 0 = exact);</li>
 *   <li>{@link AnswerType#TEXT}: case, whitespace and surrounding punctuation ignored; "Yes"/"No" gold compared with
 *       the answer's first word; "RxC" gold compared with "rows={5} columns={6}", "(5,6)", "5x6".</li>
 * </ul>
 * Grades are 0 or 1. Tasks without gold grade 0 (see {@link Grader#canGrade}).
 */
public final class AnswerGrader implements Grader {

    private final double defaultTolerance;
    private final Map<String, Double> toleranceBySource;

    private AnswerGrader(Builder b) {
        this.defaultTolerance = b.defaultTolerance;
        this.toleranceBySource = Map.copyOf(b.toleranceBySource);
    }

    /** Exact grading for every source. */
    public static AnswerGrader create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The relative tolerance used for numbers of a source. */
    public double tolerance(String source) {
        return toleranceBySource.getOrDefault(source, defaultTolerance);
    }

    @Override
    public double grade(Task task, String answer) {
        if (!canGrade(task) || answer.isBlank()) {
            return 0.0;
        }
        for (String gold : task.answers()) {
            if (matches(task, gold, answer)) {
                return 1.0;
            }
        }
        return 0.0;
    }

    private boolean matches(Task task, String gold, String answer) {
        return switch (task.answerType()) {
            case CHOICE -> choice(task.options(), gold, answer, tolerance(task.source()));
            case NUMBER -> number(gold, answer, tolerance(task.source()));
            case TEXT -> text(gold, answer, tolerance(task.source()));
            case UNKNOWN -> false;
        };
    }

    private static boolean choice(List<String> options, String gold, String answer, double tol) {
        OptionalInt goldIndex = AnswerText.letter(gold, options.size());
        if (goldIndex.isEmpty()) {
            goldIndex = optionByText(options, gold, tol);
        }
        if (goldIndex.isEmpty()) {
            // Gold names no option (malformed task): fall back to comparing texts.
            return text(gold, answer, tol);
        }
        int g = goldIndex.getAsInt();
        OptionalInt said = AnswerText.letter(answer, options.size());
        if (said.isPresent()) {
            return said.getAsInt() == g;
        }
        OptionalInt byText = optionByText(options, answer, tol);
        return byText.isPresent() && byText.getAsInt() == g;
    }

    /** The single option whose text (or, failing that, numeric value) equals the answer. */
    private static OptionalInt optionByText(List<String> options, String answer, double tol) {
        String a = AnswerText.canonical(answer);
        if (a.isEmpty()) {
            return OptionalInt.empty();
        }
        OptionalInt found = unique(options, o -> AnswerText.canonical(o).equals(a));
        if (found.isPresent()) {
            return found;
        }
        Optional<Expr.Value> value = AnswerText.value(answer);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        return unique(options, o -> AnswerText.value(o).map(v -> v.matches(value.get(), tol)).orElse(false));
    }

    private static OptionalInt unique(List<String> options, Predicate<String> test) {
        int hit = -1;
        for (int i = 0; i < options.size(); i++) {
            if (test.test(options.get(i))) {
                if (hit >= 0) {
                    return OptionalInt.empty(); // two options fit: the answer does not name one
                }
                hit = i;
            }
        }
        return hit >= 0 ? OptionalInt.of(hit) : OptionalInt.empty();
    }

    private static boolean number(String gold, String answer, double tol) {
        Optional<Expr.Value> g = AnswerText.value(gold);
        Optional<Expr.Value> a = AnswerText.value(answer);
        if (g.isPresent() && a.isPresent()) {
            return g.get().matches(a.get(), tol);
        }
        return !AnswerText.canonical(gold).isEmpty() && AnswerText.canonical(gold).equals(AnswerText.canonical(answer));
    }

    private static boolean text(String gold, String answer, double tol) {
        String g = AnswerText.canonical(gold);
        String a = AnswerText.canonical(answer);
        if (!g.isEmpty() && g.equals(a)) {
            return true;
        }
        if (g.equals("yes") || g.equals("no")) {
            return g.equals(firstWord(answer));
        }
        if (AnswerText.isPairGold(gold)) {
            Optional<int[]> gp = AnswerText.rowsColumns(gold);
            Optional<int[]> ap = AnswerText.rowsColumns(answer);
            return gp.isPresent() && ap.isPresent() && gp.get()[0] == ap.get()[0] && gp.get()[1] == ap.get()[1];
        }
        Optional<Expr.Value> gn = AnswerText.value(gold);
        Optional<Expr.Value> an = AnswerText.value(answer);
        return gn.isPresent() && an.isPresent() && gn.get().matches(an.get(), tol);
    }

    private static String firstWord(String answer) {
        String s = AnswerText.clean(answer).toLowerCase(Locale.ROOT);
        s = s.replaceAll("^[^a-z]+", "");
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        return s.substring(0, end);
    }

    /** Builder for {@link AnswerGrader}. */
    public static final class Builder {
        private double defaultTolerance;
        private final Map<String, Double> toleranceBySource = new HashMap<>();

        private Builder() {
        }

        /** Relative tolerance for numbers of sources without their own setting; 0 (exact) by default. */
        public Builder defaultTolerance(double relative) {
            this.defaultTolerance = check(relative, "default");
            return this;
        }

        /** Relative tolerance for numbers of one source, e.g. {@code tolerance("math-v", 0.0)}. */
        public Builder tolerance(String source, double relative) {
            toleranceBySource.put(source, check(relative, source));
            return this;
        }

        public AnswerGrader build() {
            return new AnswerGrader(this);
        }

        private static double check(double relative, String what) {
            if (!(relative >= 0 && relative < 1)) {
                throw new MaestroException("tolerance for " + what + " must be in [0, 1), got " + relative);
            }
            return relative;
        }
    }
}
