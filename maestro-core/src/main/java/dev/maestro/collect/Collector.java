package dev.maestro.collect;

import dev.maestro.MaestroException;
import dev.maestro.Progress;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.ExpertRequest;
import dev.maestro.expert.ReplayExpert;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects once: calls every selected (model, skill) pair once per task through the runtime's experts (so retries,
 * the breaker, the concurrency limit and the record/replay cache apply), at most {@code max-concurrency} calls in
 * flight per model, and writes what came back as a replay suite ({@link CollectedSuite}) that trains and evaluates
 * offline for free.
 *
 * <p>Money: before each expert request its cost is estimated (prompt characters / 4 plus 765 tokens per image in,
 * the model's largest output so far, else the request's max-tokens, out) and reserved against {@code --budget}; the
 * first request that would not fit stops the collection cleanly: no further call starts, calls in flight finish and
 * are kept. The budget covers earlier runs of the same collection too (their spend is in the journal).
 *
 * <p>Crashes: every finished (task, pair) call is appended to {@code collect.jsonl} at once ({@link CollectJournal});
 * a resumed run never repeats a call that succeeded and tries the failed ones again.
 */
public final class Collector {
    private final MaestroRuntime runtime;
    private final List<Task> tasks;
    private final Path out;
    private final List<Pair> pairs;
    private final double budgetUsd;
    private final boolean resume;
    private final Progress progress;
    private final Path tasksFile;
    private final CollectedSuite.Spec suite;
    private final int retryPasses;
    private final Duration retryPause;

    private Collector(Builder b) {
        this.runtime = b.runtime;
        this.tasks = b.tasks;
        this.out = b.out;
        this.budgetUsd = b.budgetUsd.orElseThrow(() -> new MaestroException("collect needs a budget in US dollars "
                + "(--budget USD): the collection stops before it would spend more"));
        this.resume = b.resume;
        this.progress = b.progress;
        this.tasksFile = b.tasksFile.orElseThrow(() -> new MaestroException("collect needs the tasks file the tasks were read "
                + "from (its lines are copied into the collected suite)"));
        this.suite = b.suite.orElseGet(() -> CollectedSuite.Spec.defaults(runtime.registry().name()));
        this.pairs = select(runtime.registry(), b.pairs);
        this.retryPasses = b.retryPasses;
        this.retryPause = b.retryPause;
        if (tasks.isEmpty()) {
            throw new MaestroException("collect: no tasks to collect (the chosen split is empty)");
        }
    }

    public static Builder builder(MaestroRuntime runtime, List<Task> tasks, Path out) {
        return new Builder(runtime, tasks, out);
    }

    /** The pairs to collect: as given (checked), else every pair of a live or replay model. */
    static List<Pair> select(Registry reg, Optional<List<Pair>> given) {
        List<Pair> chosen = new ArrayList<>();
        if (given.isPresent()) {
            for (Pair p : new LinkedHashSet<>(given.get())) {
                if (!reg.hasPair(p)) {
                    throw new MaestroException("--pairs: " + p.id() + " is not a pair of registry " + reg.name() + "; pairs: "
                            + String.join(", ", reg.pairs().stream().limit(20).map(Pair::id).toList())
                            + (reg.pairs().size() > 20 ? ", ..." : ""));
                }
                Backend b = reg.model(p.model()).orElseThrow().backend();
                if (b == Backend.SIMULATED || b == Backend.NONE) {
                    throw new MaestroException("--pairs: " + p.id() + " uses a " + b.name().toLowerCase(Locale.ROOT)
                            + " model, which has nothing to collect (only live and replay models are called)");
                }
                chosen.add(p);
            }
        } else {
            for (Pair p : reg.pairs()) {
                Backend b = reg.model(p.model()).orElseThrow().backend();
                if (b.live() || b == Backend.REPLAY) {
                    chosen.add(p);
                }
            }
        }
        if (chosen.isEmpty()) {
            throw new MaestroException("registry " + reg.name() + " has no pair of a live or replay model to collect");
        }
        return List.copyOf(chosen);
    }

