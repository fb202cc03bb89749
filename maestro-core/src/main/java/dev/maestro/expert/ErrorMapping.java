package dev.maestro.expert;

import com.fasterxml.jackson.core.JacksonException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.maestro.io.LimitExceededException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Maps what a LangChain4j chat model threw to a typed {@link ExpertError}, the same way for every live backend:
 * 429 → RATE_LIMITED, 408 and client timeouts → TIMEOUT, other non-2xx → HTTP_STATUS (the message starts with the
 * status code, so 5xx are retried), connection problems → IO, anything else (an unreadable 2xx body) →
 * BAD_RESPONSE. A server's {@code Retry-After} / {@code retry-after-ms} is kept in the message in the form
 * {@link RetryingExpert#retryAfter} reads. Every message is one bounded line with the secrets redacted.
 */
final class ErrorMapping {
    private static final int MAX_BODY_CHARS = 300;

    private ErrorMapping() {
    }

    /** The typed error for what the chat model threw; the secrets are redacted from every message. */
    static ExpertError classify(Throwable error, Duration timeout, Secrets secrets) {
        LimitExceededException limit = find(error, LimitExceededException.class);
        if (limit != null) { // not retryable: the same endpoint would send the same body again
            return ExpertError.of(ExpertError.Kind.BAD_RESPONSE, secrets.redact(limit.getMessage()));
        }
        StatusHttpClient.StatusException status = find(error, StatusHttpClient.StatusException.class);
        if (status != null) {
            return statusError(status.status(), status.getMessage(), status.retryAfter(), secrets);
        }
        HttpException http = find(error, HttpException.class);
        if (http != null) {
            return statusError(http.statusCode(), http.getMessage(), Optional.empty(), secrets);
        }
        if (find(error, HttpTimeoutException.class) != null
                || find(error, TimeoutException.class) != null
                || find(error, SocketTimeoutException.class) != null) {
            return ExpertError.of(ExpertError.Kind.TIMEOUT, "no response within " + timeout.toMillis()
                    + " ms (the model's timeout bounds connect, headers and body)");
        }
        IOException io = find(error, IOException.class);
        // a JSON parser's exception is an IOException too, but means an unreadable body (the Azure SDK's parser is a
        // relocated Jackson, so it is recognised by its package)
        if (io != null && !(io instanceof JacksonException) && !io.getClass().getName().contains(".jackson.")) {
            return ExpertError.of(ExpertError.Kind.IO, clean(io.getClass().getSimpleName() + ": " + io.getMessage(), secrets));
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return ExpertError.of(ExpertError.Kind.BAD_RESPONSE, clean("could not read the completion: "
                + root.getClass().getSimpleName() + ": " + root.getMessage(), secrets));
    }

    /** The error for an HTTP status with its body; 429 → RATE_LIMITED, 408 → TIMEOUT, else HTTP_STATUS. */
    static ExpertError statusError(int status, String body, Optional<Duration> retryAfter, Secrets secrets) {
        String ra = retryAfter.map(RetryingExpert::retryAfterNote).orElse("");
        String text = status + " " + reason(status) + ra + ": " + clean(body, secrets);
        ExpertError.Kind kind = switch (status) {
            case 429 -> ExpertError.Kind.RATE_LIMITED;
            case 408 -> ExpertError.Kind.TIMEOUT;
            default -> ExpertError.Kind.HTTP_STATUS;
        };
        return ExpertError.of(kind, text);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Payload Too Large";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 529 -> "Overloaded"; // Anthropic's
            default -> "HTTP status";
        };
    }

    /** One line, bounded, and never a secret (servers such as OpenAI echo a masked or full key back). */
    static String clean(String text, Secrets secrets) {
        String t = secrets.redact(text == null ? "" : text);
        t = t.replaceAll("\\s+", " ").trim();
        if (t.length() > MAX_BODY_CHARS) {
            t = t.substring(0, MAX_BODY_CHARS) + "...";
        }
        return t;
    }

    /** The first throwable of {@code type} in the cause chain, or null. */
    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < 16; depth++) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return null;
    }
}
