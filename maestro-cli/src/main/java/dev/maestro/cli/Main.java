package dev.maestro.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code maestro} command. */
@Command(name = "maestro", mixinStandardHelpOptions = true, version = "maestro 0.1.0",
        description = "Orchestrate frozen expert models and a two-tier skill library with a learned policy.",
        subcommands = {DemoCommand.class, EvalCommand.class, TrainCommand.class, RegistryCommand.class, GradingCommand.class, ExportCommand.class, GeneralizeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // serve takes its policy resolver by constructor, so it is added here rather than in the annotation.
        cl.addSubcommand("serve", new ServeCommand(PolicySpecs::resolve));
        return cl.setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
