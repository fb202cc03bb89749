package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's server-level error handler, so that what Jetty refuses before any route runs (a bad request line,
 * duplicate Content-Length, Content-Length with Transfer-Encoding, oversized headers or URI, an unknown HTTP
 * version) is answered in the same OpenAI shape as every other error, {@code {"error": {"message", "type", "code"}}},
 * instead of Jetty's HTML page. The message is Jetty's reason phrase (it names the protocol problem and never echoes
 * request data beyond that), cut to one short line.
 */
final class JsonErrorHandler implements Request.Handler {
    private static final int MAX_MESSAGE = 200;

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = request.getAttribute(ErrorHandler.ERROR_MESSAGE) instanceof String s ? s : null;
        if (request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof HttpException h) {
            status = h.getCode();
            reason = h.getReason();
        }
        if (status < 400 || status > 599) {
            status = 500;
        }
        response.setStatus(status);
        byte[] body = body(of(status, reason));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /**
     * The client error Jetty reported somewhere in {@code error}'s causes (a broken chunk found while a route reads the
     * body), so it is answered as that 4xx instead of a 500.
     */
    static Optional<ApiError> clientError(Throwable error) {
        Throwable c = error;
        for (int depth = 0; c != null && depth < 16; depth++) {
            if (c instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
                return Optional.of(of(h.getCode(), h.getReason()));
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return Optional.empty();
    }

    static ApiError of(int status, String reason) {
        String phrase = HttpStatus.getMessage(status);
        String message = reason == null || reason.isBlank() ? phrase : reason;
        message = message.replaceAll("\\p{Cntrl}", " ").strip();
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 408 -> "request_timeout";
            case 413 -> "request_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "server_error" : "http_" + status;
        };
        String type = status >= 500 && status != 505 ? "server_error" : "invalid_request_error";
        return new ApiError(status, type, code, status + " " + phrase + (message.equals(phrase) ? "" : ": " + message));
    }

    private static byte[] body(ApiError e) {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        ObjectNode err = n.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("code", e.code());
        try {
            return EpisodeJson.MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException impossible) {
            return "{\"error\":{\"message\":\"error\",\"type\":\"server_error\",\"code\":\"server_error\"}}".getBytes(
                    StandardCharsets.UTF_8);
        }
    }
}
