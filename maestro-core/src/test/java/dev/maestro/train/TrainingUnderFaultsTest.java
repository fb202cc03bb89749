package dev.maestro.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.FaultSchedule;
import dev.maestro.expert.FaultSchedule.Fault;
import dev.maestro.expert.LiveThreads;
import dev.maestro.policy.Checkpoint;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.embed.HashingEmbedder;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerGrader;
import dev.maestro.task.Task;
import dev.maestro.testkit.FakeOpenAiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRPO training whose experts are live ({@code openai} backend) models behind an endpoint that fails a seeded
 * 30% of its requests with every kind of fault. Training must finish, checkpoint, and see each failed call as
 * an observation naming its cause, with bounded retries and no thread left behind.
 */
class TrainingUnderFaultsTest {
    private static final int ATTEMPTS = 3;
    private static final Duration TIMEOUT = Duration.ofMillis(400);

    private static ModelCard model(String id, String description, String baseUrl) {
        return ModelCard.builder(id, Backend.OPENAI)
                .description(description)
                .baseUrl(baseUrl)
                .modelName(id.toLowerCase(Locale.ROOT))
                .price(new Price(1.0, 2.0))
                .timeout(TIMEOUT)
                .maxConcurrency(4)
                .build();
    }

    private static List<Task> tasks(int from, int to) {
        List<Task> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            // "Q-i" keys the server's fault schedule; the answer the fake endpoint gives ("42") is right for all
            out.add(Task.text("t" + i, "Q-" + i + ": what is six times seven?", "42", i % 2 == 0 ? "even" : "odd"));
        }
        return out;
    }

    @Test
    void should_train_to_a_readable_checkpoint_with_every_failed_call_observed_and_no_thread_leak(@TempDir Path dir)
            throws Exception {
        // given three live models behind one endpoint failing 30% of requests, and a small, fast config
        Set<Thread> before = LiveThreads.now();
        List<Task> train = tasks(0, 8);
        List<Task> validation = tasks(8, 12);
        TrainConfig cfg = TrainConfig.DEFAULT.withEpochs(1).withTasksPerStep(4).withGroupSize(3).withMinSteps(6)
                .withValidationEvery(3).withSeed(11);
        List<EpisodeResult> episodes = Collections.synchronizedList(new ArrayList<>());
        Path out = dir.resolve("run");
        GrpoTrainer.Result result;
        Map<String, List<Fault>> log;
        int requests;
        long t0 = System.nanoTime();
        FaultSchedule schedule = new FaultSchedule(5, 0.30, Fault.NONE);
        try (FakeOpenAiServer server = FakeOpenAiServer.start(schedule)) {
            Registry registry = Registry.of("faulty-train", List.of(
                            model("Alpha", "general assistant", server.baseUrl()),
                            model("Beta", "careful arithmetic", server.baseUrl()),
                            model("Gamma", "fast and cheap", server.baseUrl())),
                    List.of(SkillCard.simple("direct", "answer directly", "{question}")));
            Map<String, Expert> experts = FaultSchedule.experts(registry, ATTEMPTS);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (Environment env = Environment.builder(registry, experts, AnswerGrader.create())
                    .pool(pool).trace(episodes::add).build()) {
                // when
                result = GrpoTrainer.builder(env, train, cfg, HashingEmbedder.create(384), "hashing-384").threads(2)
                        .validation(validation).out(out).build().run();
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            }
            log = Map.copyOf(schedule.log());
            requests = server.requests();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;

        // then training finished every step and wrote checkpoints that read back
        assertThat(result.steps()).isEqualTo(6);
        for (String f : List.of("policy.ckpt", "last.ckpt", "best.ckpt")) {
            Checkpoint.Contents c = Checkpoint.read(out.resolve(f));
            assertThat(c.header().registryName()).as(f).isEqualTo("faulty-train");
        }
        assertThat(Checkpoint.read(out.resolve("last.ckpt")).header().step()).isEqualTo(6);
        LearnedPolicy loaded = LearnedPolicies.load(out.resolve("policy.ckpt"), name -> HashingEmbedder.create(384));
        assertThat(loaded.name()).isNotBlank();

        // every call of every episode (rollouts and validation) is an observation; failed ones name their cause
        List<Observation> observations = new ArrayList<>();
        synchronized (episodes) {
            for (EpisodeResult r : episodes) {
                List<Observation> obs = r.steps().stream().map(Step::observations).flatMap(List::stream).toList();
                assertThat(obs).as("observations of %s", r.taskId()).hasSize(r.calls());
                assertThat(r.errors()).isEqualTo((int) obs.stream().filter(o -> !o.ok()).count());
                observations.addAll(obs);
            }
        }
        Map<ExpertError.Kind, Integer> byKind = new EnumMap<>(ExpertError.Kind.class);
        int ok = 0;
        for (Observation o : observations) {
            if (o.ok()) {
                ok++;
                assertThat(o.text()).hasValue("The answer is 42");
                continue;
            }
            ExpertError e = o.error().orElseThrow();
            byKind.merge(e.kind(), 1, Integer::sum);
            assertThat(e.kind()).as("%s", e).isIn(ExpertError.Kind.HTTP_STATUS, ExpertError.Kind.RATE_LIMITED,
                    ExpertError.Kind.TIMEOUT, ExpertError.Kind.IO, ExpertError.Kind.BAD_RESPONSE);
            if (e.retryable()) {
                // a retryable failure is final only once every attempt failed
                assertThat(e.message()).as("%s", e).endsWith("[after " + ATTEMPTS + " attempts]");
            } else {
                assertThat(e.kind()).as("the only fault not retried is a 200 with a body that is not a completion")
                        .isEqualTo(ExpertError.Kind.BAD_RESPONSE);
                assertThat(e.message()).startsWith("could not read the completion");
            }
        }
        int calls = observations.size();
        Set<Fault> injected = log.values().stream().flatMap(List::stream)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Fault.class)));
        Map<String, Long> injectedCounts = log.values().stream().flatMap(List::stream)
                .collect(Collectors.groupingBy(Fault::name, TreeMap::new, Collectors.counting()));
        System.out.printf("training under faults: %d steps, %d episodes, %d calls, %d requests, %d ok, failed by kind %s,"
                        + " injected %s, %d ms%n", result.steps(), episodes.size(), calls, requests, ok, byKind,
                injectedCounts, ms);
        assertThat(episodes.size()).isGreaterThanOrEqualTo(6 * 4 * 3);
        assertThat(injected).containsAll(Fault.INJECTED);
        assertThat(byKind).as("failed calls by kind").isNotEmpty();
        // retries are bounded: the server saw no more than ATTEMPTS requests per call (and at least one)
        assertThat(requests).isBetween(calls, calls * ATTEMPTS);
        assertThat(ok).as("calls that succeeded after retries").isGreaterThanOrEqualTo((int) (0.8 * calls));

        // and nothing the run started is still alive (slack 2: JDK HttpClient selector threads end lazily)
        List<String> leaked = LiveThreads.leftSince(before, 2);
        System.out.printf("training under faults: %d threads before, new threads still alive: %s%n", before.size(), leaked);
        assertThat(leaked).as("threads still alive").hasSizeLessThanOrEqualTo(2);
    }
}
