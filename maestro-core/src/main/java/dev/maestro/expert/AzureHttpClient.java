package dev.maestro.expert;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Azure SDK's transport, on the same JDK client and timeout as every other live backend
 * ({@link StatusHttpClient#exchange}), instead of the Netty transport the SDK ships with (excluded from the build: it
 * carries TLS natives for five platforms). Error statuses are returned as responses: the SDK turns them into its
 * {@code HttpResponseException}, which {@link AzureOpenAiExpert} maps like the other backends' errors.
 */
final class AzureHttpClient implements HttpClient {
    private final StatusHttpClient http;

    AzureHttpClient(StatusHttpClient http) {
        this.http = http;
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return Mono.fromCallable(() -> sendSync(request, Context.NONE));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpHeader h : request.getHeaders()) {
            headers.put(h.getName(), h.getValuesList());
        }
        BinaryData body = request.getBodyAsBinaryData();
        StatusHttpClient.Exchange x = http.exchange(request.getHttpMethod().name(), request.getUrl().toString(), headers,
                body == null ? null : body.toBytes());
        return new Response(request, x);
    }

    /** A whole response held in memory (completions are small; the timeout bounds the wait). */
    static final class Response extends HttpResponse {
        private final StatusHttpClient.Exchange exchange;
        private final HttpHeaders headers = new HttpHeaders();

        Response(HttpRequest request, StatusHttpClient.Exchange exchange) {
            super(request);
            this.exchange = exchange;
            exchange.headers().forEach((name, values) -> {
                if (name != null) {
                    headers.set(HttpHeaderName.fromString(name), values);
                }
            });
        }

        /** The raw response headers, for the Retry-After of an error status. */
        Map<String, List<String>> rawHeaders() {
            return exchange.headers();
        }

        /** The body as text. */
        String text() {
            return new String(exchange.body(), StandardCharsets.UTF_8);
        }

        @Override
        public int getStatusCode() {
            return exchange.status();
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return headers.getValue(HttpHeaderName.fromString(name));
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.just(ByteBuffer.wrap(exchange.body()));
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.just(exchange.body());
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.just(text());
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.just(new String(exchange.body(), charset));
        }

        @Override
        public BinaryData getBodyAsBinaryData() {
            return BinaryData.fromBytes(exchange.body());
        }
    }
}
