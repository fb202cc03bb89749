package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.collect.CollectResult;
import dev.maestro.collect.CollectedSuite;
import dev.maestro.collect.Collector;
import dev.maestro.experiment.Suite;
import dev.maestro.experiment.Workbench;
import dev.maestro.registry.Pair;
import dev.maestro.serve.ServedTasks;
import dev.maestro.serve.TraceStore;
import dev.maestro.store.StoreLocation;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maestro collect}: call every pair once per task within a budget and write a replay suite (docs/quickstart.md). */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Calls every selected (model, skill) pair once per task, at most each",
                "model's max-concurrency at a time, within --budget US dollars, and writes",
                "a replay suite to --out (recorded.jsonl, registry/ with backend: replay,",
                "tasks.jsonl, suite.yaml): `maestro train|eval|generalize --suite OUT`",
                "then run offline and free. Every finished call is logged to",
                "OUT/collect.jsonl at once: after a crash or kill, --resume continues",
                "without repeating a successful call (failed calls are tried again).",
                "The budget counts earlier runs too. Exit status 3 when some pair was",
                "unusable (auth failure, unreachable, >= 50%% failed calls). Example:",
                "  maestro collect --suite my-suite --budget 2 --out collected",
                "",
                "With --from-traces STORE it instead turns the questions `maestro serve`",
                "answered (its --store or --traces) into a task set: OUT/tasks.jsonl and",
                "OUT/images/; a served answer rated correct through POST /v1/feedback is",
                "the gold, unrated questions have none (metadata.gold = none). Example:",
                "  maestro collect --from-traces runs/serve.db --out served --gold-only"})
final class CollectCommand implements Callable<Integer> {
    @Mixin
    EvalCommandSupport where;

    @Option(names = "--pairs", split = ",", paramLabel = "MODEL@@SKILL",
            description = "Pairs to call (default: every pair of an openai or replay model).")
    List<String> pairs;

    @Option(names = "--split", split = ",", defaultValue = "all", paramLabel = "PART",
            description = "train, validation, test or all; several with commas (default: ${DEFAULT-VALUE}).")
    List<String> split;

    @Option(names = "--budget", paramLabel = "USD", description = "Most US dollars the collection may "
            + "spend (earlier runs of the same --out included); it stops before a call that would not fit. Required unless --from-traces.")
    Optional<Double> budget = Optional.empty();

    @Option(names = "--from-traces", paramLabel = "FILE|URL", description = "Write the questions a server answered into a task set "
            + "instead: the trace store of `maestro serve` (a SQLite file, or postgresql://USER@HOST:PORT/DB?password-env=VAR).")
    Optional<String> fromTraces = Optional.empty();

    @Option(names = "--since", paramLabel = "TIME", description = "With --from-traces: only questions served at or after TIME "
            + "(2026-12-01 or 2026-12-01T10:00:00Z).")
    Optional<String> since = Optional.empty();

    @Option(names = "--gold-only", description = "With --from-traces: only questions whose served answer was rated correct "
            + "(tasks that train can grade without a judge).")
    boolean goldOnly;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder of the collection and of the replay suite.")
    Path out;

