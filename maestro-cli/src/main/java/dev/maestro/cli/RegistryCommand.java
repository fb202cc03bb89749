package dev.maestro.cli;

import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.registry.RegistryProblem;
import dev.maestro.skill.tool.ProvidedTools;
import dev.maestro.skill.tool.ToolProviders;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code maestro registry ...}: work with registry folders ({@code models.yaml} + {@code skills/<name>/SKILL.md}). */
@Command(name = "registry",
        description = "Inspect and validate registries: models.yaml plus skills/<name>/SKILL.md in one folder.",
        subcommands = {RegistryCommand.Check.class})
public final class RegistryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code maestro registry check DIR}: print every problem; exit 1 when there is an error. */
    @Command(name = "check",
            description = {"Validate a registry folder and print every problem as FILE[:LINE]: FIELD: MESSAGE.",
                    "Exit code 0 when it loads (warnings allowed), 1 when it has errors."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:the registry loads", "1:errors (or warnings with --strict)", "2:bad command line"})
    public static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(paramLabel = "DIR", description = "the registry folder (holds models.yaml and skills/)")
        Path dir;

        @Option(names = "--strict", description = "treat warnings (such as an unset API key variable) as errors")
        boolean strict;

        @Option(names = "--no-connect", description = {"do not start or reach the MCP servers the skills declare "
                + "(by default each is connected once to check that it answers and has the tools the steps call)"})
        boolean noConnect;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RegistryLoader.Inspection result = RegistryLoader.builder().env(CliEnv.all()).build().inspect(dir);
            List<RegistryProblem> problems = new ArrayList<>(result.problems());
            if (result.registry().isPresent() && !noConnect && !result.registry().get().mcpServers().isEmpty()) {
                // What only the servers can tell: that they start or answer, and have the tools the steps call with
                // arguments their schemas take (docs/mcp.md). Connected once, closed at once.
                try (ProvidedTools tools = ToolProviders.open(result.registry().get(), CliEnv.all())) {
                    problems.addAll(tools.problems());
                }
            }
            // Prefix the registry folder as typed, so editors and terminals can open FILE:LINE directly.
            for (RegistryProblem p : problems) {
                String file = p.file().equals(".") ? dir.toString() : dir.resolve(p.file()).toString();
                out.println(file + p.toString().substring(p.file().length()));
            }
            long errors = problems.stream().filter(RegistryProblem::isError).count();
            long warnings = problems.size() - errors;
            if (result.registry().isEmpty() || errors > 0 || (strict && warnings > 0)) {
                out.printf("%s: %d error(s), %d warning(s)%n", dir, errors, warnings);
                out.flush();
                return 1;
            }
            Registry r = result.registry().get();
            out.printf("%s: registry %s: %d models, %d skills, %d pairs%s%n", dir, r.name(), r.models().size(),
                    r.skills().size(), r.pairs().size(), warnings == 0 ? "" : ", " + warnings + " warning(s)");
            out.flush();
            return 0;
        }
    }
}
