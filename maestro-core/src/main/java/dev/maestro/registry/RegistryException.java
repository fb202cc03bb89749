package dev.maestro.registry;

import dev.maestro.MaestroException;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link RegistryLoader#load} when a registry folder has errors; carries every problem found. */
public class RegistryException extends MaestroException {
    private final List<RegistryProblem> problems;

    public RegistryException(String registry, List<RegistryProblem> problems) {
        super(message(registry, problems));
        this.problems = List.copyOf(problems);
    }

    private static String message(String registry, List<RegistryProblem> problems) {
        long errors = problems.stream().filter(RegistryProblem::isError).count();
        return "registry " + registry + " has " + errors + " error(s) and " + (problems.size() - errors)
                + " warning(s):\n  " + problems.stream().map(RegistryProblem::toString)
                .collect(Collectors.joining("\n  "));
    }

    /** Every problem found, errors and warnings, in file order. */
    public List<RegistryProblem> problems() {
        return problems;
    }
}
