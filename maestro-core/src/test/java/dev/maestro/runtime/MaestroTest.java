package dev.maestro.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.collect.ArithmeticModels;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.eval.PairMatrix;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.Workbench;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library facade, as README.md and docs/library.md show it, against a fake OpenAI-compatible server. */
class MaestroTest {
    @TempDir
    static Path dir;
    static FakeOpenAiServer server;
    static Path registry;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        server = FakeOpenAiServer.start(new ArithmeticModels());
        Path live = ArithmeticModels.writeSuite(dir.resolve("live"), 40);
        registry = live.resolve("registry");
        env = new HashMap<>(ArithmeticModels.env(server));
        env.put(MaestroHome.VARIABLE, dir.toString()); // the embedding cache goes to dir/.cache
        env = Map.copyOf(env);
        // a checkpoint to load, trained as `maestro train` does (a short run; the cache keeps the server calls few)
        try (Workbench wb = Workbench.open(Suite.load(live), Workbench.Options.defaults().withEnv(env)
                .withCache(dir.resolve("cache.sqlite")));
             CachingEmbedder emb = Embedders.of(MaestroHome.at(dir)).open(Embedders.HASHING)) {
            List<Task> train = wb.part(Split.Part.TRAIN);
            PairMatrix m = PairMatrix.compute(wb.env(), train, 7, 2, Progress.NONE);
            GrpoTrainer.builder(wb.env(), train, TrainConfig.DEFAULT.withMinSteps(10).withEpochs(1), emb, emb.name())
                    .threads(2).validation(wb.part(Split.Part.VALIDATION)).priors(m.accuracies())
                    .history(PairHistory.build(train, m.gradesByPair(), emb)).out(dir.resolve("runs/x")).build().run();
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void should_answer_a_question_with_a_checkpoint_policy_as_the_readme_shows() {
        Path myRegistry = registry;
        String checkpoint = dir.resolve("runs/x/policy.ckpt").toString();

        // the README snippet, plus the fake server's address and key (env) and where the embedding cache lives (home)
        try (Maestro maestro = Maestro.builder().registry(myRegistry).policy(checkpoint).env(env).home(dir).build()) {
            Answer a = maestro.answer("What is 17 * 23?");

            assertThat(a.text()).isEqualTo("391");
            assertThat(a.answered()).isTrue();
            assertThat(a.calls()).isPositive();
            assertThat(a.costUsd()).isPositive();
            assertThat(a.errors()).isEmpty();
            assertThat(a.observations()).isNotEmpty().allSatisfy(o -> assertThat(o.call().model()).isNotEqualTo("const"));
            assertThat(a.policy()).isEqualTo(maestro.policy().name());
        }
    }

    @Test
    void should_answer_a_checkpoint_under_the_limits_it_was_trained_with_unless_the_builder_sets_them() {
        String checkpoint = dir.resolve("runs/x/policy.ckpt").toString();
        // trained as `maestro train` does: 4 turns and 4 calls, where an episode by default allows 8 calls
        TrainConfig trained = TrainConfig.DEFAULT;
        assertThat(trained.maxCalls()).isNotEqualTo(EpisodeConfig.DEFAULT.maxCalls());

        // by default, the checkpoint answers under the limits it was trained and validated with
        try (Maestro maestro = Maestro.builder().registry(registry).policy(checkpoint).env(env).home(dir).build()) {
            assertThat(maestro.limits().maxCalls()).isEqualTo(trained.maxCalls());
            assertThat(maestro.limits().maxTurns()).isEqualTo(trained.maxTurns());
            assertThat(maestro.limits().maxCostUsd()).isEqualTo(EpisodeConfig.DEFAULT.maxCostUsd());
            assertThat(maestro.answer("What is 17 * 23?").calls()).isLessThanOrEqualTo(trained.maxCalls());
        }
        // a limit the caller sets wins, the other trained one stays
        try (Maestro maestro = Maestro.builder().registry(registry).policy(checkpoint).env(env).home(dir)
                .maxCalls(6).maxCost(0.5).build()) {
            assertThat(maestro.limits().maxCalls()).isEqualTo(6);
            assertThat(maestro.limits().maxTurns()).isEqualTo(trained.maxTurns());
            assertThat(maestro.limits().maxCostUsd()).isEqualTo(0.5);
        }
        // limits given whole are the caller's, turns and calls included
        try (Maestro maestro = Maestro.builder().registry(registry).policy(checkpoint).env(env).home(dir)
                .episode(EpisodeConfig.DEFAULT.withMaxTurns(3)).build()) {
            assertThat(maestro.limits().maxCalls()).isEqualTo(EpisodeConfig.DEFAULT.maxCalls());
            assertThat(maestro.limits().maxTurns()).isEqualTo(3);
        }
        // a policy not trained by us runs under the episode defaults
        try (Maestro maestro = Maestro.builder().registry(registry).policy("fixed:calc@@direct").env(env).home(dir).build()) {
            assertThat(maestro.limits()).isEqualTo(EpisodeConfig.DEFAULT);
        }
    }

    @Test
    void should_answer_with_an_image_and_with_a_fixed_pair() throws Exception {
        Path png = dir.resolve("dot.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", png.toFile());

        try (Maestro maestro = Maestro.builder().registry(registry).policy("fixed:calc@@direct").env(env).home(dir).build()) {
            Answer a = maestro.answer("What is 6 + 7?", List.of(png));

            assertThat(a.text()).isEqualTo("13");
            assertThat(a.calls()).isEqualTo(1);
            assertThatThrownBy(() -> maestro.answer("What?", List.of(dir.resolve("missing.png"))))
                    .isInstanceOf(MaestroException.class).hasMessageContaining("missing.png");
        }
    }

    @Test
    void should_report_a_dead_endpoint_as_errors_not_as_an_answer() {
        Map<String, String> dead = new HashMap<>(env);
        dead.put("ARITH_URL", "http://127.0.0.1:9/v1"); // discard port: nothing listens
        try (Maestro maestro = Maestro.builder().registry(registry).policy("fixed:calc@@direct").env(dead).home(dir)
                .episode(EpisodeConfig.DEFAULT).build()) {
            maestro.runtime(); // reachable for advanced use
            Answer a = maestro.answer("What is 1 + 1?");

            assertThat(a.errors()).isNotEmpty().anySatisfy(e -> assertThat(e).startsWith("calc@@direct: "));
            assertThat(a.text()).isNotEqualTo("2");
        }
    }

    @Test
    void should_fit_a_baseline_on_training_tasks_and_say_when_they_are_missing() {
        assertThatThrownBy(() -> Maestro.builder().registry(registry).policy("best-single").env(env).home(dir).build())
                .isInstanceOf(MaestroException.class).hasMessageContaining("training tasks");
        assertThatThrownBy(() -> Maestro.builder().registry(registry).env(env).build())
                .isInstanceOf(MaestroException.class).hasMessageContaining("no policy");
        assertThatThrownBy(() -> Maestro.builder().registry(registry).policy("oracle").env(env).home(dir).build())
                .isInstanceOf(MaestroException.class).hasMessageContaining("only in `maestro eval`");

        try (Maestro maestro = Maestro.builder().registry(registry).policy("best-single")
                .trainingTasks(dir.resolve("live/tasks.jsonl")).env(env).home(dir).build()) {
            assertThat(maestro.answer("What is 40 + 2?").text()).isEqualTo("42");
            assertThat(maestro.policy().name()).isEqualTo("best-single");
        }
    }
}
