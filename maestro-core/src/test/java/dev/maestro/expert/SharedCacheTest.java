package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.registry.ModelCard;
import dev.maestro.store.Database;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record/replay cache on PostgreSQL: two processes' worth of connections share one cache. */
class SharedCacheTest {
    @TempDir
    Path dir;

    @Test
    void should_answer_from_postgresql_what_another_replica_recorded() throws IOException {
        StoreLocation loc = EmbeddedPg.newLocation();
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            ModelCard model = Fixtures.openAiModel(server.baseUrl());
            server.then(Reply.ok("shared answer", 640, 9));
            Path image = Files.write(dir.resolve("p.png"), new byte[] {4, 5, 6});
            ExpertRequest req = Fixtures.request(model, "Describe the figure", List.of(image));
            ExpertReply first;
            ExpertReply second;
            // two replicas: each opens the database itself
            try (Database a = Database.open(loc); SqlReplyStore storeA = SqlReplyStore.in(a);
                 Database b = Database.open(loc); SqlReplyStore storeB = SqlReplyStore.in(b);
                 CachingExpert replicaA = CachingExpert.create(OpenAiExpert.create(model, Fixtures.env()), storeA);
                 CachingExpert replicaB = CachingExpert.create(OpenAiExpert.create(model, Fixtures.env()), storeB)) {
                first = replicaA.call(req);
                second = replicaB.call(req);
                assertThat(replicaB.hits()).isEqualTo(1);
                assertThat(replicaB.misses()).isZero();
                assertThat(storeB.size()).isEqualTo(1);
            }
            assertThat(server.requests()).isEqualTo(1);
            assertThat(second).isEqualTo(first);
            assertThat(second.text()).contains("shared answer");
        }
    }

    @Test
    void should_call_the_backend_when_the_store_is_down() throws IOException {
        StoreLocation loc = EmbeddedPg.newLocation();
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            ModelCard model = Fixtures.openAiModel(server.baseUrl());
            server.then(Reply.ok("one", 10, 1));
            server.then(Reply.ok("two", 10, 1));
            ExpertRequest req = Fixtures.request(model, "Q", List.of());
            Database db = Database.open(loc);
            SqlReplyStore store = SqlReplyStore.in(db);
            db.close();
            store.close(); // the last user: the database is closed under the expert
            try (CachingExpert cache = CachingExpert.create(OpenAiExpert.create(model, Fixtures.env()), store)) {
                assertThat(cache.call(req).text()).contains("one");
                assertThat(cache.call(req).text()).contains("two");
            }
            assertThat(server.requests()).isEqualTo(2);
        }
    }
}
