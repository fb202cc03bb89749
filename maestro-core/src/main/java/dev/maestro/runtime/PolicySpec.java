package dev.maestro.runtime;

import dev.maestro.MaestroException;
import dev.maestro.registry.Pair;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code --policy} value, parsed: {@code fixed:MODEL@@SKILL}, a checkpoint file, {@code llm:MODEL@BASE_URL}, a
 * baseline name, or {@code baselines} (all of them). Parsing checks the shape only; {@link PolicyResolver} turns a
 * spec into a policy for a registry.
 */
public sealed interface PolicySpec {
    /** Every baseline, for evaluation reports. */
    String ALL_BASELINES = "baselines";

    /**
     * Baseline names. The first four are policies a resolver can fit on training tasks; the others exist only inside
     * evaluation reports (the cascade is chosen there from the training split's pair matrix; the rest need the
     * evaluated tasks' outcomes or group labels).
     */
    List<String> BASELINES = List.of("best-single", "random", "keyword-router", "majority-vote", "cascade", "most-expensive-expert",
            "group-router", "per-group-oracle", "oracle");

    /** The text as given. */
    String text();

    /** Always call one pair and adopt its answer. */
    record Fixed(String text, Pair pair) implements PolicySpec {
    }

    /** A checkpoint written by {@code maestro train}. */
    record Checkpoint(String text, Path file) implements PolicySpec {
    }

    /** The paper's LLM orchestrator behind an OpenAI-compatible endpoint. */
    record Llm(String text, String model, String baseUrl) implements PolicySpec {
    }

    /** One baseline by name, or {@link #ALL_BASELINES}. */
    record Baseline(String text, String name) implements PolicySpec {
        public boolean all() {
            return name.equals(ALL_BASELINES);
        }
    }

    /** What a {@code --policy} may be, for messages. */
    static String valid() {
        return ALL_BASELINES + ", " + String.join(", ", BASELINES) + ", fixed:MODEL@@SKILL, llm:MODEL@BASE_URL, or a checkpoint file "
                + "(policy.ckpt written by `maestro train`)";
    }

    /** Parses a policy spec; a {@link MaestroException} names what is wrong and what would be valid. */
    static PolicySpec parse(String text) {
        String s = text.strip();
        if (s.startsWith("llm:")) {
            String rest = s.substring(4);
            int at = rest.lastIndexOf('@');
            if (at <= 0 || at == rest.length() - 1) {
                throw new MaestroException("--policy " + text + ": write llm:MODEL@BASE_URL, e.g. llm:Maestro-4B@http://127.0.0.1:8000/v1");
            }
            return new Llm(text, rest.substring(0, at), rest.substring(at + 1));
        }
        if (s.startsWith("fixed:")) {
            String id = s.substring("fixed:".length());
            int at = id.indexOf("@@");
            if (at <= 0 || at + 2 >= id.length() || id.substring(0, at).isBlank() || id.substring(at + 2).isBlank()) {
                throw new MaestroException("--policy " + text + ": expected fixed:MODEL@@SKILL");
            }
            return new Fixed(text, Pair.parse(id));
        }
        if (s.equals(ALL_BASELINES) || BASELINES.contains(s)) {
            return new Baseline(text, s);
        }
        if (!s.isEmpty()) {
            try {
                Path p = Path.of(s);
                if (Files.isRegularFile(p)) {
                    return new Checkpoint(text, p);
                }
            } catch (InvalidPathException e) {
                // not a path: falls through to the message below
            }
        }
        throw new MaestroException("unknown policy '" + text + "' (not a checkpoint file either); valid: " + valid());
    }
}
