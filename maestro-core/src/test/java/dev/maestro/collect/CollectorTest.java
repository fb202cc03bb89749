package dev.maestro.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.eval.Baselines;
import dev.maestro.eval.SystemResult;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.Workbench;
import dev.maestro.registry.Pair;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import dev.maestro.testkit.FakeOpenAiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorTest {
    @TempDir
    Path dir;
    ArithmeticModels models;
    FakeOpenAiServer server;
    Path live;

    @BeforeEach
    void start() throws Exception {
        models = new ArithmeticModels();
        server = FakeOpenAiServer.start(models);
        live = ArithmeticModels.writeSuite(dir.resolve("live"), 24);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    MaestroRuntime runtime() {
        // fast retries so the flaky model's failures cost milliseconds, not the default backoff; a breaker that never
        // opens, so which calls fail depends on the server alone
        return MaestroRuntime.builder().registry(live.resolve("registry")).env(ArithmeticModels.env(server))
                .experts(o -> o.retryBaseDelay(Duration.ofMillis(1)).retryMaxDelay(Duration.ofMillis(5)).sleeper(d -> { })
                        .breakerThreshold(10_000))
                .build();
    }

    CollectResult collect(Path out, double budget, boolean resume, List<Pair> pairs) {
        List<Task> tasks = TaskReader.read(live.resolve("tasks.jsonl"));
        try (MaestroRuntime rt = runtime()) {
            Collector.Builder b = Collector.builder(rt, tasks, out).tasksFile(live.resolve("tasks.jsonl")).budgetUsd(budget)
                    .resume(resume).progress(Progress.NONE);
            if (!pairs.isEmpty()) {
                b.pairs(pairs);
            }
            return b.build().run();
        }
    }

    @Test
    void should_make_one_successful_request_per_task_and_pair_and_write_a_suite_that_runs_without_the_server() {
        // when
        CollectResult r = collect(dir.resolve("out"), 5, false, List.of());

        // then: every (task, pair) answered once; the flaky model's failed first attempts are extra requests
        long flakyFailures = models.log().stream().filter(q -> !q.ok()).count();
        assertThat(r.succeeded()).isEqualTo(24 * 4);
        assertThat(r.failed()).isZero();
        assertThat(r.complete()).isTrue();
        assertThat(models.successes()).isEqualTo(24 * 4);
        assertThat(models.maxSuccessesPerCall()).isEqualTo(1);
        assertThat(flakyFailures).as("the flaky model fails ~30% of first requests").isBetween(2L, 16L);
        assertThat(models.requests()).isEqualTo(24 * 4 + flakyFailures);
        assertThat(r.written().rows()).isEqualTo(24 * 4);
        assertThat(r.totalSpentUsd()).isPositive().isLessThan(5);

        // and: the replay suite evaluates offline: no request reaches the server, answers graded against gold
        int before = models.requests();
        try (Workbench wb = Workbench.open(Suite.load(dir.resolve("out")), Workbench.Options.defaults())) {
            assertThat(wb.tasks()).hasSize(24);
            Baselines.Fitted f = Baselines.fit(wb.env(), wb.trainAll(), wb.keywords(), 7, 2, Progress.NONE);
            List<SystemResult> systems = Baselines.evaluate(wb.env(), wb.tasks(), f, 7, 2, Progress.NONE);
            assertThat(f.train().accuracyByPair()).containsEntry("calc@@direct", 1.0).containsEntry("const@@direct", 0.0);
            assertThat(systems).isNotEmpty();
        }
        assertThat(models.requests()).isEqualTo(before);
    }

    @Test
    void should_stop_at_the_budget_and_finish_on_resume_without_repeating_a_successful_call() {
        // given: a budget that pays for a few calls only
        CollectResult first = collect(dir.resolve("out"), 0.002, false, List.of());

        // then
        assertThat(first.budgetReached()).isTrue();
        assertThat(first.notStarted()).isPositive();
        assertThat(first.totalSpentUsd()).isLessThanOrEqualTo(0.002);
        assertThat(first.completeTasks()).isLessThan(24);

        // when: resumed with a larger budget
        CollectResult second = collect(dir.resolve("out"), 5, true, List.of());

        // then
        assertThat(second.alreadyDone()).isEqualTo(first.succeeded());
        assertThat(second.complete()).isTrue();
        assertThat(models.maxSuccessesPerCall()).isEqualTo(1);
        assertThat(models.successes()).isEqualTo(24 * 4);
    }

    @Test
    void should_cut_a_torn_last_line_and_never_repeat_a_logged_success(@TempDir Path other) throws Exception {
        // given: one pair collected, then a kill in the middle of writing a line
        Path out = dir.resolve("out");
        collect(out, 5, false, List.of(Pair.parse("calc@@direct")));
        Files.writeString(out.resolve(CollectJournal.FILE), "{\"task_id\":\"arith-01\",\"pa", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        // when
        CollectResult r = collect(out, 5, true, List.of());

        // then
        assertThat(r.repairedBytes()).isPositive();
        assertThat(r.alreadyDone()).isEqualTo(24);
        assertThat(r.complete()).isTrue();
        assertThat(models.maxSuccessesPerCall()).isEqualTo(1);
    }

    @Test
    void should_try_calls_that_failed_after_all_retries_once_more_at_the_end_of_the_run() throws Exception {
        // given: a model that fails every fifth prompt more often than the expert retries
        Files.writeString(live.resolve("registry/models.yaml"), Files.readString(live.resolve("registry/models.yaml")) + """
                  - id: stubborn
                    model-name: stubborn
                    description: "Accurate arithmetic model whose endpoint refuses some prompts several times first."
                    price: {input-per-1m: 1.00, output-per-1m: 1.00}
                """);
        List<Task> tasks = TaskReader.read(live.resolve("tasks.jsonl"));

        // when
        CollectResult r;
        try (MaestroRuntime rt = runtime()) {
            r = Collector.builder(rt, tasks, dir.resolve("out")).tasksFile(live.resolve("tasks.jsonl")).budgetUsd(5)
                    .pairs(List.of(Pair.parse("stubborn@@direct"))).retryFailed(true, Duration.ZERO).build().run();
        }

        // then
        assertThat(r.retried()).isPositive();
        assertThat(r.failed()).isZero();
        assertThat(r.complete()).isTrue();
        assertThat(r.byPair().get("stubborn@@direct").failed()).isEqualTo(r.retried());
        assertThat(models.maxSuccessesPerCall()).isEqualTo(1);
    }

    @Test
    void should_refuse_to_overwrite_a_collection_and_name_unknown_pairs() {
        collect(dir.resolve("out"), 5, false, List.of(Pair.parse("const@@direct")));

        assertThatThrownBy(() -> collect(dir.resolve("out"), 5, false, List.of())).isInstanceOf(MaestroException.class)
                .hasMessageContaining("--resume");
        assertThatThrownBy(() -> collect(dir.resolve("x"), 5, false, List.of(Pair.parse("nope@@direct"))))
                .isInstanceOf(MaestroException.class).hasMessageContaining("nope@@direct").hasMessageContaining("calc@@direct");
    }
}
