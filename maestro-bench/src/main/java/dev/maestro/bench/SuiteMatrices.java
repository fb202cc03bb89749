package dev.maestro.bench;

import dev.maestro.Progress;
import dev.maestro.eval.PairMatrix;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.Workbench;
import dev.maestro.task.Split;
import java.nio.file.Path;

/**
 * A suite's pair matrices (every pair replayed on every task, seed 7) on its TRAIN, VALIDATION and TEST parts: what
 * the bound commands fit on, choose on and score on; and the whole training split (TRAIN + VALIDATION), which the
 * suite's baselines are chosen on. Computed once over all tasks and cut by part; the seeds are per
 * task, so each part's rows are the same as a matrix computed on that part alone.
 */
record SuiteMatrices(String name, PairMatrix train, PairMatrix validation, PairMatrix test, PairMatrix trainAll) {
    static SuiteMatrices load(Path dir, int threads) {
        try (Workbench wb = Workbench.open(Suite.load(dir), Workbench.Options.defaults())) {
            PairMatrix all = PairMatrix.compute(wb.env(), wb.tasks(), 7, threads, Progress.NONE);
            return new SuiteMatrices(wb.name(), all.subset(wb.part(Split.Part.TRAIN)),
                    all.subset(wb.part(Split.Part.VALIDATION)), all.subset(wb.part(Split.Part.TEST)),
                    all.subset(wb.trainAll()));
        }
    }
}
