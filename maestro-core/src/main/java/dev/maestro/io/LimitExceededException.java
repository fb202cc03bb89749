package dev.maestro.io;

import java.io.IOException;

/**
 * A read went past its byte cap. An {@link IOException}, so it travels through stream code and the readers that
 * turn I/O failures into one-line {@link dev.maestro.MaestroException}s; its message is that line's reason: what
 * was too large, the limit, and how to raise it. No stack trace is filled: the message says everything.
 */
public final class LimitExceededException extends IOException {
    public LimitExceededException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
