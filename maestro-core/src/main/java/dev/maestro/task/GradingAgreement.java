package dev.maestro.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.io.LimitExceededException;
import dev.maestro.io.LineReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compares our grader with correctness flags recorded upstream (MATH-V's {@code correct}): grades every recorded
 * {@code answer}, counts agreements and both kinds of disagreement, and checks how many disagreements are rows
 * that an independent re-check ({@code grading_flags.jsonl}) already marked as doubtful.
 */
public final class GradingAgreement {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GradingAgreement() {
    }

    /**
     * One recorded row on which our grade and the recorded flag differ.
     *
     * @param reason     our short classification of why (see {@link #check})
     * @param flagReason the {@code reason} of the matching grading_flags row, if any
     */
    public record Disagreement(String taskId, String model, String skill, String answer, String gold,
                               boolean recordedCorrect, String reason, Optional<String> flagReason) {
    }

    /**
     * @param rows                   recorded rows graded
     * @param agreed                 rows where our grade equals the recorded flag
     * @param oursTrueRecordedFalse  we say correct, the recording says wrong
     * @param oursFalseRecordedTrue  we say wrong, the recording says correct
     * @param flagRows               rows in the flags file
     * @param disagreementsFlagged   our disagreements that are also rows of the flags file
     * @param flagsAgreedWithRecord  flag rows where we side with the recorded flag (the flag and we differ)
     * @param reasons                our disagreements by our classification, most frequent first
     * @param flaggedByReason        flagged disagreements by the flags file's reason
     * @param disagreements          every disagreement (for reports)
     */
    public record Report(int rows, int agreed, int oursTrueRecordedFalse, int oursFalseRecordedTrue, int flagRows,
                         int disagreementsFlagged, int flagsAgreedWithRecord, Map<String, Integer> reasons,
                         Map<String, Integer> flaggedByReason, List<Disagreement> disagreements) {
        public Report {
            reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
            flaggedByReason = Collections.unmodifiableMap(new LinkedHashMap<>(flaggedByReason));
            disagreements = List.copyOf(disagreements);
        }

        public double agreementRate() {
            return rows == 0 ? 0 : (double) agreed / rows;
        }

        public int disagreementCount() {
            return rows - agreed;
        }

        /** A plain-text summary for the CLI and docs. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "rows graded:                     %d%n", rows));
            sb.append(String.format(Locale.ROOT, "agreement:                       %d (%.2f%%)%n", agreed, 100 * agreementRate()));
            sb.append(String.format(Locale.ROOT, "ours correct / recorded wrong:   %d%n", oursTrueRecordedFalse));
            sb.append(String.format(Locale.ROOT, "ours wrong / recorded correct:   %d%n", oursFalseRecordedTrue));
            sb.append(String.format(Locale.ROOT, "disagreements in flags file:     %d of %d disagreements (flags file: %d rows)%n",
                    disagreementsFlagged, disagreementCount(), flagRows));
            sb.append(String.format(Locale.ROOT, "flag rows where we side with the recording: %d%n", flagsAgreedWithRecord));
            sb.append("disagreements by reason:\n");
            reasons.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %6d  %s%n", v, k)));
            sb.append("flagged disagreements by flag reason:\n");
            flaggedByReason.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %6d  %s%n", v, k)));
            return sb.toString();
        }
    }

    /** Reads the three files and checks with an exact {@link AnswerGrader}. */
    public static Report check(Path tasksJsonl, Path recordedJsonlGz, Path flagsJsonl) {
        return check(TaskReader.read(tasksJsonl), recordedJsonlGz, flagsJsonl, AnswerGrader.create());
    }

    public static Report check(List<Task> tasks, Path recorded, Path flags, Grader grader) {
        Map<String, Task> byId = tasks.stream().collect(Collectors.toMap(Task::id, Function.identity(), (a, b) -> a));
        Map<String, String> flagReasons = new HashMap<>();
        for (JsonNode f : rows(flags)) {
            flagReasons.put(key(text(f, "task_id", flags), text(f, "model", flags), text(f, "skill", flags)),
                    f.path("reason").asText("unspecified"));
        }
        int n = 0;
        int agreed = 0;
        int oursTrue = 0;
        int oursFalse = 0;
        int flagged = 0;
        int flagsSided = 0;
        Map<String, Integer> reasons = new HashMap<>();
        Map<String, Integer> flaggedByReason = new HashMap<>();
        List<Disagreement> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode r : rows(recorded)) {
            String taskId = text(r, "task_id", recorded);
            Task task = byId.get(taskId);
            if (task == null) {
                throw new MaestroException(recorded + ": recorded row for task '" + taskId + "' that is not in the tasks file");
            }
            String model = text(r, "model", recorded);
            String skill = text(r, "skill", recorded);
            if (!r.path("correct").isBoolean()) {
                throw new MaestroException(recorded + ": row " + key(taskId, model, skill) + " has no boolean 'correct'");
            }
            String k = key(taskId, model, skill);
            if (!seen.add(k)) {
                throw new MaestroException(recorded + ": duplicate row " + k);
            }
            boolean recordedCorrect = r.get("correct").asBoolean();
            String answer = r.path("answer").asText("");
            boolean ours = grader.grade(task, skill, answer) >= 0.5;
            n++;
            String flagReason = flagReasons.get(k);
            if (ours == recordedCorrect) {
                agreed++;
                if (flagReason != null) {
                    flagsSided++;
                }
                continue;
            }
            if (ours) {
                oursTrue++;
            } else {
                oursFalse++;
            }
            String reason = classify(task, answer, ours);
            reasons.merge(reason, 1, Integer::sum);
            if (flagReason != null) {
                flagged++;
                flaggedByReason.merge(flagReason, 1, Integer::sum);
            }
            out.add(new Disagreement(taskId, model, skill, answer, goldText(task), recordedCorrect, reason,
                    Optional.ofNullable(flagReason)));
        }
        return new Report(n, agreed, oursTrue, oursFalse, flagReasons.size(), flagged, flagsSided,
                sorted(reasons), sorted(flaggedByReason), out);
    }

    /** Our best guess at why the recorded flag and our grade differ. */
    static String classify(Task task, String answer, boolean oursCorrect) {
        if (answer.toLowerCase(Locale.ROOT).contains("generatecontentresponse")) {
            return "response is an API object repr, not an answer";
        }
        if (oursCorrect) {
            if (task.answerType() == AnswerType.CHOICE) {
                if (AnswerText.letter(answer, task.options().size()).isPresent()) {
                    return "letter written in a wrapper such as (b), c), Answer: C";
                }
                if (AnswerText.number(answer).isPresent()
                        && task.options().stream().noneMatch(o -> AnswerText.canonical(o).equals(AnswerText.canonical(answer)))) {
                    return "option value given without its unit (e.g. 11 for $11 \\mathrm{~m}$)";
                }
                return "option text instead of its letter";
            }
            if (task.answerType() == AnswerType.NUMBER) {
                return "equivalent number form (fraction, LaTeX, units, degree sign)";
            }
            return "equivalent text after normalisation ($, \\boxed{}, spacing, case)";
        }
        Optional<Expr.Value> a = AnswerText.value(answer);
        Optional<Expr.Value> g = goldValue(task);
        if (a.isPresent() && g.isPresent()) {
            if (round2(a.get().approx()).equals(round2(g.get().approx()))) {
                return "equal only after upstream 2-d.p. rounding";
            }
            return "different number, recorded as correct";
        }
        if (a.isEmpty() && AnswerText.letter(answer, Math.max(5, task.options().size())).isEmpty()
                && task.options().stream().noneMatch(o -> AnswerText.canonical(o).equals(AnswerText.canonical(answer)))) {
            return "answer not parseable by our grader (truncated, expression, or prose)";
        }
        return "other";
    }

    private static Optional<Expr.Value> goldValue(Task task) {
        if (task.answers().isEmpty()) {
            return Optional.empty();
        }
        String gold = task.answers().get(0);
        if (task.answerType() == AnswerType.CHOICE) {
            var i = AnswerText.letter(gold, task.options().size());
            return i.isPresent() ? AnswerText.value(task.options().get(i.getAsInt())) : Optional.empty();
        }
        return AnswerText.value(gold);
    }

    private static BigDecimal round2(double d) {
        return BigDecimal.valueOf(d).setScale(2, RoundingMode.HALF_UP);
    }

    private static String goldText(Task task) {
        if (task.answers().isEmpty()) {
            return "";
        }
        String gold = task.answers().get(0);
        if (task.answerType() == AnswerType.CHOICE) {
            var i = AnswerText.letter(gold, task.options().size());
            if (i.isPresent()) {
                return gold + " = " + task.options().get(i.getAsInt());
            }
        }
        return gold;
    }

    private static Map<String, Integer> sorted(Map<String, Integer> m) {
        Map<String, Integer> out = new LinkedHashMap<>();
        m.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static String key(String taskId, String model, String skill) {
        return taskId + "|" + model + "|" + skill;
    }

    private static String text(JsonNode row, String field, Path file) {
        JsonNode v = row.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) {
            throw new MaestroException(file + ": row without '" + field + "': " + abbreviate(row.toString()));
        }
        return v.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** All JSON rows of a JSONL file, gzip-compressed or not (lines and inflated size capped by {@link Limit}). */
    private static List<JsonNode> rows(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try (LineReader lines = LineReader.open(file)) {
            while (lines.next()) {
                String line = lines.text();
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new MaestroException(file + ":" + lines.lineNumber() + ": bad JSON: " + e.getMessage());
                }
            }
        } catch (LimitExceededException e) {
            throw new MaestroException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MaestroException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
