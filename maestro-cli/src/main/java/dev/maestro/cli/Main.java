package dev.maestro.cli;

import dev.maestro.MaestroException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code maestro} command. */
@Command(name = "maestro", mixinStandardHelpOptions = true, version = "maestro 0.1.0",
        description = "Orchestrate frozen expert models and a two-tier skill library with a learned policy.",
        subcommands = {DemoCommand.class, EvalCommand.class, TrainCommand.class, RegistryCommand.class, GradingCommand.class, ExportCommand.class, GeneralizeCommand.class, OnboardCommand.class, CollectCommand.class, McpCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Exit status of a run refused for bad input (a {@link MaestroException}); 1 stays for unexpected failures. */
    public static final int BAD_INPUT = 2;
    /** Columns of --help text. */
    static final int USAGE_WIDTH = 120;

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("serve", new ServeCommand());
        // Descriptions are written as lines of up to ~115 characters; at picocli's default 80 columns each of them
        // broke in two, leaving ragged half-lines in every --help.
        cl.setUsageHelpWidth(USAGE_WIDTH);
        return cl.setCaseInsensitiveEnumValuesAllowed(true).setExecutionExceptionHandler(Main::handle).execute(args);
    }

    /**
     * Bad input (an unknown suite, a malformed registry, a corrupt checkpoint …) is the user's to fix: one line
     * naming the problem and what would be valid, no stack trace. Anything else is a bug, and its stack trace is
     * what a bug report needs, so it is rethrown to picocli, which prints it.
     */
    static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof MaestroException) {
                cmd.getErr().println("maestro " + cmd.getCommandName() + ": " + t.getMessage());
                cmd.getErr().flush();
                return BAD_INPUT;
            }
        }
        throw ex;
    }

    @Override
    public void run() {
        new CommandLine(this).setUsageHelpWidth(USAGE_WIDTH).usage(System.out);
    }
}
