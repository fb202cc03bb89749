package dev.maestro.train;

import dev.maestro.episode.Policy;
import dev.maestro.policy.CandidateFeatures;
import dev.maestro.policy.Checkpoint;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.nn.Parameters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.eval.Evaluator;
import dev.maestro.Progress;
import dev.maestro.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpoTrainerTest {
    static final TrainConfig CFG = ToyWorld.CFG;

    static double accuracy(Environment env, Policy p, List<Task> tasks) {
        return Evaluator.run(env, p, tasks, 3, 1, Progress.NONE).stream().mapToDouble(r -> r.grade()).average().orElse(0);
    }

    @Test
    void should_learn_to_route_each_group_to_its_specialist_from_outcomes_alone() {
        // given a world where no single model is right on more than half of the tasks
        Environment env = ToyWorld.env();
        List<Task> all = ToyWorld.tasks(160);
        List<Task> train = all.subList(0, 96);
        List<Task> val = all.subList(96, 120);
        List<Task> test = all.subList(120, 160);
        // when
        GrpoTrainer.Result r = GrpoTrainer.builder(env, train, CFG, new ToyWorld.BagOfWords(), "bow-32")
                .validation(val).build().run();
        // then the greedy policy routes by question and beats every single model on held-out tasks
        assertThat(accuracy(env, r.policy(), test)).isGreaterThanOrEqualTo(0.9);
        assertThat(r.curves().get("reward_mean")).isNotEmpty();
        assertThat(r.episodesPerSecond()).isPositive();
    }

    @Test
    void should_leave_the_weights_of_a_calls_cost_and_price_where_the_start_put_them(@TempDir Path dir) {
        // given a training run that moves the policy (the toy world is learned from outcomes, see above)
        Environment env = ToyWorld.env();
        List<Task> tasks = ToyWorld.tasks(64);
        GrpoTrainer.builder(env, tasks, CFG.withEpochs(2), new ToyWorld.BagOfWords(), "bow-32").out(dir).build().run();
        // when the last checkpoint's skip path is read
        Parameters p = Checkpoint.read(dir.resolve("last.ckpt")).parameters();
        int skip = p.view("skip.w").offset();
        double start = CFG.priorWeight() + CFG.historyWeight() + CFG.wideWeight();
        // then the cost is still charged at the rate the start charges it, and the price carries no weight of its own,
        assertThat(p.values()[skip + CandidateFeatures.EXPECTED_COST]).isEqualTo(-start);
        assertThat(p.values()[skip + CandidateFeatures.PRICE]).isEqualTo(0.0);
        // while the weights training may move did move
        assertThat(p.values()[skip + CandidateFeatures.POSTERIOR]).isNotEqualTo(start);
    }

    @Test
    void should_write_byte_identical_checkpoints_for_the_same_seed_whatever_the_thread_count(@TempDir Path dir) {
        Environment env = ToyWorld.env();
        List<Task> tasks = ToyWorld.tasks(48);
        TrainConfig cfg = CFG.withEpochs(2);
        GrpoTrainer.builder(env, tasks, cfg, new ToyWorld.BagOfWords(), "bow-32").threads(1).out(dir.resolve("a")).build().run();
        GrpoTrainer.builder(env, tasks, cfg, new ToyWorld.BagOfWords(), "bow-32").threads(1).out(dir.resolve("b")).build().run();
        GrpoTrainer.builder(env, tasks, cfg, new ToyWorld.BagOfWords(), "bow-32").threads(2).out(dir.resolve("c")).build().run();
        String a = Checkpoint.digest(dir.resolve("a/last.ckpt"));
        assertThat(Checkpoint.digest(dir.resolve("b/last.ckpt"))).isEqualTo(a);
        // the thread count is part of the config header, so compare the parameters instead
        assertThat(Checkpoint.read(dir.resolve("c/last.ckpt")).parameters().values())
                .containsExactly(Checkpoint.read(dir.resolve("a/last.ckpt")).parameters().values());
    }

    @Test
    void should_resume_an_interrupted_run_to_a_byte_identical_checkpoint(@TempDir Path dir) throws Exception {
        Environment env = ToyWorld.env();
        List<Task> tasks = ToyWorld.tasks(64);
        TrainConfig cfg = CFG.withEpochs(4);
        GrpoTrainer.builder(env, tasks, cfg, new ToyWorld.BagOfWords(), "bow-32").out(dir.resolve("full")).build().run();
        // given a run stopped after 3 steps, when it is resumed, then it ends exactly where the uninterrupted one did
        Path cut = dir.resolve("cut");
        GrpoTrainer.builder(env, tasks, cfg, new ToyWorld.BagOfWords(), "bow-32").out(cut).stopAfter(3).build().run();
        GrpoTrainer.builder(env, tasks, cfg, new ToyWorld.BagOfWords(), "bow-32").out(cut).resume(true).build().run();
        assertThat(Checkpoint.digest(cut.resolve("last.ckpt"))).isEqualTo(Checkpoint.digest(dir.resolve("full/last.ckpt")));
        assertThat(Checkpoint.digest(cut.resolve("policy.ckpt"))).isEqualTo(Checkpoint.digest(dir.resolve("full/policy.ckpt")));
        assertThat(Files.readString(cut.resolve("train_log.jsonl")).lines().count())
                .isEqualTo(Files.readString(dir.resolve("full/train_log.jsonl")).lines().count());
        // and a different config is refused rather than silently mixed
        assertThatThrownBy(() -> GrpoTrainer.builder(env, tasks, cfg.withLearningRate(0.1), new ToyWorld.BagOfWords(), "bow-32")
                .out(cut).resume(true).build().run())
                .isInstanceOf(MaestroException.class).hasMessageContaining("different config");
    }

    @Test
    void should_refuse_a_corrupt_or_old_checkpoint_with_a_clear_message(@TempDir Path dir) throws Exception {
        Environment env = ToyWorld.env();
        GrpoTrainer.builder(env, ToyWorld.tasks(32), CFG.withEpochs(1), new ToyWorld.BagOfWords(), "bow-32")
                .out(dir).build().run();
        byte[] b = Files.readAllBytes(dir.resolve("policy.ckpt"));
        b[b.length / 2] ^= 0x5A;
        Files.write(dir.resolve("bad.ckpt"), b);
        assertThatThrownBy(() -> Checkpoint.read(dir.resolve("bad.ckpt"))).isInstanceOf(MaestroException.class)
                .hasMessageContaining("checksum mismatch");
        Path old = Path.of("src/test/resources/checkpoints/format0.ckpt");
        assertThatThrownBy(() -> Checkpoint.read(old)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("format version 0 is not supported");
        LearnedPolicies.load(dir.resolve("policy.ckpt"), name -> new ToyWorld.BagOfWords());
    }

    @Test
    void should_record_the_turn_and_call_limits_it_was_trained_with_so_eval_can_apply_them(@TempDir Path dir) {
        // given a checkpoint trained with at most one call in two turns
        Environment env = ToyWorld.env();
        TrainConfig cfg = CFG.toBuilder().maxTurns(2).maxCalls(1).epochs(1).build();
        LearnedPolicy fresh = GrpoTrainer.builder(env, ToyWorld.tasks(32), cfg, new ToyWorld.BagOfWords(), "bow-32").out(dir)
                .build().run().policy();
        Checkpoint.Header h = Checkpoint.read(dir.resolve("policy.ckpt")).header();
        // then its header turns any environment's limits into those, and keeps the rest of the config
        EpisodeConfig limited = h.trainedLimits(env.config().withMaxTurns(4).withMaxCalls(8));
        assertThat(limited.maxTurns()).isEqualTo(2);
        assertThat(limited.maxCalls()).isEqualTo(1);
        assertThat(limited.maxCostUsd()).isEqualTo(env.config().maxCostUsd());
        // the policy fresh from training knows them too, as one loaded from the file does
        assertThat(fresh.trainedLimits(env.config().withMaxTurns(4).withMaxCalls(8))).isEqualTo(limited);
        // and the policy run under them makes at most one call per task
        Policy p = LearnedPolicies.load(dir.resolve("policy.ckpt"), name -> new ToyWorld.BagOfWords());
        assertThat(Evaluator.run(env.withConfig(limited), p, ToyWorld.tasks(16), 7, 1, Progress.NONE))
                .allSatisfy(r -> assertThat(r.calls()).isLessThanOrEqualTo(1));
    }
}
