package dev.maestro.expert;

import java.util.Locale;

/** Why a call produced no usable output. Recorded as an observation, never thrown out of an episode. */
public record ExpertError(Kind kind, String message) {
    public enum Kind {
        /** Replay backend has no record for (task, model, skill). */
        NOT_RECORDED,
        TIMEOUT,
        RATE_LIMITED,
        /** Non-2xx status other than 429. */
        HTTP_STATUS,
        /** Connection refused/reset, DNS, TLS. */
        IO,
        /** 2xx but the body could not be read as a chat completion. */
        BAD_RESPONSE,
        /** The per-expert circuit breaker is open. */
        CIRCUIT_OPEN,
        /** Bad request from our side: unknown model/skill, modality mismatch, over-long input. */
        INVALID_REQUEST,
        /** A skill tool failed. */
        TOOL;

        /**
         * Whether this kind means the expert was asked and gave no answer: timeouts, rate limits, HTTP statuses,
         * I/O, unreadable completions, an open circuit, a missing record. Such a call is "no information" about
         * the model's answer: it is counted in a pair's error rate, and training does not read it as a wrong answer.
         * {@link #INVALID_REQUEST} (our side refused or could not build the request) and {@link #TOOL} (a skill's
         * tool failed) are not the expert's failures.
         */
        public boolean expertFailure() {
            return this != INVALID_REQUEST && this != TOOL;
        }
    }

    public static ExpertError of(Kind kind, String message) {
        return new ExpertError(kind, message);
    }

    public boolean retryable() {
        return kind == Kind.TIMEOUT || kind == Kind.RATE_LIMITED || kind == Kind.IO
                || (kind == Kind.HTTP_STATUS && message.startsWith("5"));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ": " + message;
    }
}
