package dev.maestro.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Grade;
import dev.maestro.task.Grader;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Grades answers with an LLM judge (a registry model and a rubric, {@code judge:} in suite.yaml) where there is no
 * gold, and measures how often the judge agrees with gold where there is.
 *
 * <ul>
 *   <li>A task with gold is graded against gold, as without a judge; the judge is asked too (unless agreement
 *       checks are off; for at most {@value #AGREEMENT_CHECKS} distinct answers per run) and its verdict counted
 *       against gold's: the agreement figures say how far to trust its verdicts on the tasks without gold.</li>
 *   <li>A task without gold is graded by the judge's verdict ({@code gradedBy = judge}). An unreadable verdict
 *       ({@link JudgeVerdict}) or a failed judge call leaves it <em>ungraded</em>, with the reason: counted, never
 *       averaged into accuracy, never a training signal.</li>
 * </ul>
 * The judge is called through the given expert, i.e. the normal expert stack of its model (retries, breaker, and
 * the record/replay cache when one is configured); each distinct (task, answer) is judged once per run. Its calls
 * and cost are counted here, apart from the experts' ({@link #summary()}): they are not in any episode's cost.
 */
public final class JudgeGrader implements Grader {
    /** The skill name judge calls carry (in cache keys, request counts and traces). */
    public static final String SKILL = "judge";
    /** Sampling of judge calls: deterministic and short (the model card's request settings still override it). */
    public static final ExpertRequest.Sampling SAMPLING = new ExpertRequest.Sampling(0.0, 256, Optional.empty());
    private static final int REASONS_KEPT = 5;
    /** At most this many distinct answers to tasks with gold are judged per run, to measure agreement. */
    public static final int AGREEMENT_CHECKS = 500;

    private final Grader gold;
    private final ModelCard model;
    private final Expert expert;
    private final String rubric;
    private final boolean agreement;
    private final SkillCard skill;
    private final ConcurrentHashMap<String, CompletableFuture<Verdict>> memo = new ConcurrentHashMap<>();
    private final AtomicLong agreementBudget = new AtomicLong(AGREEMENT_CHECKS);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failedCalls = new AtomicLong();
    private final DoubleAdder cost = new DoubleAdder();
    private final AtomicLong judgedCorrect = new AtomicLong();
    private final AtomicLong judgedIncorrect = new AtomicLong();
    private final AtomicLong ungraded = new AtomicLong();
    private final long[] confusion = new long[4]; // [judge correct?][gold correct?]: 0 = both wrong ... 3 = both right
    private final List<String> reasons = new ArrayList<>();

    /** A verdict, or why there is none; failed calls are not memoised (a later episode asks again). */
    private record Verdict(Optional<Boolean> correct, Optional<String> reason, boolean callFailed) {
    }

    private JudgeGrader(Grader gold, ModelCard model, Expert expert, String rubric, boolean agreement) {
        this.gold = gold;
        this.model = model;
        this.expert = expert;
        this.rubric = rubric;
        this.agreement = agreement;
        this.skill = SkillCard.simple(SKILL, "grades an answer against a rubric", "{question}");
    }

    /**
     * @param gold      the grader for tasks with gold (the suite's answer grader)
     * @param model     the judge's model card
     * @param expert    that model's expert (shared with the episodes: same cache, breaker and request counts)
     * @param rubric    what a correct answer is, in the suite author's words
     * @param agreement also judge answers to tasks with gold, to report agreement with gold
     */
    public static JudgeGrader create(Grader gold, ModelCard model, Expert expert, String rubric, boolean agreement) {
        return new JudgeGrader(gold, model, expert, rubric, agreement);
    }

    public ModelCard model() {
        return model;
    }

    @Override
    public double grade(Task task, String answer) {
        return gold.grade(task, answer);
    }

    @Override
    public double grade(Task task, String skillName, String answer) {
        return gold.grade(task, skillName, answer);
    }

    /** Every task can be graded: by gold, or by the judge. */
    @Override
    public boolean canGrade(Task task) {
        return true;
    }

    @Override
    public Grade assess(Task task, Optional<String> skillName, String answer) {
        if (task.hasGold()) {
            Grade g = gold.assess(task, skillName, answer);
            // agreement checks are bounded: training would otherwise ask the judge about every distinct answer
            if (agreement && (memo.containsKey(key(task, answer)) || agreementBudget.getAndDecrement() > 0)) {
                verdict(task, answer).correct().ifPresent(j -> agree(j, g.value() >= 0.5));
            }
            return g;
        }
        Verdict v = verdict(task, answer);
        if (v.correct().isPresent()) {
            (v.correct().get() ? judgedCorrect : judgedIncorrect).incrementAndGet();
            return Grade.of(v.correct().get() ? 1 : 0, "judge");
        }
        ungraded.incrementAndGet();
        String reason = v.reason().orElse("no verdict");
        synchronized (reasons) {
            if (reasons.size() < REASONS_KEPT) {
                reasons.add(task.id() + ": " + reason);
            }
        }
        return Grade.ungraded(reason);
    }

    private synchronized void agree(boolean judge, boolean goldCorrect) {
        confusion[(judge ? 2 : 0) + (goldCorrect ? 1 : 0)]++;
    }

    private static String key(Task task, String answer) {
        return task.id() + "\u0000" + answer;
    }

    private Verdict verdict(Task task, String answer) {
        String key = key(task, answer);
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Verdict> theirs = memo.putIfAbsent(key, mine);
        if (theirs != null) {
            return theirs.join();
        }
        Verdict v;
        try {
            v = ask(task, answer);
        } catch (RuntimeException e) {
            v = new Verdict(Optional.empty(), Optional.of("judge call failed: " + e.getClass().getSimpleName()), true);
        }
        mine.complete(v);
        if (v.callFailed()) {
            memo.remove(key, mine);
        }
        return v;
    }

    private Verdict ask(Task task, String answer) {
        List<Path> images = model.modalities().contains(Modality.IMAGE) ? task.images() : List.of();
        ExpertRequest request = new ExpertRequest(task, model, skill, prompt(task, answer), images, SAMPLING);
        ExpertReply reply = expert.call(request);
        calls.incrementAndGet();
        cost.add(reply.costUsd());
        if (!reply.ok()) {
            failedCalls.incrementAndGet();
            return new Verdict(Optional.empty(), Optional.of("judge call failed: " + reply.error().get()), true);
        }
        JudgeVerdict jv = JudgeVerdict.parse(reply.text().orElse(""));
        return new Verdict(jv.correct(), jv.reason(), false);
    }

    /** The judge's prompt: rubric, question (with lettered options), the answer, and the verdict format. */
    String prompt(Task task, String answer) {
        StringBuilder sb = new StringBuilder();
        sb.append("You are grading an answer to a question. Decide whether the answer is correct.\n\n");
        sb.append("Rubric:\n").append(rubric.strip()).append("\n\n");
        sb.append("Question:\n").append(task.question().strip()).append('\n');
        for (int i = 0; i < task.options().size(); i++) {
            sb.append((char) ('A' + i)).append(". ").append(task.options().get(i)).append('\n');
        }
        sb.append("\nAnswer to grade:\n").append(answer.strip()).append("\n\n");
        sb.append("Reply with one line, exactly VERDICT: CORRECT or VERDICT: INCORRECT.");
        return sb.toString();
    }

    /**
     * The report's {@code judge} section.
     *
     * @param costUsd judge calls only, apart from the experts' (see {@code costNote})
     */
    public record Summary(String model, long calls, @JsonProperty("failed_calls") long failedCalls,
                          @JsonProperty("cost_usd") double costUsd, @JsonProperty("cost_note") String costNote,
                          @JsonProperty("graded_correct") long gradedCorrect,
                          @JsonProperty("graded_incorrect") long gradedIncorrect, long ungraded,
                          @JsonProperty("ungraded_reasons") List<String> ungradedReasons,
                          @JsonProperty("agreement_with_gold") Agreement agreementWithGold) {
    }

    /**
     * How often the judge agreed with gold on answers it was asked about only to measure that (absent figures: no
     * such answer yet). Each {@code judgeXGoldY} counts answers the judge called X and gold called Y.
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Agreement(long answers, Optional<Double> agreement,
                            @JsonProperty("agreement_ci95") Optional<List<Double>> agreementCi95,
                            @JsonProperty("judge_correct_gold_correct") Optional<Long> judgeCorrectGoldCorrect,
                            @JsonProperty("judge_correct_gold_wrong") Optional<Long> judgeCorrectGoldWrong,
                            @JsonProperty("judge_wrong_gold_correct") Optional<Long> judgeWrongGoldCorrect,
                            @JsonProperty("judge_wrong_gold_wrong") Optional<Long> judgeWrongGoldWrong,
                            String note) {
    }

    /** The report's {@code judge} section: calls, cost (apart from the experts'), verdicts, agreement with gold. */
    public synchronized Summary summary() {
        List<String> why;
        synchronized (reasons) {
            why = List.copyOf(reasons);
        }
        long n = confusion[0] + confusion[1] + confusion[2] + confusion[3];
        String note = agreement ? "final answers of episodes on tasks with gold, judged without seeing the gold (at most "
                + AGREEMENT_CHECKS + " distinct answers per run)"
                : "agreement checks are off (judge.agreement: false)";
        Agreement a;
        if (n > 0) {
            long agreed = confusion[0] + confusion[3];
            double[] ci = Stats.wilson95(agreed, (int) n);
            a = new Agreement(n, Optional.of(Stats.round(agreed / (double) n, 4)),
                    Optional.of(List.of(Stats.round(ci[0], 4), Stats.round(ci[1], 4))), Optional.of(confusion[3]),
                    Optional.of(confusion[2]), Optional.of(confusion[1]), Optional.of(confusion[0]), note);
        } else {
            a = new Agreement(n, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), note);
        }
        return new Summary(model.id(), calls.get(), failedCalls.get(), Stats.round(cost.sum(), 6),
                "judge calls only; not included in any system's cost", judgedCorrect.get(), judgedIncorrect.get(),
                ungraded.get(), why, a);
    }
}
