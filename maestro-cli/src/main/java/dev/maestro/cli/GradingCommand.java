package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.task.GradingAgreement;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maestro grading check}: how far our grader agrees with recorded correctness flags. */
@Command(name = "grading", mixinStandardHelpOptions = true,
        description = "Grading tools.", subcommands = {GradingCommand.Check.class})
public final class GradingCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Grades every recorded answer and compares with the recorded flag. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Grade recorded answers with our grader and compare with the recorded 'correct' flags.")
    public static final class Check implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--tasks", required = true, description = "tasks JSONL, e.g. data/mathv/tasks.jsonl")
        Path tasks;

        @Option(names = "--recorded", required = true, description = "recorded rows JSONL(.gz), e.g. data/mathv/recorded.jsonl.gz")
        Path recorded;

        @Option(names = "--flags", required = true, description = "doubtful-flag rows JSONL, e.g. data/mathv/grading_flags.jsonl")
        Path flags;

        @Option(names = "--show", defaultValue = "0", description = "also print the first N disagreements (default ${DEFAULT-VALUE})")
        int show;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                GradingAgreement.Report report = GradingAgreement.check(tasks, recorded, flags);
                out.print(report.summary());
                report.disagreements().stream().limit(Math.max(0, show)).forEach(d -> out.printf(
                        "%s\t%s@@%s\trecorded=%s\tanswer=%s\tgold=%s\t%s%s%n", d.taskId(), d.model(), d.skill(),
                        d.recordedCorrect(), oneLine(d.answer()), d.gold(), d.reason(),
                        d.flagReason().map(f -> "\tflag=" + f).orElse("")));
                out.flush();
                return 0;
            } catch (MaestroException e) {
                spec.commandLine().getErr().println("grading check: " + e.getMessage());
                return 1;
            }
        }

        private static String oneLine(String s) {
            String t = s.replace('\n', ' ');
            return t.length() > 80 ? t.substring(0, 80) + "..." : t;
        }
    }

    /** Runs the command alone (until it is registered in {@link Main}). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new GradingCommand()).execute(args));
    }
}
