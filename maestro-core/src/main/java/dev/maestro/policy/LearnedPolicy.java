package dev.maestro.policy;

import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Policy;
import dev.maestro.policy.nn.MaskedSoftmax;
import dev.maestro.policy.nn.PolicyNetwork;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.AnswerKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The lightweight learned orchestrator. Each turn it scores every valid action with a small MLP —
 * {@code Call(pair)} for pairs not yet called, {@code Answer(k)} for each distinct answer seen so far —
 * and samples (training) or takes the best (evaluation). A candidate is described only by the
 * embeddings of its model's and skill's descriptions and by numbers (price, what it returned, support),
 * never by its id, so registries can change without retraining.
 */
public final class LearnedPolicy implements Policy {
    /** Dynamic features per candidate (see {@link #featurize}). */
    public static final int CANDIDATE_FEATURES = 22;
    static final double PRIOR_SCALE = 20;
    /** Index of the candidate's (scaled) training-split accuracy among the candidate features. */
    public static final int PRIOR_FEATURE = 16;
    /** Index of the candidate's (scaled) accuracy on similar training questions. */
    public static final int HISTORY_FEATURE = 18;

    private final String name;
    private final PolicyNetwork network;
    private final QuestionEncoder questions;
    private final RegistryEncoding.DescriptionCache descriptions;
    private final boolean sample;
    private final ConcurrentHashMap<Registry, RegistryEncoding> encodings;
    private final ThreadLocal<Scratch> scratch;
    private volatile Map<Pair, Double> priors = Map.of();
    private volatile double priorMean = 0;
    private volatile java.util.Optional<PairHistory> history = java.util.Optional.empty();
    private volatile java.util.Set<String> hidden = java.util.Set.of();

    public LearnedPolicy(String name, PolicyNetwork network, QuestionEncoder questions,
                         RegistryEncoding.DescriptionCache descriptions, boolean sample) {
        this(name, network, questions, descriptions, sample, new ConcurrentHashMap<>());
    }

