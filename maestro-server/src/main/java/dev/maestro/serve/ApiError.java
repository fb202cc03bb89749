package dev.maestro.serve;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * An error answered in OpenAI's shape {@code {"error":{"message","type","code","param"}}} ({@code param} names the
 * offending request field when there is one). Thrown from handlers and turned into a response by the server; the
 * message is written for the client and must never hold secrets.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final Optional<String> param;

    public ApiError(int status, String type, String code, String message) {
        this(status, type, code, message, Optional.empty());
    }

    private ApiError(int status, String type, String code, String message, Optional<String> param) {
        super(message, null, false, false); // no stack trace: this is a normal outcome, not a bug
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    /** The request field (or header) at fault, when there is one. */
    public Optional<String> param() { return param; }

    /** 400 naming the field at fault in {@code param}. */
    public static ApiError badParam(String code, String param, String message) {
        return new ApiError(400, "invalid_request_error", code, message, Optional.of(param));
    }

    /** 400 {@code unsupported_parameter}: a request field this server does not implement, never silently ignored. */
    public static ApiError unsupported(String param, String message) {
        return badParam("unsupported_parameter", param, message);
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, "invalid_request_error", code, message);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "authentication_error", "invalid_api_key", message);
    }

    public static ApiError notFound(String code, String message) {
        return new ApiError(404, "invalid_request_error", code, message);
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", "request_too_large",
                "request body exceeds the limit of " + limit + " bytes");
    }

    /**
     * {@link #tooLarge(long)}, after reading and dropping up to 1 MB more of the refused body: closing a connection with
     * unread input resets it, and a client still sending would see the reset instead of the 413. A larger rest is left
     * unread (bounded time), at that risk.
     */
    public static ApiError tooLarge(long limit, InputStream rest) {
        byte[] sink = new byte[8192];
        try {
            for (int left = 1 << 20, n; left > 0 && (n = rest.read(sink, 0, Math.min(sink.length, left))) >= 0; left -= n) {
                // dropped
            }
        } catch (IOException e) {
            // the client is gone or the body is broken: the 413 stands either way
        }
        return tooLarge(limit);
    }

    public static ApiError overloaded(String message) {
        return new ApiError(429, "rate_limit_error", "overloaded", message);
    }

    public static ApiError rateLimited(String message) {
        return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", message);
    }
}
