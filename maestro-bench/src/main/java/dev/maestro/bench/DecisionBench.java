package dev.maestro.bench;

import dev.maestro.episode.EpisodeNotes;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.expert.Usage;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.policy.PairHistory;
import dev.maestro.policy.embed.HashingEmbedder;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Task;
import dev.maestro.policy.LearnedPolicies;
import dev.maestro.train.TrainConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decision of the learned policy as the episode engine makes it, on a registry the size of the paper's
 * (5 models × 7 level-1 skills = 35 pairs; {@code pairs} restricts how many are callable, to match the
 * BlindTest (8) and MATH-V (15) registries), with the default network ([64, 32], 64-d question projection).
 * The once-per-task work (question embedding, neighbour search) is done in setup, as the engine does it in
 * {@code Policy.prepare} outside the decision timer. Two cases: the first turn (35 call candidates) and the
 * second turn (34 calls + 1 answer, one observation to summarise). Both decide repeatedly on one task, so what the
 * policy computes on a task's first decision and reuses (description similarities, the per-pair numbers) is not in
 * them; {@code firstTurnOfATask} alternates between two prepared tasks, so every decision is a task's first.
 *
 * <p>Run: {@code java -jar maestro-bench/target/maestro-bench.jar DecisionBench -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionBench {
    /** Callable pairs: 8 (BlindTest registry), 15 (MATH-V), 35 (the paper's 5 models × 7 skills). */
    @Param({"8", "15", "35"})
    public int pairs;

    LearnedPolicy policy;
    View first;
    View second;
    View otherFirst;
    boolean flip;
    SplittableRandom rng = new SplittableRandom(1);

    @Setup
    public void setup() {
        List<ModelCard> models = new ArrayList<>();
        String[] ids = {"Intern-S1-mini", "GLM-4.6V-Flash", "qwen3-vl-8b-instruct", "Chart-R1", "medgemma-1.5-4b-it"};
        for (int i = 0; i < ids.length; i++) {
            models.add(ModelCard.builder(ids[i], Backend.SIMULATED).description("expert model number " + i + " for "
                    + ids[i]).price(new Price(0.05 * (i + 1), 0.2 * (i + 1))).build());
        }
        List<SkillCard> skills = new ArrayList<>();
        for (String s : List.of("geometry-solver", "chart-solver", "science-solver", "counting-solver", "perception-solver",
                "medical-solver", "ocr-router")) {
            skills.add(SkillCard.simple(s, "solves " + s.replace('-', ' ') + " problems", "{question}"));
        }
        Registry reg = Registry.of("bench", models, skills);
        HashingEmbedder emb = HashingEmbedder.create(384);
        Map<Pair, Double> priors = new HashMap<>();
        Map<Pair, double[]> grades = new HashMap<>();
        List<Task> train = new ArrayList<>();
        for (int t = 0; t < 1000; t++) {
            train.add(Task.text("t" + t, "In the bar chart number " + t + ", which quarter had the highest revenue?", "Q1", "chart"));
        }
        SplittableRandom r = new SplittableRandom(7);
        for (Pair p : reg.pairs()) {
            priors.put(p, r.nextDouble());
            double[] g = new double[train.size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = r.nextInt(2);
            }
            grades.put(p, g);
        }
        policy = LearnedPolicies.create(TrainConfig.DEFAULT.architecture(), TrainConfig.DEFAULT.priorWeight(),
                TrainConfig.DEFAULT.historyWeight(), emb, priors).history(PairHistory.build(train, grades, emb));
        Task task = Task.text("q", "A bar chart shows quarterly revenue: Q1 46.8, Q2 51.2, Q3 39.9, Q4 44.0. Which quarter was highest?",
                "Q2", "chart");
        policy.prepare(task);
        first = new View(task, reg, 0, List.of(), pairs);
        Observation o = new Observation(0, 0, Call.of(reg.pairs().get(3), task.question()), Optional.of("The answer is Q2."),
                Optional.of("Q2"), Optional.empty(), new Usage(300, 40), 0.0001, 900);
        second = new View(task, reg, 1, List.of(o), pairs);
        Task other = Task.text("q2", "A pie chart shows market shares: A 31%, B 24%, C 45%. Which company leads?", "C", "chart");
        policy.prepare(other);
        otherFirst = new View(other, reg, 0, List.of(), pairs);
        policy.decide(first, rng);
    }

    @Benchmark
    public Action firstTurn() {
        return policy.decide(first, rng);
    }

    @Benchmark
    public Action secondTurn() {
        return policy.decide(second, rng);
    }

    @Benchmark
    public Action firstTurnOfATask() {
        flip = !flip;
        return policy.decide(flip ? first : otherFirst, rng);
    }

    record View(Task task, Registry registry, int turn, List<Observation> observations, int pairs) implements EpisodeView {
        @Override public int maxTurns() { return 4; }
        @Override public int callsLeft() { return 4 - observations.size(); }
        @Override public double costLeft() { return 1.0; }
        @Override public List<Pair> callablePairs() { return registry.pairs().subList(0, pairs); }
        @Override public EpisodeNotes notes() { return EpisodeNotes.create(); }
    }
}
