package dev.maestro.io;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;

/**
 * One HTTP exchange on the JDK client with one deadline for all of it and a cap on the body.
 *
 * <p>{@link HttpRequest#timeout} only bounds the wait for the response headers: an endpoint that sends its
 * headers and then holds the connection, or trickles a byte a second, would keep a blocking {@code send} for as
 * long as it likes. Here the exchange runs asynchronously and the caller waits at most {@code deadline} for the
 * whole of it (connect, headers and body); past it the exchange is cancelled, which closes the connection. The
 * body is counted as it streams in and the exchange is cancelled on the first byte beyond the cap, so a 400 MB
 * reply costs at most the cap in memory.
 */
public final class BoundedHttp {
    private BoundedHttp() {
    }

    /** A complete response: status, headers and the whole body (at most the cap). */
    public record Response(int status, HttpHeaders headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Sends {@code request} and reads the whole response.
     *
     * @param deadline     for connect, headers and body together
     * @param maxBodyBytes the largest body accepted
     * @param tooLarge     the message of the error past the cap, given the cap (what, the limit, how to raise it)
     * @throws HttpTimeoutException   if the exchange did not end within {@code deadline}
     * @throws LimitExceededException if the body is larger than {@code maxBodyBytes}
     * @throws IOException            for connection problems
     */
    public static Response send(HttpClient client, HttpRequest request, Duration deadline, long maxBodyBytes,
                                LongFunction<String> tooLarge) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(request,
                info -> new CappedBody(maxBodyBytes, tooLarge, contentLength(info)));
        try {
            HttpResponse<byte[]> r = f.get(Math.max(1, deadline.toNanos()), TimeUnit.NANOSECONDS);
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (TimeoutException e) {
            f.cancel(true); // aborts the exchange and closes its connection
            throw new HttpTimeoutException("no complete response within " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static long contentLength(HttpResponse.ResponseInfo info) {
        return info.headers().firstValueAsLong("content-length").orElse(-1);
    }

    private static IOException unwrap(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < 8; depth++) {
            if (c instanceof IOException io) {
                return io;
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return new IOException(t == null ? "unknown failure" : t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    /** Collects the body up to the cap; one byte more cancels the subscription (and so the connection). */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long cap;
        private final LongFunction<String> tooLarge;
        private final long declared;
        private Flow.Subscription subscription;
        private byte[] buf;
        private int size;

        CappedBody(long cap, LongFunction<String> tooLarge, long declared) {
            this.cap = Math.min(cap, Integer.MAX_VALUE - 16);
            this.tooLarge = tooLarge;
            this.declared = declared;
            this.buf = new byte[(int) Math.min(this.cap, declared >= 0 ? declared : 8192)];
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (declared > cap) { // the server says so up front: no need to read a byte
                fail(new LimitExceededException(tooLarge.apply(cap) + " (Content-Length " + declared + ")"));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int n = b.remaining();
                if ((long) size + n > cap) {
                    fail(new LimitExceededException(tooLarge.apply(cap)));
                    return;
                }
                if (size + n > buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max((long) buf.length * 2, size + n)));
                }
                b.get(buf, size, n);
                size += n;
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(size == buf.length ? buf : Arrays.copyOf(buf, size));
        }

        private void fail(LimitExceededException e) {
            buf = new byte[0];
            size = 0;
            result.completeExceptionally(e);
            subscription.cancel();
        }
    }
}
