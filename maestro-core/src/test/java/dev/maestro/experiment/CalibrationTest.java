package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.experiment.Calibration;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.PairMatrix;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Usage;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.ToyWorld;
import dev.maestro.train.TrainConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    static final TrainConfig CFG = ToyWorld.CFG;
    final ToyWorld.BagOfWords words = new ToyWorld.BagOfWords();

    @Test
    void should_give_a_sampled_pair_a_neighbourhood_history_that_follows_its_outcomes() {
        // given a history of the generalist only, and the medic measured on a sample of training questions
        List<Task> train = ToyWorld.tasks(60);
        Pair generalist = new Pair("generalist", "solve");
        Pair medic = new Pair("medic", "solve");
        double[] half = new double[train.size()];
        for (int i = 0; i < half.length; i++) {
            half[i] = i % 4 < 2 ? 1 : 0;
        }
        PairHistory base = PairHistory.build(train, Map.of(generalist, half), words);
        List<Task> sample = train.subList(0, 20);
        double[] medicGrades = sample.stream().mapToDouble(t -> t.group().equals("medical") ? 1 : 0).toArray();
        // when
        PairHistory cal = base.calibrated(sample, Map.of(medic, medicGrades), words);
        // then the medic looks good on medical questions and bad on chart questions, and the generalist is unchanged
        Task medicalQ = ToyWorld.tasks(200).get(151);
        Task chartQ = ToyWorld.tasks(200).get(150);
        Map<Pair, Double> onMedical = cal.forTask(medicalQ, words.embed(medicalQ.question()));
        Map<Pair, Double> onChart = cal.forTask(chartQ, words.embed(chartQ.question()));
        assertThat(onMedical.get(medic)).isGreaterThan(0.8);
        assertThat(onChart.get(medic)).isLessThan(0.2);
        assertThat(onMedical.get(generalist)).isEqualTo(base.forTask(medicalQ, words.embed(medicalQ.question())).get(generalist));
        assertThat(cal.sampledPairs()).containsExactly(medic);
        assertThat(base.sampledPairs()).isEmpty();
    }

    @Test
    void should_route_to_a_good_added_expert_and_away_from_a_bad_one_once_they_are_calibrated() {
        // given a policy trained without the medic; then the medic and a dud join, both described exactly like the
        // generalist, so only measurement can tell them apart (the medic is right on medical questions, the dud never)
        Environment toy = ToyWorld.env();
        Registry withoutMedic = toy.registry().filterModels(m -> !m.id().equals("medic"));
        Environment env = toy.withRegistry(withoutMedic, Map.of());
        Environment full = toy.withRegistry(withoutMedic.withModels(List.of(ToyWorld.model("medic", "general assistant", 1),
                ToyWorld.model("dud", "general assistant", 1))), Map.of("dud", dud()));
        List<Task> all = ToyWorld.tasks(160);
        List<Task> train = all.subList(0, 96);
        List<Task> test = all.subList(120, 160);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        LearnedPolicy policy = GrpoTrainer.builder(env, train, CFG, words, "bow-32").validation(all.subList(96, 120))
                .priors(m.accuracies()).history(PairHistory.build(train, m.gradesByPair(), words)).build().run().policy();
        Map<Pair, Double> priorsBefore = new HashMap<>(policy.priors());
        // when both are calibrated on 24 training questions
        Calibration.Result cal = Calibration.run(full, policy, train, 24, 7, 1);
        // then only they were measured, on training questions, and the policy asks the medic first on medical
        // questions and leaves the dud alone
        assertThat(cal.models()).containsExactlyInAnyOrder("medic", "dud");
        assertThat(cal.pairs()).isEqualTo(2);
        assertThat(cal.tasks()).isEqualTo(24);
        assertThat(cal.calls()).isEqualTo(48);
        assertThat(cal.accuracy().get("medic@@solve")).isBetween(0.2, 0.8);
        assertThat(cal.accuracy().get("dud@@solve")).isZero();
        assertThat(cal.policy().priors()).containsKeys(new Pair("medic", "solve"), new Pair("dud", "solve"));
        assertThat(policy.priors()).isEqualTo(priorsBefore);
        List<EpisodeResult> after = Evaluator.run(full, cal.policy(), test, 3, 1, Progress.NONE);
        assertThat(firstCallShare(after, "medical", "medic")).isGreaterThanOrEqualTo(0.9);
        assertThat(firstCallShare(after, "medical", "dud") + firstCallShare(after, "chart", "dud")).isLessThanOrEqualTo(0.1);
        assertThat(accuracyOn(after, "medical")).isGreaterThanOrEqualTo(0.9);
    }

    static Expert dud() {
        return req -> new ExpertReply(Optional.of("wrong"), Optional.of("wrong"),
                Optional.empty(), new Usage(100, 10), 0.0001, 10, Optional.empty(), true);
    }

    @Test
    void should_change_nothing_when_every_model_was_seen_in_training() {
        Environment env = ToyWorld.env();
        List<Task> train = ToyWorld.tasks(32);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        LearnedPolicy policy = LearnedPolicies.create(CFG.architecture(), CFG.priorWeight(), CFG.historyWeight(), words,
                m.accuracies());
        Calibration.Result cal = Calibration.run(env, policy, train, 10, 7, 1);
        assertThat(cal.policy()).isSameAs(policy);
        assertThat(cal.calls()).isZero();
    }

    static double firstCallShare(List<EpisodeResult> rs, String group, String model) {
        return rs.stream().filter(r -> r.group().equals(group)).mapToDouble(r -> r.steps().stream()
                .flatMap(st -> st.observations().stream()).findFirst().filter(o -> o.call().model().equals(model))
                .isPresent() ? 1 : 0).average().orElse(0);
    }

    static double accuracyOn(List<EpisodeResult> rs, String group) {
        return rs.stream().filter(r -> r.group().equals(group)).mapToDouble(EpisodeResult::grade).average().orElse(0);
    }
}
