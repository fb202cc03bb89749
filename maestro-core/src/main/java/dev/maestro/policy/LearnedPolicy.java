package dev.maestro.policy;

import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.policy.nn.MaskedSoftmax;
import dev.maestro.policy.nn.PolicyNetwork;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeNotes;
import dev.maestro.task.Task;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The lightweight learned orchestrator. Each turn it scores every valid action with a small MLP —
 * {@code Call(pair)} for pairs not yet called, {@code Answer(k)} for each distinct answer seen so far —
 * and samples (training) or takes the best (evaluation). What came back informs the next decision: the answers
 * so far, their agreement and their support weighted by each supporter's estimated accuracy on similar questions,
 * outputs without an answer, expert errors, what was spent and what is left ({@link CandidateFeatures}). A
 * candidate is described only by the embeddings of its model's and skill's descriptions and by numbers, never by
 * its id, so registries can change without retraining.
 *
 * <p>The cost weight is an input: one policy serves the whole cost–quality curve. An episode with weight W is
 * scored as grade − W · cost / reference cost, the reference being the mean cost per task of the best training
 * pair, so W = 0.1 means "spending as much as the best single expert must buy at least 10 points of accuracy".
 * {@link #withCostWeight} chooses W (evaluation: {@code maestro eval --cost-weight}); training samples it per
 * episode group.
 */
public final class LearnedPolicy implements Policy {
    /** Numbers per candidate (see {@link CandidateFeatures}). */
    public static final int CANDIDATE_FEATURES = CandidateFeatures.COUNT;
    /** The decision records of a sampling policy, kept in the episode's notes for the GRPO update. */
    public static final EpisodeNotes.Key<Decision> DECISIONS = EpisodeNotes.Key.of("learned-decisions", Decision.class);
    /** The cost weight of a policy nobody chose one for (a weight chosen on validation replaces it after training). */
    public static final double DEFAULT_COST_WEIGHT = 0.02;

    private final PolicyNetwork network;
    private final QuestionEncoder questions;
    private final RegistryEncoding.DescriptionCache descriptions;
    private final ConcurrentHashMap<Registry, RegistryEncoding> encodings;
    private final ThreadLocal<DecisionScratch> scratch;
    private final Settings settings;
    /** What the featurizer needs of the settings, made once per policy copy (decisions key their caches on it). */
    private final Featurizer.Numbers numbers;
    /** The header of this policy's checkpoint (the one it was loaded from, or the one its training wrote), if any. */
    private final Optional<Checkpoint.Header> checkpoint;

    /**
     * Everything a copy of the policy may change; the network, encoders and caches are shared by copies.
     *
     * @param sampleTurn with {@code sample}: sample (and record the decision) only on this turn and decide greedily on
     *                   the others (training's branched rollouts), or -1 to sample on every turn
     * @param forced     with {@code sample} and a {@code sampleTurn}: take this candidate there instead of sampling
     *                   (training tries every candidate of one decision), or -1
     * @param record     record greedy decisions too (training reads them to find a decision to branch at)
     */
    private record Settings(String name, boolean sample, int sampleTurn, int forced, boolean record, Map<Pair, Double> priors,
                            double priorMean, Map<Pair, Double> costs, double costRef, Optional<PairHistory> history,
                            Set<String> hidden, double costWeight, double defaultCostWeight, int minCalls) {
        Settings name(String v) { return new Settings(v, sample, sampleTurn, forced, record, priors, priorMean, costs, costRef, history, hidden, costWeight, defaultCostWeight, minCalls); }
        Settings force(int turn, int index) { return new Settings(name, true, turn, index, false, priors, priorMean, costs, costRef, history, hidden, costWeight, defaultCostWeight, minCalls); }
        Settings record(boolean v) { return new Settings(name, sample, sampleTurn, forced, v, priors, priorMean, costs, costRef, history, hidden, costWeight, defaultCostWeight, minCalls); }
        Settings sample(boolean v, int turn) { return new Settings(name, v, turn, -1, false, priors, priorMean, costs, costRef, history, hidden, costWeight, defaultCostWeight, minCalls); }
        Settings priors(Map<Pair, Double> p) {
            double mean = p.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
            return new Settings(name, sample, sampleTurn, forced, record, Map.copyOf(p), mean, costs, costRef, history, hidden, costWeight, defaultCostWeight, minCalls);
        }
        Settings costs(Map<Pair, Double> c, double ref) { return new Settings(name, sample, sampleTurn, forced, record, priors, priorMean, Map.copyOf(c), ref, history, hidden, costWeight, defaultCostWeight, minCalls); }
        Settings history(Optional<PairHistory> h) { return new Settings(name, sample, sampleTurn, forced, record, priors, priorMean, costs, costRef, h, hidden, costWeight, defaultCostWeight, minCalls); }
        Settings hidden(Set<String> v) { return new Settings(name, sample, sampleTurn, forced, record, priors, priorMean, costs, costRef, history, Set.copyOf(v), costWeight, defaultCostWeight, minCalls); }
        Settings costWeight(double w, double dflt) { return new Settings(name, sample, sampleTurn, forced, record, priors, priorMean, costs, costRef, history, hidden, w, dflt, minCalls); }
        Settings minCalls(int v) { return new Settings(name, sample, sampleTurn, forced, record, priors, priorMean, costs, costRef, history, hidden, costWeight, defaultCostWeight, v); }

        Featurizer.Numbers numbers() {
            return new Featurizer.Numbers(priors, priorMean, costs, costRef, history, hidden, costWeight, minCalls);
        }
    }

    public LearnedPolicy(String name, PolicyNetwork network, QuestionEncoder questions,
                         RegistryEncoding.DescriptionCache descriptions, boolean sample) {
        this(network, questions, descriptions, new ConcurrentHashMap<>(), ThreadLocal.withInitial(() -> new DecisionScratch(network)),
                new Settings(name, sample, -1, -1, false, Map.of(), 0, Map.of(), 1, Optional.empty(), Set.of(), DEFAULT_COST_WEIGHT,
                        DEFAULT_COST_WEIGHT, 0), Optional.empty());
    }

    private LearnedPolicy(PolicyNetwork network, QuestionEncoder questions, RegistryEncoding.DescriptionCache descriptions,
                          ConcurrentHashMap<Registry, RegistryEncoding> encodings, ThreadLocal<DecisionScratch> scratch,
                          Settings settings, Optional<Checkpoint.Header> checkpoint) {
        this.network = network;
        this.questions = questions;
        this.descriptions = descriptions;
        this.encodings = encodings;
        this.scratch = scratch;
        this.settings = settings;
        this.numbers = settings.numbers();
        this.checkpoint = checkpoint;
    }

    /** A copy with other settings; copies share the network, the encoders, their caches and the per-thread buffers. */
    private LearnedPolicy with(Settings s) {
        return new LearnedPolicy(network, questions, descriptions, encodings, scratch, s, checkpoint);
    }

    /**
     * The same policy, remembering the header of its checkpoint: the one it was loaded from, or the one its training
     * wrote, so that a policy fresh from training knows the limits it was trained with as a loaded one does.
     */
    public LearnedPolicy withCheckpoint(Checkpoint.Header header) {
        return new LearnedPolicy(network, questions, descriptions, encodings, scratch, settings, Optional.of(header));
    }

    /**
     * {@code base} with the turn and call limits this policy was trained and validated with, when its checkpoint
     * records them ({@link Checkpoint.Header#trainedLimits}); otherwise {@code base}.
     */
    public EpisodeConfig trainedLimits(EpisodeConfig base) {
        return checkpoint.map(h -> h.trainedLimits(base)).orElse(base);
    }

    /** The same network, sampling every decision (for rollouts) or greedy (for evaluation). */
    public LearnedPolicy sampling(boolean s) {
        return with(settings.sample(s, -1));
    }

    /**
     * Training's branched rollouts: greedy on every turn but {@code turn}, where the decision is sampled and recorded
     * for the update. Episodes of one task that share the greedy prefix then differ in that one decision, followed
     * by greedy play, so their rewards compare that decision's alternatives without the noise of later samples.
     */
    public LearnedPolicy samplingOnlyAt(int turn) {
        return with(settings.sample(true, turn));
    }

    /**
     * Training's all-candidates branching: greedy on every turn but {@code turn}, where it takes candidate
     * {@code index} (in the order the policy lists them; the last one if there are fewer) and records the decision.
     */
    public LearnedPolicy forcingAt(int turn, int index) {
        return with(settings.force(turn, index));
    }

    /** The same policy, also recording its greedy decisions (so a trainer can see each decision's candidates). */
    public LearnedPolicy recording(boolean r) {
        return with(settings.record(r));
    }

    public LearnedPolicy named(String n) {
        return with(settings.name(n));
    }

    /**
     * The same policy asked to trade cost for accuracy at weight {@code w} ≥ 0: an episode is then worth
     * grade − w · cost / {@link #costReference()}. 0 ignores cost.
     */
    @Override
    public LearnedPolicy withCostWeight(double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new MaestroException("cost weight must be a number >= 0, got " + w);
        }
        return with(settings.costWeight(w, settings.defaultCostWeight()));
    }

    /**
     * Training's exploration: the same policy, but it may not answer before it has made {@code calls} calls (it still
     * chooses which experts to call). Used for a share of the training episodes so the policy experiences, and learns
     * to read, states with several answers that it would rarely reach by chance; never used at evaluation.
     */
    public LearnedPolicy withMinimumCalls(int calls) {
        return with(settings.minCalls(Math.max(0, calls)));
    }

    /** The cost weight this policy decides with. */
    public double costWeight() { return settings.costWeight(); }

    /** The cost weight chosen on validation when the policy was trained (what {@code maestro eval} uses by default). */
    public double defaultCostWeight() { return settings.defaultCostWeight(); }

    /** Records the cost weight chosen on validation and decides with it from now on. */
    public LearnedPolicy withDefaultCostWeight(double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new MaestroException("cost weight must be a number >= 0, got " + w);
        }
        return with(settings.costWeight(w, w));
    }

    /**
     * Per-pair accuracy measured on the training split: a number about a candidate, like its price.
     * Pairs without one (models added after training) get the mean and an "unknown" flag.
     */
    public LearnedPolicy priors(Map<Pair, Double> p) {
        return with(settings.priors(p));
    }

    public Map<Pair, Double> priors() { return settings.priors(); }

    /**
     * Per-pair mean cost per training task (US$), and the reference cost that is the unit of the cost weight (the
     * best training pair's mean cost per task; a reference of 0, a suite of free tools, is taken as 1 dollar).
     */
    public LearnedPolicy costs(Map<Pair, Double> c, double reference) {
        return with(settings.costs(c, reference > 0 ? reference : 1));
    }

    public Map<Pair, Double> costs() { return settings.costs(); }

    /** The unit of the cost weight, in US$ per task. */
    public double costReference() { return settings.costRef(); }

    /** Neighbourhood outcomes from the training split (see {@link PairHistory}). */
    public LearnedPolicy history(PairHistory h) {
        return with(settings.history(Optional.of(h)));
    }

    public Optional<PairHistory> history() { return settings.history(); }

    /**
     * Treats these models as if they had no history (training: so the policy also learns to choose from
     * descriptions alone, which is all it has for a model added after training).
     */
    public LearnedPolicy hideHistory(Set<String> models) {
        return with(settings.hidden(models));
    }

    public PolicyNetwork network() { return network; }
    public QuestionEncoder questions() { return questions; }
    public RegistryEncoding.DescriptionCache descriptions() { return descriptions; }

    /** Uses a specific encoding for a registry (training installs dropout variants this way). */
    public void encode(Registry registry, RegistryEncoding encoding) {
        encodings.put(registry, encoding);
    }

    /** Drops an encoding installed by {@link #encode} (training registries are short-lived). */
    public void forget(Registry registry) {
        encodings.remove(registry);
    }

    public RegistryEncoding encoding(Registry registry) {
        return encodings.computeIfAbsent(registry, r -> RegistryEncoding.of(r, descriptions));
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String kind() {
        return "learned";
    }

    @Override
    public void prepare(Task task) {
        float[] q = questions.raw(task);
        questions.encode(task);
        settings.history().ifPresent(h -> h.estimates(task, q));
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        RegistryEncoding enc = encoding(view.registry());
        DecisionScratch s = scratch.get();
        s.clear();
        Settings x = settings;
        if (s.contextTask != view.task()) {
            // the encoder's caches are keyed by a string built from the task; a thread's decisions on one task skip them
            s.contextTask = view.task();
            s.raw = questions.raw(view.task());
            s.context = questions.encode(view.task());
        }
        Featurizer.fill(view, enc, s, numbers, s.raw);
        if (s.k == 0) {
            return Action.Answer.of("");
        }
        double[] context = s.context;
        boolean[] mask = s.mask(s.k);
        network.forward(context, s.features, enc.table(), s.rows, s.k, s.ws, s.scores);
        boolean sample = x.sample() && (x.sampleTurn() < 0 || x.sampleTurn() == view.turn());
        int chosen = !sample ? MaskedSoftmax.argmax(s.scores, mask, s.k)
                : x.forced() >= 0 ? Math.min(x.forced(), s.k - 1)
                : MaskedSoftmax.sample(s.scores, mask, s.k, rng.nextDouble());
        if (sample || x.record()) {
            double lse = MaskedSoftmax.logSumExp(s.scores, mask, s.k);
            double[] old = new double[s.k];
            for (int i = 0; i < s.k; i++) {
                old[i] = s.scores[i] - lse;
            }
            view.notes().add(DECISIONS, new Decision(context, Arrays.copyOf(s.features, s.k * CANDIDATE_FEATURES), enc.table(),
                    Arrays.copyOf(s.rows, s.k), s.k, chosen, old[chosen], old, s.callPairs[chosen] != null));
        }
        Pair p = s.callPairs[chosen];
        if (p != null) {
            return Action.Search.of(Call.of(p, view.task().question()));
        }
        Observation o = s.answerObs[chosen];
        return Action.Answer.from(o.index(), o.answer().orElse(""));
    }

    Featurizer.Numbers settingsNumbersForDebug() {
        return settings.numbers();
    }

    /** The candidates of a decision and their features (tests and benchmarks look inside a decision this way). */
    double[] featuresOf(EpisodeView view) {
        RegistryEncoding enc = encoding(view.registry());
        DecisionScratch s = new DecisionScratch(network);
        Settings x = settings;
        Featurizer.fill(view, enc, s, x.numbers(), questions.raw(view.task()));
        return Arrays.copyOf(s.features, s.k * CANDIDATE_FEATURES);
    }
}
