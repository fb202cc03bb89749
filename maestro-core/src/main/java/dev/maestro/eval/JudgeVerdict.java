package dev.maestro.eval;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an LLM judge's reply as correct / incorrect, robustly but never by guessing:
 * <ol>
 *   <li>reasoning between {@code <think>} and {@code </think>} is dropped;</li>
 *   <li>the last {@code VERDICT: X} (also {@code "verdict": "X"}, {@code **Verdict** - X}) decides, where X is one of
 *       correct/right/yes/pass/true or incorrect/wrong/no/fail/false (any case);</li>
 *   <li>else a reply that is just one of those words (markdown, quotes and punctuation aside) decides;</li>
 *   <li>else the verdict is unreadable, and the task stays ungraded with the reply's beginning as the reason.</li>
 * </ol>
 *
 * @param correct the verdict, when readable
 * @param reason  why it is unreadable (empty when readable)
 */
public record JudgeVerdict(Optional<Boolean> correct, Optional<String> reason) {
    private static final String WORDS = "(incorrect|correct|right|wrong|yes|no|pass|fail|true|false)";
    private static final Pattern LABELLED = Pattern.compile("(?i)\\bverdict\\b[\"'*_`\\s]*[:=\\-]?[\"'*_`\\s]*" + WORDS + "\\b");
    private static final Pattern ALONE = Pattern.compile("(?i)^" + WORDS + "$");
    private static final Pattern THINK = Pattern.compile("(?is)<think>.*?</think>");

    public static JudgeVerdict parse(String reply) {
        String text = THINK.matcher(reply == null ? "" : reply).replaceAll(" ").trim();
        Matcher m = LABELLED.matcher(text);
        String word = null;
        while (m.find()) {
            word = m.group(1);
        }
        if (word == null) {
            String bare = text.replaceAll("[\\s*_`\"'.!:]+", " ").trim();
            Matcher a = ALONE.matcher(bare);
            if (a.matches()) {
                word = a.group(1);
            }
        }
        if (word == null) {
            String one = text.replaceAll("\\s+", " ");
            return new JudgeVerdict(Optional.empty(), Optional.of("judge verdict unreadable: "
                    + (one.isEmpty() ? "(empty reply)" : "\"" + (one.length() > 80 ? one.substring(0, 80) + "..." : one)
                    + "\"") + "; expected a line VERDICT: CORRECT or VERDICT: INCORRECT"));
        }
        boolean correct = switch (word.toLowerCase(Locale.ROOT)) {
            case "correct", "right", "yes", "pass", "true" -> true;
            default -> false;
        };
        return new JudgeVerdict(Optional.of(correct), Optional.empty());
    }
}
