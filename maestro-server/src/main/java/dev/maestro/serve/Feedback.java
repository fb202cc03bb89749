package dev.maestro.serve;

import dev.maestro.MaestroException;
import java.util.Optional;

/**
 * A user's grade of one served completion, posted to {@code POST /v1/feedback} and stored with its trace.
 *
 * @param score     a grade in [0, 1], when given
 * @param correct   whether the served answer was right, when given ({@code true} makes it the gold answer of the task
 *                  {@code maestro collect --from-traces} writes)
 * @param comment   free text, when given
 * @param createdMs when it was stored (epoch ms); a later feedback for the same completion replaces it
 */
public record Feedback(Optional<Double> score, Optional<Boolean> correct, Optional<String> comment, long createdMs) {
    /** Longest comment kept, in characters. */
    public static final int MAX_COMMENT = 10_000;

    public Feedback {
        if (score.isEmpty() && correct.isEmpty()) {
            throw new MaestroException("feedback needs a score or correct");
        }
        if (score.isPresent() && !(score.get() >= 0 && score.get() <= 1)) {
            throw new MaestroException("score must be in [0, 1], got " + score.get());
        }
        if (comment.isPresent() && comment.get().length() > MAX_COMMENT) {
            throw new MaestroException("comment longer than " + MAX_COMMENT + " characters");
        }
    }
}
