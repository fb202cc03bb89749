package dev.maestro.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.policy.embed.BgeSmallEmbedder;
import dev.maestro.policy.embed.CachingEmbedder;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Wall-clock timings of the in-process BGE-small embedder on this machine (not JMH: model load and
 * a one-off batch are single events, not steady-state loops).
 *
 * <pre>java -cp maestro-bench/target/maestro-bench.jar dev.maestro.bench.EmbedTiming [dataDir] [cacheFile]</pre>
 */
public final class EmbedTiming {
    private EmbedTiming() {
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args.length > 0 ? args[0] : "data");
        Path cacheFile = Path.of(args.length > 1 ? args[1] : "target/questions.bge.emb");
        List<String> questions = new ArrayList<>();
        questions.addAll(readQuestions(data.resolve("mathv/tasks.jsonl")));
        questions.addAll(readQuestions(data.resolve("blind/tasks.jsonl")));
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(questions));
        System.out.printf("questions: %d (unique %d)%n", questions.size(), unique.size());
        System.out.printf("load average: %s%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        long t0 = System.nanoTime();
        BgeSmallEmbedder one = BgeSmallEmbedder.create(1);
        long t1 = System.nanoTime();
        one.embed("warm up");
        long t2 = System.nanoTime();
        System.out.printf("model load: %.0f ms, first embed: %.0f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);

        List<String> sample = unique.subList(0, Math.min(300, unique.size()));
        for (int i = 0; i < 30; i++) {
            one.embed(sample.get(i % sample.size()));
        }
        long s0 = System.nanoTime();
        for (String q : sample) {
            one.embed(q);
        }
        long s1 = System.nanoTime();
        System.out.printf("single thread: %.2f ms/sentence (%d sentences, mean %.0f chars)%n", (s1 - s0) / 1e6 / sample.size(),
                sample.size(), sample.stream().mapToInt(String::length).average().orElse(0));
        one.close();

        try (BgeSmallEmbedder two = BgeSmallEmbedder.create(2)) {
            two.embedAll(sample.subList(0, 30));
            long p0 = System.nanoTime();
            two.embedAll(sample);
            long p1 = System.nanoTime();
            System.out.printf("2 threads: %.2f ms/sentence wall-clock%n", (p1 - p0) / 1e6 / sample.size());

            Files.deleteIfExists(cacheFile);
            if (cacheFile.getParent() != null) {
                Files.createDirectories(cacheFile.getParent());
            }
            long b0 = System.nanoTime();
            CachingEmbedder cache = CachingEmbedder.open(two, cacheFile);
            cache.embedAll(questions);
            long b1 = System.nanoTime();
            cache.save();
            long b2 = System.nanoTime();
            System.out.printf("all %d questions (%d distinct embedded), 2 threads: %.1f s; save: %.0f ms (%d bytes)%n", questions.size(),
                    cache.size(), (b1 - b0) / 1e9, (b2 - b1) / 1e6, Files.size(cacheFile));
            long r0 = System.nanoTime();
            CachingEmbedder reloaded = CachingEmbedder.open(two, cacheFile);
            long r1 = System.nanoTime();
            reloaded.embedAll(questions);
            long r2 = System.nanoTime();
            System.out.printf("reload: %.1f ms; all %d questions from cache: %.1f ms (misses %d)%n", (r1 - r0) / 1e6,
                    questions.size(), (r2 - r1) / 1e6, reloaded.misses());
        }
    }

    /** The {@code question} field, or (BlindTest) the first value of {@code question_variants}. */
    static List<String> readQuestions(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                JsonNode q = n.get("question");
                if (q == null || !q.isTextual()) {
                    JsonNode variants = n.get("question_variants");
                    Iterator<JsonNode> it = variants == null ? null : variants.elements();
                    q = it != null && it.hasNext() ? it.next() : null;
                }
                if (q != null && q.isTextual()) {
                    out.add(q.asText());
                }
            }
        }
        return out;
    }
}