    @Option(names = "--resume", description = "Continue the collection in --out (never repeats a successful call).")
    boolean resume;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        if (fromTraces.isPresent()) {
            return fromTraces();
        }
        if (since.isPresent() || goldOnly) {
            throw new MaestroException("--since and --gold-only apply to --from-traces STORE only");
        }
        double budget = this.budget.orElseThrow(() -> new MaestroException("--budget USD is required: the most US dollars "
                + "the collection may spend (or give --from-traces STORE to turn served questions into tasks)"));
        Set<Split.Part> parts = parts(split);
        CliProgress progress = new CliProgress(!noProgress);
        try (Workbench wb = where.open(Workbench.Options.defaults())) {
            List<Task> tasks = wb.tasks().stream().filter(t -> parts.contains(wb.split().assign(t))).toList();
            Path tasksFile = where.tasks.orElseGet(() -> wb.suite().orElseThrow().tasks());
            CollectedSuite.Spec spec = wb.suite().map(s -> spec(s, wb)).orElseGet(() -> new CollectedSuite.Spec(
                    wb.name().replaceFirst("\\.jsonl$", ""), wb.split().salt(), wb.split().testFraction(),
                    wb.split().validationFraction(), 0, Map.of(), List.of()));
            Collector.Builder b = Collector.builder(wb.runtime(), tasks, out).tasksFile(tasksFile).budgetUsd(budget)
                    .resume(resume).progress(progress).suite(spec);
            if (pairs != null) {
                b.pairs(pairs.stream().map(CollectCommand::pair).toList());
            }
            CollectResult r = b.build().run();
            report(r);
            return Health.report("collect", wb.health(), System.err);
        }
    }

    /** {@code --from-traces}: served questions (with feedback as gold) into a task set. */
    private int fromTraces() {
        if (where.suite.isPresent() || where.registry.isPresent() || where.tasks.isPresent() || where.cache.isPresent()
                || budget.isPresent() || pairs != null || resume) {
            throw new MaestroException("--from-traces reads a trace store and calls no model: it takes --out, --since and "
                    + "--gold-only only (not --suite, --registry, --tasks, --cache, --budget, --pairs, --resume)");
        }
        long sinceMs = since.map(CollectCommand::instant).orElse(0L);
        StoreLocation where = StoreLocation.parse(fromTraces.get(), CliEnv.all());
        if (where.file().isPresent() && !Files.isRegularFile(where.file().get())) {
            throw new MaestroException("--from-traces: no trace store file " + where.file().get()
                    + " (give the --store or --traces file of `maestro serve`, or a postgresql:// URL)");
        }
        try (TraceStore store = TraceStore.open(where)) {
            ServedTasks.Result r = ServedTasks.write(store, out, sinceMs, goldOnly);
            System.out.printf(Locale.ROOT, "%d served questions from %s: %d tasks written to %s (%d with gold from feedback, "
                            + "%d rated, %d without gold%s)%n", r.served(), store.describe(), r.tasks(), r.file(), r.withGold(), r.rated(),
                    r.tasks() - r.withGold(), goldOnly ? ", " + r.leftOutNoGold() + " left out by --gold-only" : "");
            if (r.merged() > 0) {
                System.out.printf(Locale.ROOT, "  %d repeated questions merged into the first one asked%n", r.merged());
            }
            if (r.missingImages() > 0) {
                System.out.printf(Locale.ROOT, "  %d questions left out: their images were not stored (the trace queue was full)%n",
                        r.missingImages());
            }
            if (r.tasks() > r.withGold()) {
                System.out.println("  tasks without gold need a judge (judge: in suite.yaml) or --gold-only before `maestro train`");
            }
        }
        return 0;
    }

    private static long instant(String text) {
        String t = text.strip();
        try {
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new MaestroException("--since '" + t + "': give a date (2026-12-01, UTC) or an instant (2026-12-01T10:00:00Z)");
        }
    }

    private static CollectedSuite.Spec spec(Suite s, Workbench wb) {
        return new CollectedSuite.Spec(s.name(), s.splitSalt(), s.testFraction(), s.validationFraction(), s.relativeTolerance(),
                s.keywords(), s.leaveOneOut());
    }

    private void report(CollectResult r) {
        if (r.repairedBytes() > 0) {
            System.err.println("collect: cut a torn last line (" + r.repairedBytes() + " bytes) off the journal of the interrupted run");
        }
        System.out.printf(Locale.ROOT, "collected %d of %d calls (%d tasks × %d pairs): %d earlier, %d now, %d failed%s%s; "
                        + "%d requests; spent $%.4f now, $%.4f in all of the $%.2f budget%n",
                r.alreadyDone() + r.succeeded(), r.jobs(), r.tasks(), r.pairs(), r.alreadyDone(), r.succeeded(), r.failed(),
                r.retried() > 0 ? " (" + r.retried() + " tried again at the end)" : "",
                r.notStarted() > 0 ? ", " + r.notStarted() + " not made" : "", r.requests(), r.spentUsd(), r.totalSpentUsd(), r.budgetUsd());
        r.byPair().forEach((pair, s) -> {
            if (s.failed() > 0) {
                System.out.printf(Locale.ROOT, "  %s: %d calls ok, %d failed attempts (%.1f%%: %s)%s%n", pair, s.ok(), s.failed(),
                        100 * s.errorRate(), s.errorsByKind(), s.lastError().map(m -> "; last: " + oneLine(m)).orElse(""));
            }
        });
        if (r.budgetReached()) {
            System.out.printf(Locale.ROOT, "stopped at the budget: the next call would have passed $%.2f. Continue with the same "
                    + "command plus --resume and a larger --budget (it counts what was already spent).%n", r.budgetUsd());
        } else if (r.failed() > 0) {
            System.out.println("some calls failed; run the same command with --resume to try them again (successful calls are not repeated)");
        }
        Path suite = r.written().folder();
        System.out.printf(Locale.ROOT, "replay suite: %s (%d of %d tasks complete, %d recorded replies, models %s)%n", suite,
                r.completeTasks(), r.tasks(), r.written().rows(), r.written().models());
        if (r.completeTasks() > 0) {
            System.out.println("offline and free from here: maestro train --suite " + suite + " --out runs/collected");
        }
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ');
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }

    private static Pair pair(String id) {
        if (!id.contains("@@")) {
            throw new MaestroException("--pairs: '" + id + "' is not MODEL@@SKILL");
        }
        try {
            return Pair.parse(id);
        } catch (MaestroException e) {
            throw new MaestroException("--pairs: " + e.getMessage(), e);
        }
    }

    static Set<Split.Part> parts(List<String> names) {
        Set<Split.Part> out = EnumSet.noneOf(Split.Part.class);
        List<String> bad = new ArrayList<>();
        for (String n : names) {
            switch (n.strip().toLowerCase(Locale.ROOT)) {
                case "train" -> out.add(Split.Part.TRAIN);
                case "validation" -> out.add(Split.Part.VALIDATION);
                case "test" -> out.add(Split.Part.TEST);
                case "all" -> out.addAll(EnumSet.allOf(Split.Part.class));
                default -> bad.add(n);
            }
        }
        if (!bad.isEmpty() || out.isEmpty()) {
            throw new MaestroException("--split " + String.join(",", names) + ": valid parts are train, validation, test, all");
        }
        return out;
    }
}