    /** Runs (or continues) the collection and writes the replay suite. */
    public CollectResult run() {
        Registry reg = runtime.registry();
        try (CollectJournal journal = CollectJournal.open(out, resume, reg.name())) {
            Set<String> done = journal.done();
            double earlier = journal.entries().stream().mapToDouble(CollectJournal.Entry::costUsd).sum();
            Budget budget = new Budget(budgetUsd, earlier);
            Stats stats = new Stats();
            int already = 0;
            List<Job> todo = new ArrayList<>();
            for (Task t : tasks) {
                for (Pair p : pairs) {
                    if (done.contains(CollectJournal.key(t.id(), p.id()))) {
                        already++;
                    } else {
                        todo.add(new Job(t, p));
                    }
                }
            }
            progress.start("collect", todo.size());
            progress.status(stats.status(budget));
            int retried = 0;
            try {
                pass(todo, journal, budget, stats);
                // Calls that failed after the experts' own retries get one more try at the end of the run, when a
                // flaky endpoint has had time to recover (an open breaker to cool down); resume tries them again too.
                List<Job> failed = todo.stream().filter(j -> stats.failedJobs.contains(j.key())).toList();
                if (retryPasses > 0 && !failed.isEmpty() && !budget.reached() && stats.unexpected.get() == null) {
                    retried = failed.size();
                    Thread.sleep(retryPause.toMillis());
                    progress.start("collect: failed calls again", failed.size());
                    pass(failed, journal, budget, stats);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MaestroException("collect interrupted; what finished is in " + journal.file() + ", continue with --resume");
            } finally {
                progress.finish();
            }
            if (stats.unexpected.get() != null) {
                throw stats.unexpected.get();
            }
            CollectedSuite.Written w = CollectedSuite.write(out, reg, pairs, tasks, journal.entries(), tasksFile, suite);
            int failedNow = stats.failedJobs.size();
            return new CollectResult(tasks.size(), pairs.size(), tasks.size() * pairs.size(), already, stats.ok.get(),
                    failedNow, retried, todo.size() - stats.ok.get() - failedNow, stats.calls.get(), budget.spentNow(),
                    budget.spent(), budgetUsd, budget.reached(), w.completeTasks(), stats.byPair(), journal.repairedBytes(), w);
        }
    }

    /** One (task, pair) call to collect. */
    private record Job(Task task, Pair pair) {
        String key() {
            return CollectJournal.key(task.id(), pair.id());
        }
    }

    /** Runs the jobs, each model's in its own pool of max-concurrency threads, and waits for all of them. */
    private void pass(List<Job> jobs, CollectJournal journal, Budget budget, Stats stats) throws InterruptedException {
        Map<String, List<Job>> byModel = new LinkedHashMap<>();
        jobs.forEach(j -> byModel.computeIfAbsent(j.pair().model(), k -> new ArrayList<>()).add(j));
        List<ExecutorService> pools = new ArrayList<>();
        try {
            for (Map.Entry<String, List<Job>> q : byModel.entrySet()) {
                int n = Math.max(1, Math.min(64, runtime.registry().model(q.getKey()).orElseThrow().maxConcurrency()));
                ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
                    Thread th = new Thread(r, "maestro-collect-" + q.getKey());
                    th.setDaemon(true);
                    return th;
                });
                pools.add(pool);
                q.getValue().forEach(j -> pool.execute(() -> job(j.task(), j.pair(), journal, budget, stats)));
            }
            for (ExecutorService pool : pools) {
                pool.shutdown();
            }
            for (ExecutorService pool : pools) {
                while (!pool.awaitTermination(1, TimeUnit.HOURS)) {
                    // each call is bounded by its model's timeout and retries; keep waiting
                }
            }
        } finally {
            pools.forEach(ExecutorService::shutdownNow);
        }
    }

    private void job(Task task, Pair pair, CollectJournal journal, Budget budget, Stats stats) {
        if (budget.reached() || stats.unexpected.get() != null) {
            return;
        }
        Registry reg = runtime.registry();
        ModelCard model = reg.model(pair.model()).orElseThrow();
        SkillCard skill = reg.skill(pair.skill()).orElseThrow();
        Capture capture = new Capture(runtime.experts().get(model.id()), model, budget, stats);
        ExpertReply reply;
        try {
            reply = runtime.skills().run(task, model, skill, task.question(), capture);
        } catch (RuntimeException e) {
            reply = ExpertReply.failure(ExpertError.of(ExpertError.Kind.IO, e.getClass().getSimpleName() + ": " + e.getMessage()), 0);
        }
        if (capture.refused.get()) {
            // over budget before (part of) this call was made: not journaled, so a resumed run makes it
            progress.status(stats.status(budget));
            return;
        }
        List<RecordedRow> rows = new ArrayList<>();
        double cost = 0;
        for (Capture.Call c : capture.calls()) {
            cost += c.reply().costUsd();
            if (c.reply().ok()) {
                rows.add(new RecordedRow(task.id(), c.model(), c.skill(), c.reply().text(), c.reply().answer(),
                        c.reply().recordedCorrect(), OptionalLong.of(c.reply().usage().inputTokens()),
                        OptionalLong.of(c.reply().usage().outputTokens()), c.reply().costUsd(),
                        OptionalDouble.of(c.reply().latencyMs())));
            }
        }
        Optional<ExpertError> error = reply.error();
        CollectJournal.Entry entry = new CollectJournal.Entry(task.id(), pair.id(), reply.ok(), reply.ok() ? rows : List.of(),
                cost, capture.calls().size(), error.map(e -> e.kind().name().toLowerCase(Locale.ROOT)), error.map(ExpertError::message));
        try {
            journal.append(entry);
        } catch (MaestroException e) {
            stats.unexpected.compareAndSet(null, e);
            return;
        }
        stats.record(task, pair, error);
        // the runtime's call log feeds the pair health verdicts (warn above 5% errors, unusable pairs)
        runtime.calls().record(pair.id(), error);
        progress.advance(1);
        progress.status(stats.status(budget));
    }

    /** Money reserved and spent; the first request that would not fit closes it. */
    static final class Budget {
        private final double limit;
        private final double earlier;
        private double spent;
        private double reserved;
        private boolean reached;

        Budget(double limit, double earlier) {
            this.limit = limit;
            this.earlier = earlier;
            this.spent = earlier;
        }

        synchronized boolean reserve(double estimate) {
            if (reached) {
                return false;
            }
            if (spent + reserved + estimate > limit) {
                reached = true;
                return false;
            }
            reserved += estimate;
            return true;
        }

        synchronized void settle(double estimate, double actual) {
            reserved -= estimate;
            spent += actual;
        }

        synchronized boolean reached() { return reached; }
        synchronized double spent() { return spent; }
        synchronized double spentNow() { return spent - earlier; }
        double limit() { return limit; }
    }

    /** Counters for the progress line and the result. */
    static final class Stats {
        final AtomicInteger ok = new AtomicInteger();
        /** Failed attempts (a call retried at the end of the run and failed twice counts twice). */
        final AtomicInteger failed = new AtomicInteger();
        /** Calls whose latest attempt failed. */
        final Set<String> failedJobs = ConcurrentHashMap.newKeySet();
        final AtomicLong calls = new AtomicLong();
        final AtomicReference<MaestroException> unexpected = new AtomicReference<>();
        private final Map<String, CollectResult.PairStats> pairs = new TreeMap<>();
        /** Per model, the largest output (tokens) seen so far: the output side of the next estimate. */
        final Map<String, Long> largestOutput = new ConcurrentHashMap<>();

        synchronized void record(Task t, Pair p, Optional<ExpertError> error) {
            String key = CollectJournal.key(t.id(), p.id());
            if (error.isEmpty()) {
                ok.incrementAndGet();
                failedJobs.remove(key);
            } else {
                failed.incrementAndGet();
                failedJobs.add(key);
            }
            pairs.merge(p.id(), CollectResult.PairStats.of(error), CollectResult.PairStats::plus);
        }

        synchronized Map<String, CollectResult.PairStats> byPair() {
            return new TreeMap<>(pairs);
        }

        String status(Budget b) {
            return String.format(Locale.ROOT, "calls %d, errors %d, $%.4f of $%.2f", calls.get(), failed.get(), b.spent(), b.limit());
        }
    }

    /** The expert as the skill runner sees it during one collected call: budget check, then the runtime's expert. */
    static final class Capture implements Expert {
        record Call(String model, String skill, ExpertReply reply) {
        }

        private final Expert delegate;
        private final ModelCard model;
        private final Budget budget;
        private final Stats stats;
        private final List<Call> calls = new ArrayList<>();
        final AtomicBoolean refused = new AtomicBoolean();

        Capture(Expert delegate, ModelCard model, Budget budget, Stats stats) {
            this.delegate = Objects.requireNonNull(delegate);
            this.model = model;
            this.budget = budget;
            this.stats = stats;
        }

        @Override
        public ExpertReply call(ExpertRequest request) {
            double estimate = estimate(request);
            if (!budget.reserve(estimate)) {
                refused.set(true);
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.INVALID_REQUEST, "collect budget reached"), 0);
            }
            ExpertReply reply;
            try {
                reply = delegate.call(request);
            } finally {
                stats.calls.incrementAndGet();
            }
            budget.settle(estimate, reply.costUsd());
            if (reply.ok()) {
                stats.largestOutput.merge(model.id(), reply.usage().outputTokens(), Math::max);
            }
            synchronized (calls) {
                calls.add(new Call(request.model().id(), ReplayExpert.recordedSkill(request), reply));
            }
            return reply;
        }

        List<Call> calls() {
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }

        /** Prompt characters / 4 + 765 per image in; the model's largest output so far (else max-tokens) out. */
        private double estimate(ExpertRequest r) {
            long in = (r.prompt().length() + 3) / 4 + 765L * r.images().size();
            long out = stats.largestOutput.getOrDefault(model.id(), (long) r.sampling().maxTokens());
            return model.price().cost(in, out);
        }

        @Override
        public void close() {
            // the runtime owns the expert
        }
    }

    /** Options of a collection; the runtime, tasks, output folder, tasks file and budget are required. */
    public static final class Builder {
        private final MaestroRuntime runtime;
        private final List<Task> tasks;
        private final Path out;
        private Optional<List<Pair>> pairs = Optional.empty();
        private Optional<Double> budgetUsd = Optional.empty();
        private boolean resume;
        private Progress progress = Progress.NONE;
        private Optional<Path> tasksFile = Optional.empty();
        private Optional<CollectedSuite.Spec> suite = Optional.empty();
        private int retryPasses = 1;
        private Duration retryPause = Duration.ofSeconds(2);

        private Builder(MaestroRuntime runtime, List<Task> tasks, Path out) {
            this.runtime = Objects.requireNonNull(runtime);
            this.tasks = List.copyOf(tasks);
            this.out = Objects.requireNonNull(out);
        }

        /** The pairs to call (default: every pair of an openai or replay model). */
        public Builder pairs(List<Pair> v) { this.pairs = Optional.of(List.copyOf(v)); return this; }
        /** US dollars the whole collection (earlier runs included) may spend. */
        public Builder budgetUsd(double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new MaestroException("--budget must be a finite number of US dollars >= 0, got " + v);
            }
            this.budgetUsd = Optional.of(v);
            return this;
        }
        /** Continue the collection in the output folder (never repeats a successful call). */
        public Builder resume(boolean v) { this.resume = v; return this; }
        public Builder progress(Progress v) { this.progress = Objects.requireNonNull(v); return this; }
        /** The tasks file the tasks came from (its lines and images are copied). */
        public Builder tasksFile(Path v) { this.tasksFile = Optional.of(v); return this; }
        /** Name, split, grading and keyword rules of the written suite.yaml (default: the standard split). */
        public Builder suite(CollectedSuite.Spec v) { this.suite = Optional.of(v); return this; }

        /**
         * Whether calls that failed (after the experts' own retries) get one more try at the end of the run, after
         * {@code pause} (default: yes, after 2 s).
         */
        public Builder retryFailed(boolean v, Duration pause) {
            this.retryPasses = v ? 1 : 0;
            this.retryPause = Objects.requireNonNull(pause);
            return this;
        }

        public Collector build() {
            return new Collector(this);
        }
    }
}
