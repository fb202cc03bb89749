package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.registry.ModelCard;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingExpertTest {
    @TempDir
    Path dir;
    private FakeOpenAiServer server;
    private ModelCard model;

    @BeforeEach
    void start() throws IOException {
        server = FakeOpenAiServer.start();
        model = Fixtures.openAiModel(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CachingExpert open() {
        return CachingExpert.open(OpenAiExpert.create(model, Fixtures.env()), dir.resolve("cache/replies.sqlite"));
    }

    @Test
    void should_answer_an_identical_call_from_the_cache_also_after_reopening() throws IOException {
        // given
        Path image = Files.write(dir.resolve("p.png"), new byte[] {1, 2, 3});
        server.then(Reply.ok("cached answer", 700, 12));
        ExpertRequest req = Fixtures.request(model, "Describe the figure", List.of(image));

        // when
        ExpertReply first;
        ExpertReply second;
        try (CachingExpert cache = open()) {
            first = cache.call(req);
            second = cache.call(req);
            assertThat(cache.hits()).isEqualTo(1);
            assertThat(cache.misses()).isEqualTo(1);
        }
        ExpertReply afterRestart;
        try (CachingExpert reopened = open()) {
            afterRestart = reopened.call(req);
            assertThat(reopened.size()).isEqualTo(1);
        }

        // then: one request in total reached the server
        assertThat(server.requests()).isEqualTo(1);
        assertThat(first.text()).contains("cached answer");
        assertThat(second).isEqualTo(first);
        assertThat(afterRestart.text()).isEqualTo(first.text());
        assertThat(afterRestart.usage()).isEqualTo(first.usage());
        assertThat(afterRestart.costUsd()).isEqualTo(first.costUsd());
        assertThat(afterRestart.latencyMs()).isEqualTo(first.latencyMs());
    }

    @Test
    void should_miss_when_prompt_sampling_or_image_bytes_differ() throws IOException {
        Path image = Files.write(dir.resolve("p.png"), new byte[] {1, 2, 3});
        ExpertRequest base = Fixtures.request(model, "P", List.of(image));
        try (CachingExpert cache = open()) {
            cache.call(base);
            cache.call(Fixtures.request(model, "P2", List.of(image)));
            cache.call(new ExpertRequest(base.task(), model, base.skill(), "P", List.of(image),
                    new ExpertRequest.Sampling(0.7, 1024, Optional.of(1L))));
            Files.write(image, new byte[] {9, 9, 9}); // same path, new content
            cache.call(base);
            cache.call(base);
        }
        assertThat(server.requests()).isEqualTo(4);
    }

    @Test
    void should_not_store_failures() {
        server.then(Reply.status(500), Reply.ok("recovered", 1, 1));
        try (CachingExpert cache = open()) {
            ExpertRequest req = Fixtures.request(model, "q");
            assertThat(cache.call(req).ok()).isFalse();
            assertThat(cache.call(req).text()).contains("recovered");
            assertThat(cache.call(req).text()).contains("recovered");
            assertThat(cache.size()).isEqualTo(1);
        }
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void should_collapse_concurrent_identical_misses_into_one_backend_call() throws Exception {
        server.always(Reply.ok("slow", 1, 1).delayed(300));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (CachingExpert cache = open()) {
            List<Future<ExpertReply>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(pool.submit(() -> cache.call(Fixtures.request(model, "same"))));
            }
            for (Future<ExpertReply> f : fs) {
                assertThat(f.get(10, TimeUnit.SECONDS).text()).contains("slow");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void should_hash_keys_unambiguously() {
        ExpertRequest a = Fixtures.request(model, "ab");
        ExpertRequest b = Fixtures.request(model, "ab");
        ExpertRequest c = Fixtures.request(model.newBuilder().id("Other").build(), "ab");
        assertThat(CachingExpert.key(a)).isEqualTo(CachingExpert.key(b));
        assertThat(CachingExpert.key(a)).isNotEqualTo(CachingExpert.key(c));
        assertThat(CachingExpert.key(a).orElseThrow()).hasSize(64);
    }

    @Test
    void should_keep_the_keys_caches_were_written_with() {
        // the key of this request as the field-by-field digest computed it: a changed key empties every stored cache
        assertThat(CachingExpert.key(Fixtures.request(model, "ab")).orElseThrow()).isEqualTo("2153ac844de257a370ff71a956a025bcbe0322dfacd91eb4e8af26ba5d2f2bc5");
    }
}
