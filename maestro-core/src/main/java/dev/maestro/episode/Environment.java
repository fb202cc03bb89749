package dev.maestro.episode;

import dev.maestro.MaestroException;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ReplayExpert;
import dev.maestro.expert.Usage;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import dev.maestro.protocol.ProtocolError;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.skill.PromptSkillRunner;
import dev.maestro.skill.SkillRunner;
import dev.maestro.task.Grade;
import dev.maestro.task.Grader;
import dev.maestro.task.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Runs episodes: the policy decides, calls are validated and executed (in parallel within a turn),
 * observations are appended, and the final answer is graded and rewarded. Failures of experts or of
 * the policy's output become observations; nothing a policy or an expert does throws out of {@link #run}.
 */
public final class Environment implements AutoCloseable {
    private final Registry registry;
    private final Map<String, Expert> experts;
    /** The replayed outputs among the experts, found once: finishing an episode asks them about recorded flags. */
    private final List<ReplayExpert> replays;
    private final SkillRunner skills;
    private final Grader grader;
    private final EpisodeConfig config;
    private final Optional<ExecutorService> pool;
    private final TraceSink trace;
    private final EpisodeMemory done;
    private final boolean costPrecheck;
    private final Telemetry telemetry;

    /**
     * Episodes an interrupted run already finished (read back from its trace): {@link #run} returns the recorded
     * result instead of running the episode again, so a resumed evaluation ends with the same results.
     */
    @FunctionalInterface
    public interface EpisodeMemory {
        Optional<EpisodeResult> find(String policy, String taskId, long seed);

        EpisodeMemory NONE = (p, t, s) -> Optional.empty();
    }

    private Environment(Builder b) {
        this.registry = b.registry;
        this.experts = Map.copyOf(b.experts);
        this.replays = experts.values().stream().filter(e -> e instanceof ReplayExpert).map(e -> (ReplayExpert) e).toList();
        this.skills = b.skills;
        this.grader = b.grader;
        this.config = b.config;
        this.pool = b.pool;
        this.trace = b.trace;
        this.done = b.done;
        this.costPrecheck = b.costPrecheck;
        this.telemetry = b.telemetry;
        for (ModelCard m : registry.models()) {
            if (!experts.containsKey(m.id())) {
                throw new MaestroException("no expert backend for model '" + m.id() + "'; experts given for: " + experts.keySet());
            }
        }
    }

    public static Builder builder(Registry registry, Map<String, Expert> experts, Grader grader) {
        return new Builder(registry, experts, grader);
    }

    public Registry registry() { return registry; }
    public EpisodeConfig config() { return config; }
    public Grader grader() { return grader; }

    /**
     * Whether an answer to this task can be graded at all: the grader can (gold, or an LLM judge), or a replayed
     * output carries a recorded correctness flag for it. Training refuses tasks for which this is false.
     */
    public boolean canGrade(Task task) {
        return grader.canGrade(task) || hasRecordedFlag(task);
    }

    /** Whether a replayed output of some model carries a recorded correctness flag for this task. */
    private boolean hasRecordedFlag(Task task) {
        for (ReplayExpert r : replays) {
            if (r.hasFlag(task)) {
                return true;
            }
        }
        return false;
    }

    /** A copy using another registry (e.g. with models added or removed), sharing the experts that still exist. */
    public Environment withRegistry(Registry other, Map<String, Expert> extraExperts) {
        Map<String, Expert> all = new HashMap<>(experts);
        all.putAll(extraExperts);
        Map<String, Expert> kept = new HashMap<>();
        // Only the experts the new registry names; a model without one is reported by the constructor.
        other.models().forEach(m -> {
            if (all.containsKey(m.id())) {
                kept.put(m.id(), all.get(m.id()));
            }
        });
        return copy(other, kept, config);
    }

    public Environment withConfig(EpisodeConfig c) {
        return copy(registry, experts, c);
    }

    /** Whether calls are refused before they are made when their estimated cost exceeds the budget left. */
    public boolean costPrecheck() {
        return costPrecheck;
    }

    /** A copy that checks (or not) each call's estimated cost against the budget before making it. */
    public Environment withCostPrecheck(boolean v) {
        return new Environment(builderOf(this, v));
    }

