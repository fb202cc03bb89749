package dev.maestro.bench;

import dev.maestro.task.SimulatedSuite;
import java.nio.file.Path;

/**
 * Writes the simulated paper suite ({@code data/paper-sim/tasks.jsonl}): {@code OUT SEED PER_FAMILY}, each optional.
 * A command-line entry point kept out of the library (docs/simulation.md).
 */
public final class SimulatedSuiteMain {
    private SimulatedSuiteMain() {
    }

    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "data/paper-sim/tasks.jsonl");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : SimulatedSuite.DEFAULT_SEED;
        int per = args.length > 2 ? Integer.parseInt(args[2]) : SimulatedSuite.DEFAULT_PER_FAMILY;
        SimulatedSuite.generate(out, seed, per);
        System.out.println("wrote " + per * SimulatedSuite.FAMILIES.size() + " tasks to " + out);
    }
}
