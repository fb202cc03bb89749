package dev.maestro.expert;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.maestro.io.BoundedHttp;
import dev.maestro.io.Limit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * A LangChain4j {@link HttpClient} on the JDK client that keeps what LangChain4j's own JDK client
 * drops: the {@code Retry-After} header of an error response. LangChain4j wraps the
 * {@link StatusException} thrown here (as the cause of its RateLimitException and friends), so
 * {@link OpenAiExpert} can walk the cause chain and find the status and the header.
 *
 * <p>Every exchange goes through {@link BoundedHttp}: the read timeout is one deadline for connect,
 * headers and body (the JDK's request timeout covers the headers only), and the body is capped
 * while it streams in. Past the deadline a LangChain4j {@link TimeoutException} is thrown; past the
 * cap an {@link UncheckedIOException} around a {@link dev.maestro.io.LimitExceededException}.
 */
final class StatusHttpClient implements HttpClient {
    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

    private final java.net.http.HttpClient jdk;
    private final Duration readTimeout;
    private final long maxBodyBytes;
    private final LongFunction<String> tooLarge;

    private StatusHttpClient(Duration connectTimeout, Duration readTimeout, long maxBodyBytes,
                             LongFunction<String> tooLarge) {
        this.jdk = java.net.http.HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        this.readTimeout = readTimeout;
        this.maxBodyBytes = maxBodyBytes;
        this.tooLarge = tooLarge;
    }

    /** A client with one deadline for connect, headers and body, and a body cap (the Azure adapter's). */
    static StatusHttpClient create(Duration timeout, long maxBodyBytes, LongFunction<String> tooLarge) {
        return new StatusHttpClient(timeout, timeout, maxBodyBytes, tooLarge);
    }

    /** An HTTP error status with the server's Retry-After (if any) already converted to a duration. */
    static final class StatusException extends HttpException {
        private final int status;
        private final Optional<Duration> retryAfter;

        StatusException(int status, String body, Optional<Duration> retryAfter) {
            super(status, body);
            this.status = status;
            this.retryAfter = retryAfter;
        }

        int status() {
            return status;
        }

        Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        String body = request.body();
        Exchange response = exchange(request.method().name(), request.url(), request.headers(),
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        String text = new String(response.body(), StandardCharsets.UTF_8);
        int status = response.status();
        if (status < 200 || status >= 300) {
            throw new StatusException(status, text, retryAfter(response.headers()));
        }
        return SuccessfulHttpResponse.builder()
                .statusCode(status)
                .headers(response.headers())
                .body(text)
                .build();
    }

    /** A finished exchange: the status, the response headers and the whole body. */
    record Exchange(int status, Map<String, List<String>> headers, byte[] body) {
    }

    /**
     * One request and its whole response, whatever the status (the Azure adapter, {@link AzureHttpClient}, leaves
     * error statuses to the Azure SDK). Past the timeout a LangChain4j {@link TimeoutException} is thrown,
     * connection problems as an {@link UncheckedIOException}.
     */
    Exchange exchange(String method, String url, Map<String, List<String>> headers, byte[] body) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(url))
                .timeout(readTimeout);
        headers.forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        b.method(method, body == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        BoundedHttp.Response response;
        try {
            response = BoundedHttp.send(jdk, b.build(), readTimeout, maxBodyBytes, tooLarge);
        } catch (HttpTimeoutException e) {
            throw new TimeoutException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for the response", e));
        }
        return new Exchange(response.status(), response.headers().map(), response.body());
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("streaming is not used by the live experts");
    }

    /**
     * {@code retry-after-ms} (milliseconds, sent by OpenAI) wins over {@code Retry-After} (seconds or
     * an HTTP date). Unparseable values are ignored rather than guessed.
     */
    static Optional<Duration> retryAfter(Map<String, List<String>> headers) {
        Optional<String> ms = header(headers, "retry-after-ms");
        if (ms.isPresent()) {
            try {
                double v = Double.parseDouble(ms.get().trim());
                if (v >= 0 && Double.isFinite(v)) {
                    return Optional.of(Duration.ofMillis(Math.round(v)));
                }
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        Optional<String> ra = header(headers, "retry-after");
        if (ra.isEmpty()) {
            return Optional.empty();
        }
        String v = ra.get().trim();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 && Double.isFinite(seconds)
                    ? Optional.of(Duration.ofMillis(Math.round(seconds * 1000))) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static Optional<String> header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }

    /** Builder handed to LangChain4j; it sets the timeouts from the model's {@code timeout(...)}. */
    static final class Builder implements HttpClientBuilder {
        private Duration connectTimeout;
        private Duration readTimeout;
        private final long maxBodyBytes;
        private final LongFunction<String> tooLarge;

        /** A body cap of {@link Limit#RESPONSE}'s current value. */
        Builder(Duration timeout) {
            this(timeout, Limit.RESPONSE.bytes(), cap -> "the response body is larger than " + Limit.human(cap)
                    + "; " + Limit.RESPONSE.raiseHint(cap));
        }

        /**
         * @param timeout      one deadline for connect, headers and body
         * @param maxBodyBytes largest response body accepted
         * @param tooLarge     the error message past the cap, given the cap
         */
        Builder(Duration timeout, long maxBodyBytes, LongFunction<String> tooLarge) {
            this.connectTimeout = timeout;
            this.readTimeout = timeout;
            this.maxBodyBytes = maxBodyBytes;
            this.tooLarge = tooLarge;
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration d) {
            if (d != null) {
                connectTimeout = d;
            }
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration d) {
            if (d != null) {
                readTimeout = d;
            }
            return this;
        }

        @Override
        public HttpClient build() {
            return new StatusHttpClient(connectTimeout, readTimeout, maxBodyBytes, tooLarge);
        }
    }
}
