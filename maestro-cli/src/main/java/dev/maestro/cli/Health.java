package dev.maestro.cli;

import dev.maestro.expert.PairHealth;
import java.io.PrintStream;
import java.util.List;

/** Prints the pairs whose calls failed too often and gives the exit status that follows (README "Exit status"). */
final class Health {
    /** Exit status of a run during which some pair was unusable (auth failure, unreachable, ≥ 50% failed calls). */
    static final int UNUSABLE = 3;

    private Health() {
    }

    /** Warns about pairs above 5% errors and names each unusable one; returns {@link #UNUSABLE} if there is one, else 0. */
    static int report(String command, List<PairHealth> pairs, PrintStream err) {
        int status = 0;
        for (PairHealth p : pairs) {
            switch (p.verdict()) {
                case WARN -> err.println("maestro " + command + ": warning: " + p.message());
                case UNUSABLE -> {
                    err.println("maestro " + command + ": " + p.message());
                    status = UNUSABLE;
                }
                default -> { }
            }
        }
        err.flush();
        return status;
    }
}