    private LearnedPolicy(String name, PolicyNetwork network, QuestionEncoder questions,
                          RegistryEncoding.DescriptionCache descriptions, boolean sample,
                          ConcurrentHashMap<Registry, RegistryEncoding> encodings) {
        this.name = name;
        this.network = network;
        this.questions = questions;
        this.descriptions = descriptions;
        this.sample = sample;
        this.encodings = encodings;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(network));
    }

    /** The same network, sampling (for rollouts) or greedy (for evaluation). */
    public LearnedPolicy sampling(boolean s) {
        LearnedPolicy p = new LearnedPolicy(name, network, questions, descriptions, s, encodings).priors(priors);
        p.history = history;
        p.hidden = hidden;
        return p;
    }

    public LearnedPolicy named(String n) {
        LearnedPolicy p = new LearnedPolicy(n, network, questions, descriptions, sample, encodings).priors(priors);
        p.history = history;
        p.hidden = hidden;
        return p;
    }

    /**
     * Per-pair accuracy measured on the training split: a number about a candidate, like its price.
     * Pairs without one (models added after training) get the mean and an "unknown" flag.
     */
    public LearnedPolicy priors(Map<Pair, Double> p) {
        this.priors = Map.copyOf(p);
        this.priorMean = p.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return this;
    }

    public Map<Pair, Double> priors() { return priors; }

    /** Neighbourhood outcomes from the training split (see {@link PairHistory}). */
    public LearnedPolicy history(PairHistory h) {
        this.history = java.util.Optional.of(h);
        return this;
    }

    public java.util.Optional<PairHistory> history() { return history; }

    /**
     * Treats these models as if they had no history (training: so the policy also learns to choose from
     * descriptions alone, which is all it has for a model added after training).
     */
    public LearnedPolicy hideHistory(java.util.Set<String> models) {
        LearnedPolicy p = new LearnedPolicy(name, network, questions, descriptions, sample, encodings).priors(priors);
        p.history = history;
        p.hidden = java.util.Set.copyOf(models);
        return p;
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
        return name;
    }

    @Override
    public String kind() {
        return "learned";
    }

    @Override
    public void prepare(dev.maestro.task.Task task) {
        float[] q = questions.raw(task);
        questions.encode(task);
        history.ifPresent(h -> h.forTask(task, q));
    }

    @Override
    public Action decide(EpisodeView view, RandomGenerator rng) {
        RegistryEncoding enc = encoding(view.registry());
        Scratch s = scratch.get();
        s.clear();
        featurize(view, enc, s);
        if (s.k == 0) {
            return Action.Answer.of("");
        }
        double[] context = questions.encode(view.task());
        boolean[] mask = s.mask(s.k);
        network.forward(context, s.features, enc.table(), s.rows, s.k, s.ws, s.scores);
        int chosen = sample ? MaskedSoftmax.sample(s.scores, mask, s.k, rng.nextDouble()) : MaskedSoftmax.argmax(s.scores, mask, s.k);
        if (sample) {
            double lse = MaskedSoftmax.logSumExp(s.scores, mask, s.k);
            double[] old = new double[s.k];
            for (int i = 0; i < s.k; i++) {
                old[i] = s.scores[i] - lse;
            }
            view.memo().add(new Decision(context, Arrays.copyOf(s.features, s.k * CANDIDATE_FEATURES), enc.table(),
                    Arrays.copyOf(s.rows, s.k), s.k, chosen, old[chosen], old, s.callPairs[chosen] != null));
        }
        Pair p = s.callPairs[chosen];
        if (p != null) {
            return Action.Search.of(Call.of(p, view.task().question()));
        }
        Observation o = s.answerObs[chosen];
        return Action.Answer.from(o.index(), o.answer().orElse(""));
    }

    /** Fills the candidate list (calls, then answers) and their dynamic features. */
    void featurize(EpisodeView view, RegistryEncoding enc, Scratch s) {
        List<Observation> obs = view.observations();
        double turnFrac = view.turn() / (double) view.maxTurns();
        double callFrac = obs.size() / (double) Math.max(1, obs.size() + view.callsLeft());
        boolean last = view.lastTurn();
        boolean images = view.task().hasImages();
        int errors = 0;
        Map<String, List<Observation>> bins = new LinkedHashMap<>();
        int answered = 0;
        for (Observation o : obs) {
            if (!o.ok()) {
                errors++;
                continue;
            }
            answered++;
            String key = o.answer().filter(a -> !a.isBlank()).map(a -> AnswerKey.of(view.task(), a)).orElse("\u0000#" + o.index());
            bins.computeIfAbsent(key, x -> new ArrayList<>()).add(o);
        }
        double maxShare = 0;
        for (List<Observation> b : bins.values()) {
            maxShare = Math.max(maxShare, b.size() / (double) Math.max(1, answered));
        }
        Registry reg = view.registry();
        float[] q = questions.raw(view.task());
        if (s.simTask != view.task() || s.simEncoding != enc) {
            s.sims = enc.similarities(q);
            s.simTask = view.task();
            s.simEncoding = enc;
            s.near = history.map(h -> h.forTask(view.task(), q)).orElse(Map.of());
        }
        if (!last && view.callsLeft() > 0) {
            for (Pair p : view.callablePairs()) {
                int row = enc.row(p);
                if (row < 0 || calledBefore(obs, p)) {
                    continue;
                }
                ModelCard m = reg.model(p.model()).orElseThrow();
                boolean sees = m.modalities().contains(Modality.IMAGE);
                int o = s.next(row, p, null);
                double[] f = s.features;
                f[o + 0] = 1;
                f[o + 2] = Math.log1p(m.price().inputPerMillion() + m.price().outputPerMillion()) / 3.0;
                f[o + 3] = calledModel(obs, p.model()) ? 1 : 0;
                f[o + 4] = turnFrac;
                f[o + 5] = callFrac;
                f[o + 6] = images && sees ? 1 : 0;
                f[o + 7] = images && !sees ? 1 : 0;
                f[o + 8] = answered / 4.0;
                f[o + 9] = maxShare;
                f[o + 13] = reg.skill(p.skill()).map(sk -> sk.isRouter() ? 1.0 : 0.0).orElse(0.0);
                f[o + 15] = errors / 4.0;
                prior(f, o, p, s, row);
            }
        }
        for (List<Observation> b : bins.values()) {
            Observation first = b.get(0);
            int row = enc.row(first.call().pair());
            if (row < 0) {
                continue;
            }
            ModelCard m = reg.model(first.call().model()).orElseThrow();
            boolean sees = m.modalities().contains(Modality.IMAGE);
            int o = s.next(row, null, first);
            double[] f = s.features;
            f[o + 1] = 1;
            f[o + 4] = turnFrac;
            f[o + 5] = callFrac;
            f[o + 6] = images && sees ? 1 : 0;
            f[o + 7] = images && !sees ? 1 : 0;
            f[o + 8] = answered / 4.0;
            f[o + 9] = maxShare;
            f[o + 10] = b.size() / 4.0;
            f[o + 11] = b.size() / (double) Math.max(1, answered);
            f[o + 12] = first.answer().filter(a -> !a.isBlank()).isPresent() ? 1 : 0;
            f[o + 14] = last ? 1 : 0;
            f[o + 15] = errors / 4.0;
            prior(f, o, first.call().pair(), s, row);
        }
    }

    private void prior(double[] f, int o, Pair p, Scratch s, int row) {
        boolean hide = hidden.contains(p.model());
        Double v = hide ? null : priors.get(p);
        // Accuracies differ between good pairs by a few points; scaled so that such a gap is O(1) for the network.
        f[o + 16] = PRIOR_SCALE * (v == null ? priorMean : v);
        f[o + 17] = v == null ? 1 : 0;
        Double near = hide ? null : s.near.get(p);
        f[o + 18] = PRIOR_SCALE * (near == null ? priorMean : near);
        f[o + 19] = near == null ? 1 : 0;
        f[o + 20] = s.sims[2 * row];
        f[o + 21] = s.sims[2 * row + 1];
    }

    private static boolean calledBefore(List<Observation> obs, Pair p) {
        for (Observation o : obs) {
            if (o.call().model().equals(p.model()) && o.call().skill().equals(p.skill())) {
                return true;
            }
        }
        return false;
    }

    private static boolean calledModel(List<Observation> obs, String model) {
        for (Observation o : obs) {
            if (o.call().model().equals(model)) {
                return true;
            }
        }
        return false;
    }

    /** Per-thread buffers: a decision allocates nothing but its returned action. */
    static final class Scratch {
        final PolicyNetwork.Workspace ws;
        double[] features = new double[64 * CANDIDATE_FEATURES];
        int[] rows = new int[64];
        double[] scores = new double[64];
        Pair[] callPairs = new Pair[64];
        Observation[] answerObs = new Observation[64];
        boolean[] maskBuf = new boolean[64];
        int k;
        Object simTask;
        Object simEncoding;
        double[] sims = new double[0];
        Map<Pair, Double> near = Map.of();

        Scratch(PolicyNetwork network) {
            this.ws = network.newWorkspace(64);
        }

        void clear() {
            k = 0;
        }

        int next(int row, Pair call, Observation answer) {
            if (k == rows.length) {
                int n = rows.length * 2;
                features = Arrays.copyOf(features, n * CANDIDATE_FEATURES);
                rows = Arrays.copyOf(rows, n);
                scores = Arrays.copyOf(scores, n);
                callPairs = Arrays.copyOf(callPairs, n);
                answerObs = Arrays.copyOf(answerObs, n);
                maskBuf = new boolean[n];
            }
            rows[k] = row;
            callPairs[k] = call;
            answerObs[k] = answer;
            int off = k * CANDIDATE_FEATURES;
            Arrays.fill(features, off, off + CANDIDATE_FEATURES, 0);
            k++;
            return off;
        }

        boolean[] mask(int n) {
            Arrays.fill(maskBuf, 0, n, true);
            return maskBuf;
        }
    }
}
