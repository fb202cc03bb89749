package dev.maestro.protocol;

import java.util.List;
import java.util.Optional;

/** What a policy does in one turn. */
public sealed interface Action {

    /** Call one or more experts; several calls in one turn run in parallel. */
    record Search(List<Call> calls) implements Action {
        public Search {
            calls = List.copyOf(calls);
            if (calls.isEmpty()) {
                throw new IllegalArgumentException("a search needs at least one call");
            }
        }

        public static Search of(Call call) {
            return new Search(List.of(call));
        }
    }

    /**
     * Stop and answer.
     *
     * @param text   the answer text
     * @param source index of the observation whose answer this commits to, when the policy adopts
     *               an expert's answer; replayed outputs without text are graded through it
     */
    record Answer(String text, Optional<Integer> source) implements Action {
        public Answer {
            text = text == null ? "" : text;
        }

        public static Answer of(String text) {
            return new Answer(text, Optional.empty());
        }

        public static Answer from(int observation, String text) {
            return new Answer(text, Optional.of(observation));
        }
    }

    /** Output that is not a valid action (LLM policies): becomes an error observation and a format penalty. */
    record Malformed(String raw, List<ProtocolError> errors) implements Action {
        public Malformed {
            errors = List.copyOf(errors);
        }
    }
}