    /** A copy with some experts replaced (same registry, skills, pool, limits, trace). */
    public Environment withExperts(Map<String, Expert> replaced) {
        Map<String, Expert> all = new HashMap<>(experts);
        all.putAll(replaced);
        return copy(registry, all, config);
    }

    private static Builder builderOf(Environment e, boolean costPrecheck) {
        Builder b = new Builder(e.registry, e.experts, e.grader);
        b.skills = e.skills;
        b.config = e.config;
        b.pool = e.pool;
        b.trace = e.trace;
        b.done = e.done;
        b.costPrecheck = costPrecheck;
        b.telemetry = e.telemetry;
        return b;
    }

    private Environment copy(Registry r, Map<String, Expert> e, EpisodeConfig c) {
        Builder b = new Builder(r, e, grader);
        b.skills = skills;
        b.config = c;
        b.pool = pool;
        b.trace = trace;
        b.done = done;
        b.costPrecheck = costPrecheck;
        b.telemetry = telemetry;
        return new Environment(b);
    }

    /** Runs one episode of {@code task} under {@code policy} with its own random stream from {@code seed}. */
    public EpisodeResult run(Task task, Policy policy, long seed) {
        Optional<EpisodeResult> earlier = done.find(policy.name(), task.id(), seed);
        if (earlier.isPresent()) {
            // already in the trace of the interrupted run: neither rerun nor traced twice
            return earlier.get();
        }
        State s = new State(task, new SplittableRandom(seed));
        s.span = telemetry.episode(task, policy.name());
        try {
            policy.prepare(task);
        } catch (RuntimeException e) {
            // Preparation is an optimisation; decide() will redo what it needs and report failures itself.
        }
        Optional<String> answer = Optional.empty();
        Optional<Integer> source = Optional.empty();
        while (s.turn < config.maxTurns()) {
            s.startTurn();
            long t0 = System.nanoTime();
            Action action;
            try {
                action = policy.decide(s, s.rng);
            } catch (RuntimeException e) {
                // A policy bug must not take the run down; it ends this episode and is visible in the trace.
                action = new Action.Malformed("", List.of(new ProtocolError(ProtocolError.Kind.NO_ACTION,
                        "policy failed: " + e.getClass().getSimpleName() + ": " + e.getMessage())));
                s.policyFailed = true;
            }
            long dt = System.nanoTime() - t0;
            if (action instanceof Action.Answer a) {
                String text = a.text();
                if (a.source().isPresent()) {
                    int k = a.source().get();
                    if (k < 0 || k >= s.observations.size()) {
                        s.steps.add(new Step(s.turn, "answer", List.of(), "answer refers to observation " + k
                                + " but there are " + s.observations.size(), dt));
                        s.malformed++;
                        s.turn++;
                        continue;
                    }
                    if (text.isBlank()) {
                        text = s.observations.get(k).answer().orElse("");
                    }
                }
                answer = Optional.of(text);
                source = a.source();
                s.steps.add(new Step(s.turn, "<answer> " + text + " </answer>", List.of(), "", dt));
                break;
            } else if (action instanceof Action.Search search) {
                executeSearch(s, search.calls(), dt);
            } else if (action instanceof Action.Malformed m) {
                s.malformed++;
                s.steps.add(new Step(s.turn, abbreviate(m.raw()), List.of(),
                        m.errors().stream().map(ProtocolError::toString).collect(Collectors.joining("; ")), dt));
                if (s.policyFailed) {
                    break;
                }
            }
            s.turn++;
        }
        s.endTurn();
        EpisodeResult result = finish(s, policy, seed, answer, source);
        s.span.end(result);
        return result;
    }

