package dev.maestro.registry;

import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One read of one registry folder: where it is, the options that shape the checks, and what has been found so
 * far. {@link SkillsReader}, {@link ModelsReader}, {@link RegistryGraphCheck} and {@link Fields} share it, so
 * every problem lands in one list whatever part of the folder it comes from.
 */
final class ReadContext {
    final Path root;
    // The suite folder (the registry's parent): paths and symbolic links must not lead outside it.
    final Path base;
    final Map<String, String> env;
    final Set<String> knownTools;
    final List<RegistryProblem> problems = new ArrayList<>();
    // Scalars whose text came (partly) from the environment: never echoed in messages.
    final Set<YamlNode> fromEnv = Collections.newSetFromMap(new IdentityHashMap<>());
    // Skills whose SKILL.md exists but is too broken to use; not reported again as "does not exist".
    final Set<String> brokenSkills = new HashSet<>();
    // The folder's name until models.yaml names the registry.
    String name;

    ReadContext(Path folder, Map<String, String> env, Set<String> knownTools) {
        this.root = folder.toAbsolutePath().normalize();
        this.base = root.getParent() == null ? root : root.getParent();
        this.name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        this.env = env;
        this.knownTools = knownTools;
    }

    String displayName() {
        return "'" + name + "' (" + root + ")";
    }

    List<RegistryProblem> sorted() {
        List<RegistryProblem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparing((RegistryProblem p) -> p.file().equals(".") ? "" : p.file())
                .thenComparingInt(RegistryProblem::line));
        return List.copyOf(out);
    }

    void error(String file, int line, String field, String message) {
        problems.add(RegistryProblem.error(file, line, field, message));
    }

    void warning(String file, int line, String field, String message) {
        problems.add(RegistryProblem.warning(file, line, field, message));
    }

    int errorCount() {
        return (int) problems.stream().filter(RegistryProblem::isError).count();
    }

    boolean hasErrors() {
        return problems.stream().anyMatch(RegistryProblem::isError);
    }

    /** Whether an existing file, every symbolic link followed, lies inside the (real) suite folder. */
    boolean realInside(Path file) {
        try {
            return file.toRealPath().startsWith(base.toRealPath());
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /**
     * The text of a registry file, refused (as an error on {@code file}) when it is larger than
     * {@link dev.maestro.io.Limit#CONFIG_FILE}: the size is checked before a byte is parsed, so a 10 MB
     * models.yaml costs nothing.
     */
    Optional<String> readText(Path path, String file) {
        long cap = Limit.CONFIG_FILE.bytes();
        try {
            return Optional.of(BoundedFiles.readString(path, Limit.CONFIG_FILE));
        } catch (LimitExceededException e) {
            error(file, 0, "", "larger than the " + Limit.human(cap) + " allowed for "
                    + Limit.CONFIG_FILE.what() + "; refused before parsing; "
                    + Limit.CONFIG_FILE.raiseHint(cap));
        } catch (IOException e) {
            error(file, 0, "", "cannot read: " + e.getMessage());
        }
        return Optional.empty();
    }
}
