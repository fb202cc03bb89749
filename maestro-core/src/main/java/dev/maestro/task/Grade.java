package dev.maestro.task;

import java.util.Optional;

/**
 * The grade of one final answer, and who gave it, or no grade at all.
 *
 * @param value  correctness in [0, 1]; 0 when not graded
 * @param by     {@code grader} (compared with gold), {@code judge} (an LLM judge's verdict), or {@code ungraded}
 * @param reason why there is no grade (no gold and no judge, an unreadable verdict, a failed judge call)
 */
public record Grade(double value, String by, Optional<String> reason) {
    public static final String UNGRADED = "ungraded";

    public static Grade of(double value, String by) {
        return new Grade(value, by, Optional.empty());
    }

    public static Grade ungraded(String reason) {
        return new Grade(0, UNGRADED, Optional.of(reason));
    }

    public boolean graded() {
        return !UNGRADED.equals(by);
    }
}
