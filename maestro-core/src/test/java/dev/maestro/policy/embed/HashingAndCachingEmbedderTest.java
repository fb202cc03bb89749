package dev.maestro.policy.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashingAndCachingEmbedderTest {
    @TempDir
    Path dir;

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static double norm(float[] a) {
        double s = 0;
        for (float f : a) {
            s += f * f;
        }
        return Math.sqrt(s);
    }

    /** Counts calls so tests can tell hits from misses. */
    static final class Counting implements TextEmbedder {
        final TextEmbedder inner;
        final AtomicInteger single = new AtomicInteger();
        final AtomicInteger batched = new AtomicInteger();

        Counting(TextEmbedder inner) {
            this.inner = inner;
        }

        @Override
        public float[] embed(String text) {
            single.incrementAndGet();
            return inner.embed(text);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            batched.addAndGet(texts.size());
            return TextEmbedder.super.embedAll(texts).stream().toList();
        }

        @Override
        public int dimension() {
            return inner.dimension();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }

    @Test
    void should_hash_deterministically_into_unit_vectors_that_reflect_shared_words() {
        HashingEmbedder e = HashingEmbedder.create(256);
        float[] a = e.embed("How many triangles are in the figure?");
        float[] b = e.embed("How many triangles are in this figure?");
        float[] c = e.embed("Count the intersection points of the blue and red lines.");
        assertThat(a).hasSize(256).containsExactly(HashingEmbedder.create(256).embed("How many triangles are in the figure?"));
        assertThat(norm(a)).isCloseTo(1.0, offset(1e-6));
        assertThat(cosine(a, b)).isGreaterThan(0.6).isGreaterThan(cosine(a, c) + 0.4);
        // case-insensitive words, operators kept as tokens
        assertThat(e.embed("X+1=2")).containsExactly(e.embed("x + 1 = 2"));
        assertThat(e.embed("x+1=2")).isNotEqualTo(e.embed("x-1=2"));
        assertThat(e.embed("   ")).containsOnly(0f);
        assertThat(e.name()).isEqualTo("hashing-d256-n2");
    }

    @Test
    void should_embed_each_text_once_and_return_defensive_copies() {
        Counting delegate = new Counting(HashingEmbedder.create(32));
        CachingEmbedder cache = CachingEmbedder.inMemory(delegate);
        float[] first = cache.embed("what is 2+2?");
        first[0] = 99f; // must not corrupt the cache
        float[] again = cache.embed("what is 2+2?");
        assertThat(delegate.single.get()).isEqualTo(1);
        assertThat(again).containsExactly(HashingEmbedder.create(32).embed("what is 2+2?"));
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void should_batch_only_distinct_misses() {
        Counting delegate = new Counting(HashingEmbedder.create(16));
        CachingEmbedder cache = CachingEmbedder.inMemory(delegate);
        cache.embed("a");
        List<float[]> out = cache.embedAll(List.of("a", "b", "b", "c", "a"));
        assertThat(out).hasSize(5);
        assertThat(delegate.batched.get()).isEqualTo(2); // b and c
        assertThat(out.get(1)).containsExactly(out.get(2));
        assertThat(out.get(0)).containsExactly(HashingEmbedder.create(16).embed("a"));
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void should_persist_atomically_and_reload_without_calling_the_model() throws IOException {
        // given
        Path file = dir.resolve("sub/questions.emb");
        List<String> texts = List.of("first question", "second question", "ünïcödé ∑ question");
        try (CachingEmbedder cache = CachingEmbedder.open(HashingEmbedder.create(64), file)) {
            cache.embedAll(texts);
        }
        assertThat(file).exists();
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temp file left behind
        }

        // when
        Counting delegate = new Counting(HashingEmbedder.create(64));
        CachingEmbedder reloaded = CachingEmbedder.open(delegate, file);
        List<float[]> back = reloaded.embedAll(texts);

        // then
        assertThat(reloaded.size()).isEqualTo(3);
        assertThat(delegate.single.get() + delegate.batched.get()).isZero();
        for (int i = 0; i < texts.size(); i++) {
            assertThat(back.get(i)).containsExactly(HashingEmbedder.create(64).embed(texts.get(i)));
        }
        // an unchanged cache is not rewritten
        long modified = Files.getLastModifiedTime(file).toMillis();
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified - 10_000));
        reloaded.save();
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified - 10_000);
    }

    @Test
    void should_refuse_a_file_of_another_embedder_or_a_corrupted_file() throws IOException {
        Path file = dir.resolve("q.emb");
        try (CachingEmbedder cache = CachingEmbedder.open(HashingEmbedder.create(64), file)) {
            cache.embed("hello");
        }
        assertThatThrownBy(() -> CachingEmbedder.open(HashingEmbedder.create(32), file))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("hashing-d64-n2").hasMessageContaining("hashing-d32-n2");

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 0x10;
        Files.write(file, bytes);
        assertThatThrownBy(() -> CachingEmbedder.open(HashingEmbedder.create(64), file))
                .isInstanceOf(MaestroException.class).hasMessageContaining("checksum");

        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> CachingEmbedder.open(HashingEmbedder.create(64), file))
                .isInstanceOf(MaestroException.class).hasMessageContaining("truncated");

        Files.writeString(file, "not a cache at all");
        assertThatThrownBy(() -> CachingEmbedder.open(HashingEmbedder.create(64), file))
                .isInstanceOf(MaestroException.class).hasMessageContaining("not an embedding cache");
    }

    @Test
    void should_be_safe_under_concurrent_use() throws Exception {
        CachingEmbedder cache = CachingEmbedder.inMemory(HashingEmbedder.create(32));
        HashingEmbedder reference = HashingEmbedder.create(32);
        Thread[] ts = new Thread[4];
        AtomicInteger wrong = new AtomicInteger();
        for (int t = 0; t < ts.length; t++) {
            ts[t] = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    String s = "text " + (i % 50);
                    if (!Arrays.equals(cache.embed(s), reference.embed(s))) {
                        wrong.incrementAndGet();
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(wrong.get()).isZero();
        assertThat(cache.size()).isEqualTo(50);
        assertThat(cache.hits() + cache.misses()).isEqualTo(8000);
    }
}
