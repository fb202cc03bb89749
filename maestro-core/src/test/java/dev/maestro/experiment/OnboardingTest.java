package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.eval.Evaluator;
import dev.maestro.eval.PairMatrix;
import dev.maestro.onboard.AbilityPosterior.Interval;
import dev.maestro.onboard.Outcomes;
import dev.maestro.onboard.ProbeSession;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.ToyWorld;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OnboardingTest {
    final ToyWorld.BagOfWords words = new ToyWorld.BagOfWords();

    @Test
    void should_place_added_experts_from_a_few_probes_and_route_to_the_good_one() {
        // given a policy trained without the medic; the medic and a dud join, described like the generalist
        Environment toy = ToyWorld.env();
        Registry withoutMedic = toy.registry().filterModels(m -> !m.id().equals("medic"));
        Environment env = toy.withRegistry(withoutMedic, Map.of());
        Environment full = toy.withRegistry(withoutMedic.withModels(List.of(ToyWorld.model("medic", "general assistant", 1),
                ToyWorld.model("dud", "general assistant", 1))), Map.of("dud", CalibrationTest.dud()));
        List<Task> all = ToyWorld.tasks(160);
        List<Task> train = all.subList(0, 96);
        List<Task> test = all.subList(120, 160);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        LearnedPolicy policy = GrpoTrainer.builder(env, train, ToyWorld.CFG, words, "bow-32").validation(all.subList(96, 120))
                .priors(m.accuracies()).history(PairHistory.build(train, m.gradesByPair(), words)).build().run().policy();
        Map<Pair, Double> priorsBefore = new HashMap<>(policy.priors());

        // when both are onboarded with at most 8 adaptive probes each
        Onboarding.Result r = Onboarding.run(full, policy, Onboarding.outcomes(m), train, Map.of(),
                Onboarding.Options.of(8, 7).withTolerance(0), Progress.NONE);

        // then: 8 probes each on training questions, estimates that tell medic from dud, and routing follows them
        assertThat(r.pairs()).extracting(p -> p.pair().id()).containsExactlyInAnyOrder("medic@@solve", "dud@@solve");
        assertThat(r.calls()).isEqualTo(16);
        assertThat(r.costUsd()).isCloseTo(16 * 0.0001, within(1e-9));
        Onboarding.PairResult medic = r.pairs().stream().filter(p -> p.pair().model().equals("medic")).findFirst().orElseThrow();
        Onboarding.PairResult dud = r.pairs().stream().filter(p -> p.pair().model().equals("dud")).findFirst().orElseThrow();
        assertThat(medic.probes()).allSatisfy(p -> assertThat(train.stream().map(Task::id)).contains(p.question()));
        assertThat(medic.stop()).isEqualTo(ProbeSession.Stop.PROBES);
        assertThat(medic.byGroup().get("medical").estimate()).isGreaterThan(medic.byGroup().get("chart").estimate() + 0.3);
        assertThat(dud.accuracy().estimate()).isLessThan(medic.accuracy().estimate());
        assertThat(dud.accuracy().high()).isGreaterThan(dud.accuracy().low());
        assertThat(policy.priors()).isEqualTo(priorsBefore);
        assertThat(r.policy().priors()).containsKeys(new Pair("medic", "solve"), new Pair("dud", "solve"));
        List<EpisodeResult> after = Evaluator.run(full, r.policy(), test, 3, 1, Progress.NONE);
        assertThat(CalibrationTest.firstCallShare(after, "medical", "medic")).isGreaterThanOrEqualTo(0.9);
        assertThat(CalibrationTest.firstCallShare(after, "medical", "dud")
                + CalibrationTest.firstCallShare(after, "chart", "dud")).isLessThanOrEqualTo(0.1);
    }

    @Test
    void should_split_questions_that_come_without_groups_into_clusters_of_their_embeddings() {
        // given a policy trained without the medic, and known outcomes whose questions carry no group
        Environment toy = ToyWorld.env();
        Registry withoutMedic = toy.registry().filterModels(m -> !m.id().equals("medic"));
        Environment env = toy.withRegistry(withoutMedic, Map.of());
        List<Task> all = ToyWorld.tasks(320);
        List<Task> train = all.subList(0, 240);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        LearnedPolicy policy = GrpoTrainer.builder(env, train, ToyWorld.CFG, words, "bow-32").validation(all.subList(240, 280))
                .priors(m.accuracies()).history(PairHistory.build(train, m.gradesByPair(), words)).build().run().policy();
        Outcomes ungrouped = Onboarding.outcomes(m).withGroups(Collections.nCopies(train.size(), "all"));

        // when the medic joins
        Onboarding.Result r = Onboarding.run(toy, policy, ungrouped, train, Map.of(), Onboarding.Options.of(16, 7).withTolerance(0),
                Progress.NONE);

        // then its estimate is per cluster, named by a question, and tells its radiology questions from the charts
        Map<String, Interval> byGroup = r.pairs().get(0).byGroup();
        assertThat(byGroup).hasSizeBetween(2, 8);
        assertThat(byGroup.keySet()).allMatch(g -> g.startsWith("cluster "));
        double radiology = byGroup.entrySet().stream().filter(e -> e.getKey().contains("radiology"))
                .mapToDouble(e -> e.getValue().estimate()).min().orElseThrow();
        double chart = byGroup.entrySet().stream().filter(e -> e.getKey().contains("chart"))
                .mapToDouble(e -> e.getValue().estimate()).max().orElseThrow();
        assertThat(radiology).isGreaterThan(chart + 0.3);
        // and the questions' own groups are kept when asked for, clusters taken when asked for even where groups exist
        Onboarding.Result task = Onboarding.run(toy, policy, ungrouped, train, Map.of(),
                Onboarding.Options.of(0, 7).withGrouping(Onboarding.Grouping.TASK), Progress.NONE);
        assertThat(task.pairs().get(0).byGroup().keySet()).containsExactly("all");
        Onboarding.Result clusters = Onboarding.run(toy, policy, Onboarding.outcomes(m), train, Map.of(),
                Onboarding.Options.of(16, 7).withTolerance(0).withGrouping(Onboarding.Grouping.CLUSTERS), Progress.NONE);
        // fitted per cluster, but reported per the questions' own groups, with what the clusters learned
        Map<String, Interval> own = clusters.pairs().get(0).byGroup();
        assertThat(own.keySet()).containsExactlyInAnyOrder("chart", "medical");
        assertThat(own.get("medical").estimate()).isGreaterThan(own.get("chart").estimate() + 0.3);
        assertThat(own.values()).allMatch(i -> i.low() <= i.estimate() && i.estimate() <= i.high());
        assertThat(catchThrowable(() -> Onboarding.Grouping.named("subjects")))
                .hasMessage("unknown grouping 'subjects'; valid: clusters, task");
    }

    @Test
    void should_keep_the_new_pairs_in_a_checkpoint_that_loads_like_a_trained_one(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // given a checkpoint trained without the medic
        Environment toy = ToyWorld.env();
        Registry withoutMedic = toy.registry().filterModels(m -> !m.id().equals("medic"));
        Environment env = toy.withRegistry(withoutMedic, Map.of());
        List<Task> train = ToyWorld.tasks(48);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        java.nio.file.Path ckpt = dir.resolve("policy.ckpt");
        GrpoTrainer.builder(env, train, ToyWorld.CFG, words, "bow-32").priors(m.accuracies()).costs(m.meanCosts())
                .history(PairHistory.build(train, m.gradesByPair(), words)).out(dir).build().run();
        LearnedPolicy trained = dev.maestro.policy.LearnedPolicies.load(ckpt, name -> words);

        // when the medic is onboarded and the result written as a policy file
        Onboarding.Result r = Onboarding.run(toy, trained, Onboarding.outcomes(m), train, Map.of(),
                Onboarding.Options.of(6, 7).withTolerance(0), Progress.NONE);
        java.nio.file.Path out = dir.resolve("onboarded.ckpt");
        OnboardedPolicy.write(out, ckpt, r, toy.registry(), Map.of("probes_per_pair", 6));
        LearnedPolicy loaded = dev.maestro.policy.LearnedPolicies.load(out, name -> words);

        // then the file holds what the in-memory policy holds: the medic's prior, cost and history
        Pair medic = new Pair("medic", "solve");
        assertThat(loaded.priors().get(medic)).isEqualTo(r.policy().priors().get(medic));
        assertThat(loaded.costs().get(medic)).isCloseTo(0.0001, within(1e-9));
        Task q = ToyWorld.tasks(200).get(151);
        assertThat(loaded.history().orElseThrow().forTask(q, words.embed(q.question())).get(medic))
                .isCloseTo(r.policy().history().orElseThrow().forTask(q, words.embed(q.question())).get(medic),
                        within(1e-6));
        assertThat(dev.maestro.policy.Checkpoint.read(out).header().notes()).containsKey("onboarding");
        assertThat(dev.maestro.policy.Checkpoint.read(out).header().registryName()).isEqualTo("toy");
    }

    @Test
    void should_spend_nothing_past_the_budget_and_record_probes_in_order() {
        Onboarding.Result r = onboardMedicUntrained(40, Onboarding.Options.of(30, 7).withBudget(0.00035).withTolerance(0));

        assertThat(r.pairs()).hasSize(1);
        assertThat(r.pairs().get(0).stop()).isEqualTo(ProbeSession.Stop.BUDGET);
        assertThat(r.calls()).isEqualTo(3);
        assertThat(r.costUsd()).isLessThanOrEqualTo(0.00035);
    }

    @Test
    void should_give_a_new_pair_its_probe_outcomes_in_the_history_and_predictions_elsewhere() {
        // given the medic onboarded with 6 probes
        Onboarding.Result r = onboardMedicUntrained(48, Onboarding.Options.of(6, 7).withTolerance(0));

        // then a probed question holds its graded outcome (0 or 1, as a known pair's row), the others a chance in (0, 1)
        Onboarding.PairResult medic = r.pairs().get(0);
        double[] row = r.grades().get(medic.pair());
        Set<Integer> probed = new HashSet<>();
        for (ProbeSession.Probe pr : medic.probes()) {
            probed.add(pr.item());
            assertThat(row[pr.item()]).isEqualTo(pr.grade().orElseThrow());
        }
        assertThat(probed).hasSize(6);
        for (int i = 0; i < row.length; i++) {
            if (!probed.contains(i)) {
                assertThat(row[i]).isStrictlyBetween(0.0, 1.0);
            }
        }
    }

    @Test
    void should_count_a_failed_probe_as_no_right_answer_and_scale_predictions_by_the_answer_rate() {
        // given known experts answering 4 of 4 and 3 of 4 gradable questions (mean answer rate 0.875)
        Outcomes known = Outcomes.of(List.of("a@@s", "b@@s"), List.of("q0", "q1", "q2", "q3"),
                List.of("g", "g", "g", "g"), new double[][]{{1, 0, 1, 1}, {Double.NaN, 1, 0, 1}});
        // and a new pair probed 5 times: 3 graded, 1 expert failure, 1 question nothing grades
        List<ProbeSession.Probe> probes = List.of(
                probe(0, OptionalDouble.of(1), null), probe(1, OptionalDouble.of(0), null),
                probe(2, OptionalDouble.of(1), null), probe(3, OptionalDouble.empty(), "TIMEOUT: no reply in 30 s"),
                probe(4, OptionalDouble.empty(), "ungraded: nothing grades this question"));

        // when its answer rate and history row are computed
        double rate = Onboarding.answerRate(Onboarding.knownAnswerRate(known), probes);
        double[] row = Onboarding.historyRow(new double[]{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, probes, rate);

        // then the rate is 3 answers in 4 asked, shrunk toward 0.875 with the weight of 2 probes
        assertThat(Onboarding.knownAnswerRate(known)).isCloseTo(0.875, within(1e-12));
        assertThat(rate).isCloseTo((3 + 2 * 0.875) / (4 + 2), within(1e-12));
        // and the failed call counts as no right answer, as in a known pair's row; the rest is prediction x rate
        assertThat(row).containsExactly(new double[]{1, 0, 1, 0, 0.5 * rate, 0.5 * rate}, within(1e-12));
    }

    private static ProbeSession.Probe probe(int item, OptionalDouble grade, String failure) {
        return new ProbeSession.Probe(item, "question " + item, "g", grade, 0.001, Optional.ofNullable(failure));
    }

    /** The medic onboarded into an untrained policy that knows the other toy experts from {@code tasks} training questions. */
    private Onboarding.Result onboardMedicUntrained(int tasks, Onboarding.Options options) {
        Environment toy = ToyWorld.env();
        Environment env = toy.withRegistry(toy.registry().filterModels(m -> !m.id().equals("medic")), Map.of());
        List<Task> train = ToyWorld.tasks(tasks);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        LearnedPolicy policy = LearnedPolicies.create(ToyWorld.CFG.architecture(), ToyWorld.CFG.priorWeight(),
                ToyWorld.CFG.historyWeight(), words, m.accuracies());
        return Onboarding.run(toy, policy, Onboarding.outcomes(m), train, Map.of(), options, Progress.NONE);
    }
    @Test
    void should_price_a_new_pair_by_the_tokens_a_call_takes_not_by_its_summed_price() {
        // known calls take 2,000 tokens in and 100 out; two known prices differ in and out, the rest are equal
        List<Onboarding.PricedCost> known = new ArrayList<>();
        for (Price p : List.of(new Price(0.18, 0.18), new Price(0.18, 0.18), new Price(0.18, 0.18), new Price(0.9, 0.9),
                new Price(0.6, 0.6), new Price(0.5, 1.5), new Price(0.14, 0.28))) {
            known.add(new Onboarding.PricedCost(p, p.cost(2000, 100)));
        }
        Price dearOutput = new Price(1.25, 5.00);

        double estimate = Onboarding.costFromPrice(known, dearOutput, 0);

        // the fit finds the tokens, so the estimate is the price of 2,000 in and 100 out ($0.003); the summed price's
        // median cost per unit ($0.00105 per $1) would say $0.0066
        assertThat(estimate).isCloseTo(dearOutput.cost(2000, 100), within(1e-9));
    }

    @Test
    void should_fall_back_to_the_cost_per_unit_of_price_when_every_known_price_has_one_ratio() {
        List<Onboarding.PricedCost> known = List.of(new Onboarding.PricedCost(new Price(0.2, 0.2), 0.2 * 0.001),
                new Onboarding.PricedCost(new Price(0.6, 0.6), 0.6 * 0.0011),
                new Onboarding.PricedCost(new Price(0.9, 0.9), 0.9 * 0.0012), new Onboarding.PricedCost(Price.FREE, 0.0));

        // tokens in and out cannot be told apart: the median cost per unit of summed price, 0.0011 / 2 per $1
        assertThat(Onboarding.costFromPrice(known, new Price(1, 3), 0)).isCloseTo(4 * 0.00055, within(1e-12));
        assertThat(Onboarding.costFromPrice(known, Price.FREE, 0.007)).isEqualTo(0.007);
        assertThat(Onboarding.costFromPrice(List.of(), new Price(1, 1), 0.007)).isEqualTo(0.007);
    }
}
