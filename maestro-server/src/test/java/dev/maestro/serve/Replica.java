package dev.maestro.serve;

import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.SqlReplyStore;
import dev.maestro.expert.Usage;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.store.Database;
import dev.maestro.store.StoreLocation;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server as {@code maestro serve --store URL} builds it: its own runtime (a live {@code openai} model whose bare
 * expert is an in-code fake counting the calls that reach it), its own connections to the store, the record/replay
 * cache and the trace store in that store.
 */
final class Replica implements AutoCloseable {
    final AtomicInteger expertCalls = new AtomicInteger();
    final Database db;
    final SqlReplyStore replies;
    final TraceStore traces;
    final MaestroRuntime runtime;
    final MaestroServer server;

    Replica(StoreLocation location, long expertDelayMs) {
        Registry registry = Registry.of("replica-reg",
                List.of(ModelCard.builder("Chart-R1", Backend.OPENAI).modalities(Set.of(Modality.TEXT, Modality.IMAGE))
                        .baseUrl("http://127.0.0.1:9/v1").description("fake chart reader").build()),
                List.of(SkillCard.simple("Chart_Problem_Solver", "solve chart questions", "Question: {question}\nInput: {input}")));
        db = Database.open(location);
        replies = SqlReplyStore.in(db);
        traces = TraceStore.in(db);
        runtime = MaestroRuntime.builder().registry(registry).cacheStore(replies).grader((t, a) -> 0)
                .experts(o -> o.backend(Backend.OPENAI, m -> req -> {
                    expertCalls.incrementAndGet();
                    if (expertDelayMs > 0) {
                        try {
                            Thread.sleep(expertDelayMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return ExpertReply.text("The bar labelled Go-Jek reaches 88%. Answer: Go-Jek", new Usage(120, 30), 0.0042, 12.5)
                            .withAnswer(Optional.of("Go-Jek"));
                })).build();
        Orchestrator o = new Orchestrator("maestro", runtime.environment(),
                new FixedPairPolicy(new Pair("Chart-R1", "Chart_Problem_Solver"), "fixed:Chart-R1@@Chart_Problem_Solver"));
        server = MaestroServer.builder(o).port(0).traces(traces).maxConcurrent(256).verl(false).build().start();
    }

    String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        traces.close();
        runtime.close();
        replies.close();
        db.close();
    }
}
