package dev.maestro.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The conversation of one episode as an LLM policy sees it: a prompt, then the policy's turns and
 * the environment's {@code <information>} blocks, in order. Mutable and not thread-safe: one per episode.
 *
 * <p>Only {@link #information} and {@link #errors} text is escaped; the prompt and the policy's own
 * turns are kept verbatim (a prompt template legitimately shows {@code <search>} examples). Data put
 * into a prompt, such as a task's question, should go through {@link ProtocolFormatter#escape} first.
 */
public final class Transcript {

    /** Who wrote a turn. */
    public enum Role {
        /** The instructions and task, written by the environment (kept verbatim). */
        PROMPT,
        /** The policy's raw output for one turn. */
        ASSISTANT,
        /** An observation, already wrapped in {@code <information>} and escaped. */
        INFORMATION
    }

    /** One entry of the transcript, with its text exactly as rendered. */
    public record Turn(Role role, String text) {
        public Turn {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(text, "text");
        }
    }

    private final List<Turn> turns = new ArrayList<>();
    private final String separator;

    private Transcript(String separator) {
        this.separator = separator;
    }

    /** An empty transcript whose turns are joined by a blank line. */
    public static Transcript create() {
        return new Transcript("\n\n");
    }

    /** An empty transcript whose turns are joined by {@code separator}. */
    public static Transcript create(String separator) {
        return new Transcript(Objects.requireNonNull(separator, "separator"));
    }

    public Transcript prompt(String text) {
        turns.add(new Turn(Role.PROMPT, text));
        return this;
    }

    public Transcript assistant(String text) {
        turns.add(new Turn(Role.ASSISTANT, text));
        return this;
    }

    /** Adds {@code <information> observationText </information>}, escaped. */
    public Transcript information(String observationText) {
        turns.add(new Turn(Role.INFORMATION, ProtocolFormatter.information(observationText)));
        return this;
    }

    /** Adds the error observation for a malformed turn. */
    public Transcript errors(List<ProtocolError> errors) {
        return information(ProtocolFormatter.errorObservation(errors));
    }

    public List<Turn> turns() {
        return List.copyOf(turns);
    }

    /** How many turns the policy has taken. */
    public int assistantTurns() {
        return (int) turns.stream().filter(t -> t.role() == Role.ASSISTANT).count();
    }

    /** The whole conversation as one text, turns joined by the separator. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Turn t : turns) {
            if (sb.length() > 0) {
                sb.append(separator);
            }
            sb.append(t.text());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Transcript[" + turns.size() + " turns]";
    }
}
