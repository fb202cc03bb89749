package dev.maestro.policy.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the real in-process ONNX model (shipped in a Maven jar; no network). */
class BgeSmallEmbedderTest {
    static BgeSmallEmbedder bge;

    @BeforeAll
    static void load() {
        bge = BgeSmallEmbedder.create(2);
    }

    @AfterAll
    static void close() {
        bge.close();
    }

    @Test
    void should_produce_normalised_384d_vectors_where_paraphrases_are_closer() {
        float[] a = bge.embed("How many triangles are there in the picture?");
        float[] b = bge.embed("Count the triangles shown in the image.");
        float[] c = bge.embed("The model is a fast OCR engine for scanned receipts.");
        assertThat(a).hasSize(BgeSmallEmbedder.DIMENSION);
        assertThat(bge.dimension()).isEqualTo(384);
        assertThat(HashingAndCachingEmbedderTest.norm(a)).isCloseTo(1.0, offset(1e-4));
        double close = HashingAndCachingEmbedderTest.cosine(a, b);
        double far = HashingAndCachingEmbedderTest.cosine(a, c);
        assertThat(close).isGreaterThan(far + 0.1);
    }

    @Test
    void should_give_the_same_vectors_from_batches_and_concurrent_threads() throws Exception {
        List<String> texts = List.of("alpha beta", "What is the area of the shaded region?", "", "x^2 + 1 = 0");
        List<float[]> batch = bge.embedAll(texts);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < texts.size(); i++) {
                String t = texts.get(i);
                Future<float[]> f1 = pool.submit(() -> bge.embed(t));
                Future<float[]> f2 = pool.submit(() -> bge.embed(t));
                assertThat(f1.get()).containsExactly(batch.get(i), offset(1e-5f));
                assertThat(f2.get()).containsExactly(batch.get(i), offset(1e-5f));
                if (t.isBlank()) {
                    assertThat(f1.get()).containsOnly(0f); // blank text carries no information
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
