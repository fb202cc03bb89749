package dev.maestro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages' one-way dependencies, as docs/architecture.md draws them: every reference from one package of the
 * core (or the server) to another, by import or by qualified name in code, must be allowed by {@link #ALLOWED}.
 * Comments are ignored, so Javadoc may still link anywhere.
 */
class DependencyDirectionTest {
    /**
     * What each package may use besides itself and the base every package may use: {@code dev.maestro}, {@code io}
     * and {@code store}. Sub-packages count as their parent.
     */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("io", Set.of()),
            Map.entry("store", Set.of()),
            Map.entry("registry", Set.of()),
            Map.entry("task", Set.of()),
            Map.entry("expert", Set.of("registry", "task")),
            Map.entry("protocol", Set.of("registry")),
            Map.entry("skill", Set.of("registry", "task", "expert")),
            Map.entry("episode", Set.of("registry", "task", "expert", "protocol", "skill")),
            Map.entry("policy", Set.of("registry", "task", "expert", "protocol", "episode")),
            Map.entry("eval", Set.of("registry", "task", "expert", "protocol", "episode", "policy")),
            // train may run the evaluator (validation during training); eval never imports train
            Map.entry("train", Set.of("registry", "task", "expert", "protocol", "episode", "policy", "eval")),
            Map.entry("runtime", Set.of("registry", "task", "expert", "protocol", "skill", "episode", "policy", "eval")),
            Map.entry("collect", Set.of("registry", "task", "expert", "protocol", "skill", "episode", "policy", "eval",
                    "runtime")),
            // onboarding's estimation reads model cards and plain data only; experiment wires it to policies
            Map.entry("onboard", Set.of("registry")),
            Map.entry("experiment", Set.of("registry", "task", "expert", "protocol", "skill", "episode", "policy", "eval",
                    "train", "runtime", "onboard")),
            // the server module also depends on the maestro-mcp module (its MCP endpoint over HTTP)
            Map.entry("serve", Set.of("registry", "task", "expert", "protocol", "skill", "episode", "policy", "mcp")));

    /** Packages every package may use: bounded I/O and the SQL store location and connection. */
    static final Set<String> BASE = Set.of("io", "store");

    private static final Pattern PACKAGE = Pattern.compile("^package dev\\.maestro(?:\\.([a-z]\\w*))?", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.maestro\\.([a-z]\\w*)\\.");

    @Test
    void should_find_no_package_using_one_above_it() throws IOException {
        List<String> wrong = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("../maestro-server/src/main/java"))) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(root)) {
                files = s.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path f : files) {
                String code = withoutComments(Files.readString(f));
                Matcher pm = PACKAGE.matcher(code);
                if (!pm.find() || pm.group(1) == null) {
                    continue; // dev.maestro itself: the base everyone may use
                }
                String from = pm.group(1);
                seen.add(from);
                assertThat(ALLOWED).as("package %s (%s) has a row in ALLOWED and in docs/architecture.md", from, f)
                        .containsKey(from);
                Matcher rm = REFERENCE.matcher(code);
                while (rm.find()) {
                    String to = rm.group(1);
                    if (!to.equals(from) && !BASE.contains(to) && !ALLOWED.get(from).contains(to)) {
                        wrong.add(f.getFileName() + ": " + from + " -> " + to);
                    }
                }
            }
        }
        assertThat(seen).as("packages checked").contains("registry", "episode", "eval", "policy", "train", "runtime");
        assertThat(wrong).as("references against the one-way order").isEmpty();
    }

    /** The code with comments and string literals blanked: a qualified name in a comment or a string is not a use. */
    static String withoutComments(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
            } else if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                i = end < 0 ? src.length() : end;
            } else if (c == '"') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != '"') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                out.append("\"\"");
                i = Math.min(src.length(), j + 1);
            } else if (c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != '\'') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                out.append("' '");
                i = Math.min(src.length(), j + 1);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
