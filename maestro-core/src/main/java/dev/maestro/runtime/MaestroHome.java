package dev.maestro.runtime;

import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.registry.RegistryLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the shipped data lives and what the short names mean: {@code $MAESTRO_HOME} (set by the {@code ./maestro}
 * launcher; else the current folder), the shipped suites ({@code mathv}, {@code blind}, …), the shipped registries
 * ({@code mathv-replay}, …) and the writable cache folder ({@code $MAESTRO_HOME/.cache}).
 *
 * <p>Registry names resolve in this order: an existing folder as given; a shipped registry name; {@code
 * registries/NAME} or {@code data/NAME/registry} under the home; any registry under {@code registries/} or
 * {@code data/*}{@code /registry} whose models.yaml says {@code name: NAME}.
 */
public final class MaestroHome {
    /** The environment variable naming the home folder. */
    public static final String VARIABLE = "MAESTRO_HOME";

    private static final Map<String, String> SUITES;
    private static final Map<String, String> REGISTRIES;

    static {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("mathv", "data/mathv");
        s.put("blind", "data/blind");
        s.put("paper-sim", "data/paper-sim");
        s.put("blind-tools", "data/blind/suite-tools.yaml");
        s.put("mmlupro", "data/mmlupro");
        SUITES = Collections.unmodifiableMap(s);
        Map<String, String> r = new LinkedHashMap<>();
        r.put("mathv-replay", "data/mathv/registry");
        r.put("blind-replay", "data/blind/registry");
        r.put("blind-tools", "data/blind/registry-tools");
        r.put("paper-simulated", "data/paper-sim/registry");
        r.put("mmlupro-replay", "data/mmlupro/registry");
        r.put("maestro-paper", "registries/maestro-paper");
        REGISTRIES = Collections.unmodifiableMap(r);
    }

    private final Path dir;

    private MaestroHome(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The home at {@code dir}. */
    public static MaestroHome at(Path dir) {
        return new MaestroHome(dir);
    }

    /** The home named by {@code MAESTRO_HOME} in {@code env}, else the current folder. */
    public static MaestroHome fromEnv(Map<String, String> env) {
        return new MaestroHome(Path.of(Optional.ofNullable(env.get(VARIABLE)).filter(v -> !v.isBlank()).orElse(".")));
    }

    public Path dir() {
        return dir;
    }

    /** The writable cache folder (embeddings): {@code HOME/.cache}. */
    public Path cacheDir() {
        return dir.resolve(".cache");
    }

    /** Shipped suite names → paths relative to the home, in display order. */
    public static Map<String, String> suiteNames() {
        return SUITES;
    }

    /** Shipped registry names → paths relative to the home, in display order. */
    public static Map<String, String> registryNames() {
        return REGISTRIES;
    }

    /** A suite folder or suite.yaml: an existing path as given, else a shipped suite name. */
    public Path suite(String nameOrPath) {
        Path direct = Path.of(nameOrPath);
        if (Files.exists(direct)) {
            return direct.toAbsolutePath().normalize();
        }
        return shipped(nameOrPath, SUITES, "suite").orElseThrow(() -> new MaestroException("no suite '" + nameOrPath
                + "': not a path, and not one of the shipped suite names " + SUITES.keySet()));
    }

    /** A registry folder by path or name (see the class comment for the order). */
    public Path registry(String nameOrPath) {
        Path direct = Path.of(nameOrPath);
        if (Files.exists(direct)) {
            return direct.toAbsolutePath().normalize();
        }
        Optional<Path> shipped = shipped(nameOrPath, REGISTRIES, "registry");
        if (shipped.isPresent()) {
            return shipped.get();
        }
        if (!nameOrPath.isBlank() && !nameOrPath.contains("/") && !nameOrPath.contains("\\") && !nameOrPath.startsWith(".")) {
            for (Path c : List.of(dir.resolve("registries").resolve(nameOrPath), dir.resolve("data").resolve(nameOrPath).resolve("registry"))) {
                if (Files.isRegularFile(c.resolve(RegistryLoader.MODELS_FILE))) {
                    return c;
                }
            }
        }
        List<Path> folders = registryFolders();
        for (Path f : folders) {
            try {
                String text = BoundedFiles.readString(f.resolve(RegistryLoader.MODELS_FILE),
                        Limit.CONFIG_FILE);
                if (text.lines().anyMatch(l -> l.strip().equals("name: " + nameOrPath))) {
                    return f;
                }
            } catch (IOException | UncheckedIOException e) {
                // unreadable or over the size limit: not a candidate (loading it would say why)
            }
        }
        throw new MaestroException("no registry '" + nameOrPath + "': not a path, and not one of the shipped registry names "
                + REGISTRIES.keySet() + " or a registry under " + dir.resolve("registries") + " or " + dir.resolve("data")
                + "/*/registry" + (folders.isEmpty() ? "" : " (found: " + String.join(", ",
                        folders.stream().map(p -> dir.relativize(p).toString()).toList()) + ")"));
    }

    private Optional<Path> shipped(String name, Map<String, String> names, String what) {
        String rel = names.get(name);
        if (rel == null) {
            return Optional.empty();
        }
        Path p = dir.resolve(rel);
        if (Files.exists(p)) {
            return Optional.of(p);
        }
        throw new MaestroException("the shipped " + what + " '" + name + "' is not at " + p
                + "; run from the repository root or set " + VARIABLE);
    }

    /** Registry folders under {@code registries/} and {@code data/*}{@code /registry}, sorted. */
    private List<Path> registryFolders() {
        List<Path> folders = new ArrayList<>();
        for (Path root : List.of(dir.resolve("registries"), dir.resolve("data"))) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            boolean data = root.getFileName().toString().equals("data");
            try (Stream<Path> s = Files.list(root)) {
                s.map(p -> data ? p.resolve("registry") : p)
                        .filter(p -> Files.isRegularFile(p.resolve(RegistryLoader.MODELS_FILE))).sorted().forEach(folders::add);
            } catch (IOException | UncheckedIOException e) {
                // unreadable folder: not a candidate
            }
        }
        return folders;
    }

    @Override
    public String toString() {
        return "MaestroHome[" + dir + "]";
    }
}
