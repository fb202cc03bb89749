package dev.maestro.protocol;

import java.util.Locale;

/** A typed problem with protocol text, with a message that says what would be valid. */
public record ProtocolError(Kind kind, String message) {
    public enum Kind {
        NO_ACTION,
        UNCLOSED_TAG,
        NESTED_TAG,
        MISSING_SEPARATOR,
        MISSING_COLON,
        EMPTY_MODEL,
        EMPTY_SKILL,
        EMPTY_INPUT,
        INPUT_TOO_LONG,
        UNKNOWN_MODEL,
        UNKNOWN_SKILL,
        PAIR_NOT_ALLOWED,
        SEARCH_AND_ANSWER,
        TOO_MANY_CALLS,
        /** {@code <answer> </answer>} with nothing inside. */
        EMPTY_ANSWER,
        /** The whole turn is longer than the parser accepts (a runaway generation). */
        TEXT_TOO_LONG
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ": " + message;
    }
}
