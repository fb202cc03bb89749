package dev.maestro;

/**
 * The one unchecked exception type of the core module. Messages name the problem and, where
 * there is a finite set of valid choices, what would be valid; they never contain secrets.
 */
public class MaestroException extends RuntimeException {
    public MaestroException(String message) {
        super(message);
    }

    public MaestroException(String message, Throwable cause) {
        super(message, cause);
    }
}
