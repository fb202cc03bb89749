package dev.maestro.skill.tool;

import dev.maestro.registry.RegistryProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * Tools a {@link ToolProvider} opened for one registry, with what it found wrong (a server that cannot be reached,
 * a tool a server does not have, arguments its schema does not take). Owned by whoever opened them: closing stops
 * the connections (and the processes of stdio servers).
 */
public interface ProvidedTools extends AutoCloseable {

    /** The tools, named {@code SERVER/TOOL}. */
    List<Tool> tools();

    /** Problems found while connecting and checking, with the SKILL.md file and line they concern. */
    List<RegistryProblem> problems();

    @Override
    void close();

    /** No tools, no problems, nothing to close. */
    ProvidedTools NONE = of(List.of(), List.of(), () -> { });

    /** A fixed set; {@code close} is run once by {@link #close()}. */
    static ProvidedTools of(List<? extends Tool> tools, List<RegistryProblem> problems, Runnable close) {
        List<Tool> t = List.copyOf(tools);
        List<RegistryProblem> p = List.copyOf(problems);
        return new ProvidedTools() {
            private boolean closed;

            @Override
            public List<Tool> tools() {
                return t;
            }

            @Override
            public List<RegistryProblem> problems() {
                return p;
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    close.run();
                }
            }
        };
    }

    /** Several sets as one; closing closes each. */
    static ProvidedTools all(List<ProvidedTools> parts) {
        List<Tool> t = new ArrayList<>();
        List<RegistryProblem> p = new ArrayList<>();
        parts.forEach(x -> {
            t.addAll(x.tools());
            p.addAll(x.problems());
        });
        return of(t, p, () -> parts.forEach(ProvidedTools::close));
    }
}
