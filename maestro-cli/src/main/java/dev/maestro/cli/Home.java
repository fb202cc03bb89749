package dev.maestro.cli;

import dev.maestro.MaestroException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the shipped data lives ({@code $MAESTRO_HOME}, set by the {@code ./maestro} launcher; else the
 * current folder), and the short names of the shipped suites and registries.
 */
final class Home {
    static final Map<String, String> SUITES = new LinkedHashMap<>();
    static final Map<String, String> REGISTRIES = new LinkedHashMap<>();

    static {
        SUITES.put("mathv", "data/mathv");
        SUITES.put("blind", "data/blind");
        SUITES.put("paper-sim", "data/paper-sim");
        SUITES.put("blind-tools", "data/blind/suite-tools.yaml");
        SUITES.put("mmlupro", "data/mmlupro");
        REGISTRIES.put("mathv-replay", "data/mathv/registry");
        REGISTRIES.put("blind-replay", "data/blind/registry");
        REGISTRIES.put("blind-tools", "data/blind/registry-tools");
        REGISTRIES.put("paper-simulated", "data/paper-sim/registry");
        REGISTRIES.put("mmlupro-replay", "data/mmlupro/registry");
        REGISTRIES.put("maestro-paper", "registries/maestro-paper");
    }

    private Home() {
    }

    static Path dir() {
        return Path.of(CliEnv.get("MAESTRO_HOME").orElse(".")).toAbsolutePath().normalize();
    }

    static Path suite(String nameOrPath) {
        return resolve(nameOrPath, SUITES, "suite");
    }

    static Path registry(String nameOrPath) {
        return resolve(nameOrPath, REGISTRIES, "registry");
    }

    private static Path resolve(String nameOrPath, Map<String, String> names, String what) {
        Path direct = Path.of(nameOrPath);
        if (Files.exists(direct)) {
            return direct.toAbsolutePath().normalize();
        }
        String rel = names.get(nameOrPath);
        if (rel != null) {
            Path p = dir().resolve(rel);
            if (Files.exists(p)) {
                return p;
            }
            throw new MaestroException("the shipped " + what + " '" + nameOrPath + "' is not at " + p
                    + "; run from the repository root or set MAESTRO_HOME");
        }
        throw new MaestroException("no " + what + " '" + nameOrPath + "': not a path, and not one of the shipped "
                + what + " names " + names.keySet());
    }

    static Path cacheDir() {
        return dir().resolve(".cache");
    }
}