    private void executeSearch(State s, List<Call> calls, long decisionNanos) {
        List<Accepted> accepted = new ArrayList<>();
        List<Observation> turnObs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        double reserved = 0; // estimated cost of the calls accepted so far in this turn
        for (Call c : calls) {
            Optional<String> problem = validate(s, c, accepted.size());
            if (problem.isEmpty() && costPrecheck) {
                CostEstimate e = CostEstimate.of(s.task, registry.modelIgnoreCase(c.model()).orElseThrow(),
                        registry.skillIgnoreCase(c.skill()).orElseThrow(), c.input());
                double left = config.maxCostUsd() - s.cost - reserved;
                if (e.costUsd() > 0 && e.costUsd() > left) {
                    problem = Optional.of(String.format(Locale.ROOT, "budget: the call is estimated at %s, more "
                            + "than the $%.4f left of the $%.4f allowed (max_cost); answer now or call a cheaper pair",
                            e.describe(), Math.max(0, left), config.maxCostUsd()));
                } else {
                    reserved += e.costUsd();
                }
            }
            if (problem.isPresent()) {
                problems.add(problem.get());
                s.malformed++;
                Observation o = new Observation(s.observations.size(), s.turn, c, Optional.empty(), Optional.empty(),
                        Optional.of(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, problem.get())), Usage.NONE, 0, 0);
                s.add(o, Optional.empty(), false);
                turnObs.add(o);
                continue;
            }
            ModelCard m = registry.modelIgnoreCase(c.model()).orElseThrow();
            SkillCard sk = registry.skillIgnoreCase(c.skill()).orElseThrow();
            accepted.add(new Accepted(new Call(m.id(), sk.name(), c.input()), m, sk));
        }
        List<ExpertReply> replies = execute(s.task, accepted, s.turnSpan);
        double turnLatency = 0;
        for (int i = 0; i < accepted.size(); i++) {
            ExpertReply r = replies.get(i);
            Observation o = new Observation(s.observations.size(), s.turn, accepted.get(i).call(), r.text(), r.answer(), r.error(),
                    r.usage(), r.costUsd(), r.latencyMs(), r.fallback());
            s.add(o, r.recordedCorrect(), r.simulated());
            turnObs.add(o);
            turnLatency = Math.max(turnLatency, r.latencyMs());
        }
        s.latencyMs += turnLatency;
        String text = calls.stream().map(c -> "<search> " + c.model() + "@@" + c.skill() + ": " + abbreviate(c.input()) + " </search>")
                .collect(Collectors.joining(" "));
        s.steps.add(new Step(s.turn, text, turnObs, String.join("; ", problems), decisionNanos));
    }

    private Optional<String> validate(State s, Call c, int acceptedThisTurn) {
        Optional<ModelCard> m = registry.modelIgnoreCase(c.model());
        if (m.isEmpty()) {
            return Optional.of("unknown model '" + abbreviate(c.model()) + "'; valid models: " + String.join(", ", registry.modelIds()));
        }
        Optional<SkillCard> sk = registry.skillIgnoreCase(c.skill());
        if (sk.isEmpty()) {
            return Optional.of("unknown skill '" + abbreviate(c.skill()) + "'; valid skills: " + String.join(", ", registry.skillNames()));
        }
        Pair p = new Pair(m.get().id(), sk.get().name());
        if (!s.callablePairs().contains(p)) {
            if (s.calls + acceptedThisTurn >= config.maxCalls() || s.cost >= config.maxCostUsd()) {
                return Optional.of("budget exhausted (" + config.maxCalls() + " calls, $" + config.maxCostUsd() + "); answer now");
            }
            List<String> valid = s.callablePairs().stream().map(Pair::id).toList();
            return Optional.of("pair " + p.id() + " is not callable for this task; callable pairs: "
                    + (valid.size() > 12 ? String.join(", ", valid.subList(0, 12)) + ", ..." : String.join(", ", valid)));
        }
        if (s.calls + acceptedThisTurn >= config.maxCalls()) {
            return Optional.of("budget exhausted (" + config.maxCalls() + " calls per episode); answer now");
        }
        return Optional.empty();
    }

    /** A call that passed validation, with the model and skill cards it names (their registry spelling). */
    private record Accepted(Call call, ModelCard model, SkillCard skill) {
    }

    private List<ExpertReply> execute(Task task, List<Accepted> calls, Telemetry.TurnSpan turn) {
        if (calls.isEmpty()) {
            return List.of();
        }
        if (calls.size() == 1 || pool.isEmpty()) {
            List<ExpertReply> out = new ArrayList<>(calls.size());
            for (int i = 0; i < calls.size(); i++) {
                out.add(callOne(task, calls.get(i), turn));
            }
            return out;
        }
        List<Future<ExpertReply>> futures = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Accepted c = calls.get(i);
            futures.add(pool.get().submit(() -> callOne(task, c, turn)));
        }
        List<ExpertReply> out = new ArrayList<>();
        for (Future<ExpertReply> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(ExpertReply.failure(ExpertError.of(ExpertError.Kind.IO, "interrupted"), 0));
            } catch (ExecutionException e) {
                out.add(ExpertReply.failure(ExpertError.of(ExpertError.Kind.IO, "call failed: " + e.getCause()), 0));
            }
        }
        return out;
    }

    private ExpertReply callOne(Task task, Accepted c, Telemetry.TurnSpan turn) {
        ModelCard m = c.model();
        SkillCard sk = c.skill();
        Telemetry.CallSpan span = turn.call(m, sk.name());
        ExpertReply reply;
        try {
            reply = skills.run(task, m, sk, c.call().input(), experts.get(m.id()));
        } catch (RuntimeException e) {
            // Experts should return failures, not throw; if one throws anyway the episode records it.
            reply = ExpertReply.failure(ExpertError.of(ExpertError.Kind.IO, e.getClass().getSimpleName() + ": " + e.getMessage()), 0);
        }
        span.end(reply);
        return reply;
    }

    private EpisodeResult finish(State s, Policy policy, long seed, Optional<String> answer, Optional<Integer> source) {
        double grade = 0;
        String gradedBy = "none";
        if (answer.isPresent()) {
            Optional<Boolean> flag = source.flatMap(k -> s.flags.get(k));
            Optional<Observation> src = source.map(s.observations::get);
            boolean adopted = src.isPresent() && (src.get().answer().isEmpty() || src.get().answer().get().equals(answer.get()));
            if (flag.isPresent() && adopted && (config.gradeByRecordedFlag() || !s.task.hasGold())) {
                grade = flag.get() ? 1 : 0;
                gradedBy = "recorded-flag";
            } else if (!answer.get().isBlank()) {
                // without gold (and without a judge) an answer is ungraded, not wrong ...
                Grade g = grader.assess(s.task, src.map(o -> o.call().skill()), answer.get());
                grade = g.value();
                gradedBy = g.by();
                if (!g.graded() && !grader.canGrade(s.task) && hasRecordedFlag(s.task)) {
                    // ... unless recorded flags grade this task (BlindTest has no gold): then an answer that is not a
                    // recorded output's cannot be verified and counts as wrong, as it always did. Leaving it ungraded
                    // would let a policy drop hard tasks out of its accuracy by answering them some other way.
                    gradedBy = "none";
                }
            }
        }
        double reward = config.reward().reward(grade, s.cost, s.calls, s.malformed);
        EpisodeResult r = new EpisodeResult(s.task.id(), s.task.group(), policy.name(), seed, answer, grade, gradedBy, reward,
                s.calls, s.cost, s.latencyMs, s.usage, s.malformed, s.errors, s.simulated, List.copyOf(s.steps),
                s.notes);
        trace.accept(r);
        return r;
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…(" + s.length() + " chars)";
    }

    @Override
    public void close() {
        experts.values().forEach(Expert::close);
    }

    /** Mutable per-episode state; also the view handed to the policy. */
    private final class State implements EpisodeView {
        final Task task;
        final SplittableRandom rng;
        int turn;
        int calls;
        int malformed;
        int errors;
        double cost;
        double latencyMs;
        Usage usage = Usage.NONE;
        boolean simulated;
        boolean policyFailed;
        final List<Observation> observations = new ArrayList<>();
        final List<Optional<Boolean>> flags = new ArrayList<>();
        final List<Step> steps = new ArrayList<>();
        final EpisodeNotes notes = EpisodeNotes.create();
        private List<Pair> callable;
        private int callableAt = -1;
        Telemetry.EpisodeSpan span;
        Telemetry.TurnSpan turnSpan;
        private int stepsAtTurnStart;

        /** Ends the previous turn's span (if any) and starts this turn's. */
        void startTurn() {
            endTurn();
            turnSpan = span.turn(turn);
            stepsAtTurnStart = steps.size();
        }

        /** Ends the open turn span with the step its turn added (a turn adds at most one). */
        void endTurn() {
            if (turnSpan != null) {
                turnSpan.end(steps.size() > stepsAtTurnStart ? Optional.of(steps.get(steps.size() - 1)) : Optional.empty());
                turnSpan = null;
            }
        }

        State(Task task, SplittableRandom rng) {
            this.task = task;
            this.rng = rng;
        }

        void add(Observation o, Optional<Boolean> flag, boolean sim) {
            observations.add(o);
            flags.add(flag);
            calls++;
            cost += o.costUsd();
            usage = usage.plus(o.usage());
            if (!o.ok()) {
                errors++;
            }
            simulated |= sim;
            callableAt = -1;
        }

        @Override public Task task() { return task; }
        @Override public Registry registry() { return registry; }
        @Override public int turn() { return turn; }
        @Override public int maxTurns() { return config.maxTurns(); }
        @Override public int callsLeft() { return Math.max(0, config.maxCalls() - calls); }
        @Override public double costLeft() { return Math.max(0, config.maxCostUsd() - cost); }
        @Override public List<Observation> observations() { return Collections.unmodifiableList(observations); }
        @Override public EpisodeNotes notes() { return notes; }

        @Override
        public List<Pair> callablePairs() {
            if (callableAt == observations.size() && callable != null) {
                return callable;
            }
            if (callsLeft() == 0 || costLeft() <= 0) {
                callable = List.of();
            } else {
                List<Pair> out = new ArrayList<>();
                for (Pair p : registry.pairs()) {
                    ModelCard m = registry.model(p.model()).orElseThrow();
                    if (task.hasImages() && m.backend() != Backend.REPLAY && m.backend() != Backend.NONE
                            && !m.modalities().contains(Modality.IMAGE)) {
                        continue;
                    }
                    out.add(p);
                }
                callable = List.copyOf(out);
            }
            callableAt = observations.size();
            return callable;
        }
    }

    /** Builder; everything has a sane default except the registry, experts and grader. */
    public static final class Builder {
        private final Registry registry;
        private Map<String, Expert> experts;
        private final Grader grader;
        private SkillRunner skills = PromptSkillRunner.create();
        private EpisodeConfig config = EpisodeConfig.DEFAULT;
        private Optional<ExecutorService> pool = Optional.empty();
        private TraceSink trace = TraceSink.NONE;
        private EpisodeMemory done = EpisodeMemory.NONE;
        private boolean costPrecheck;
        private Telemetry telemetry = Telemetry.NONE;

        private Builder(Registry registry, Map<String, Expert> experts, Grader grader) {
            this.registry = Objects.requireNonNull(registry);
            this.experts = Objects.requireNonNull(experts);
            this.grader = Objects.requireNonNull(grader);
        }

        public Builder skills(SkillRunner v) { this.skills = Objects.requireNonNull(v); return this; }
        public Builder config(EpisodeConfig v) { this.config = Objects.requireNonNull(v); return this; }
        /** Executor for the parallel calls of one turn; without one, calls run one after another. */
        public Builder pool(ExecutorService v) { this.pool = Optional.of(v); return this; }
        public Builder trace(TraceSink v) { this.trace = Objects.requireNonNull(v); return this; }
        /** Episodes already done by an interrupted run (default: none). */
        public Builder resumeFrom(EpisodeMemory v) { this.done = Objects.requireNonNull(v); return this; }
        /**
         * Refuse a call whose estimated cost ({@link CostEstimate}) exceeds what is left of the episode's dollar budget,
         * before making it (default off: evaluations keep checking the budget between calls only, as they always did).
         * A refused call is an INVALID_REQUEST observation saying the estimate and what is left.
         */
        public Builder costPrecheck(boolean v) { this.costPrecheck = v; return this; }
        /** Spans of episodes, turns and expert calls (default: {@link Telemetry#NONE}). */
        public Builder telemetry(Telemetry v) { this.telemetry = Objects.requireNonNull(v); return this; }

        public Environment build() {
            return new Environment(this);
        }
    }

    /** A random generator view used in tests and by policies that need one outside an episode. */
    public static RandomGenerator rng(long seed) {
        return new SplittableRandom(seed);
    }
}
