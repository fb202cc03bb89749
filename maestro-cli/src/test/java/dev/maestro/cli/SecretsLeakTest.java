package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.testkit.FakeOpenAiServer.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Plants a recognisable API key, runs real commands end to end in-process (eval with traces and the SQLite
 * cache, train, registry check, --help of every command) against a fake OpenAI endpoint on 127.0.0.1 that
 * answers some calls with 401 / 500 bodies that echo the key back, then searches everything they printed,
 * logged (at DEBUG, to a file too) and wrote for the key: raw, base64 (every alignment) and hex.
 */
class SecretsLeakTest {
    private static final String KEY = "sk-test-PLANTED-7f3a9c2e41d84b6f0a5e";
    private static final String KEY_VAR = "MAESTRO_TEST_PLANTED_KEY";

    /** Alpha: a 500 echoing the Authorization header on the first request of every third question, else 200.
     * Beta: 401 echoing the key, as some gateways do ("Incorrect API key provided: ..."), on question 1 (on all of them
     * Beta would be unusable, and eval and train would end with exit status 3, train before training). */
    static final class Echoing implements FakeOpenAiServer.Responder {
        private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");
        private static final Pattern QUESTION = Pattern.compile("Question (\\d+)");
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();

        @Override
        public Reply reply(Request request) {
            String body = request.body();
            String auth = request.authorization();
            authorizations.add(auth);
            Matcher m = MODEL.matcher(body);
            Matcher q = QUESTION.matcher(body);
            String model = m.find() ? m.group(1) : "?";
            int question = q.find() ? Integer.parseInt(q.group(1)) : -1;
            int attempt = seen.computeIfAbsent(model + "|" + question, k -> new AtomicInteger()).getAndIncrement();
            if (model.equals("beta") && question == 1) {
                return counted(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + auth.replace("Bearer ", "")
                        + ". You can find your API key at https://example.invalid\",\"type\":\"invalid_request_error\"}}");
            } else if (question % 3 == 0 && attempt == 0) {
                return counted(500, "{\"error\":{\"message\":\"upstream failed for request with header Authorization: "
                        + auth + "\"}}");
            }
            return counted(200, FakeOpenAiServer.completion("The answer is {" + (question + 1) + "}", 20, 5));
        }

        private Reply counted(int status, String body) {
            statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
            return Reply.of(status, body);
        }
    }

    record Run(List<String> args, int exit) {
    }

    @TempDir
    Path dir;

    private Path writeSuite(String baseUrl) throws IOException {
        Path suite = dir.resolve("suite");
        Path reg = suite.resolve("registry");
        Files.createDirectories(reg.resolve("skills/direct"));
        Files.writeString(reg.resolve("models.yaml"), """
                name: planted-key
                description: two live models whose key comes from an environment variable
                defaults: {backend: openai, api-key-env: %s, base-url: %s, timeout: 5s, max-concurrency: 2}
                models:
                  - id: Alpha
                    description: "answers arithmetic; fails some first attempts with 500"
                    model-name: alpha
                    price: {input-per-1m: 1.0, output-per-1m: 2.0}
                  - id: Beta
                    description: "refuses the key with 401 on the first question"
                    model-name: beta
                    price: {input-per-1m: 0.5, output-per-1m: 1.0}
                """.formatted(KEY_VAR, baseUrl));
        Files.writeString(reg.resolve("skills/direct/SKILL.md"), """
                ---
                name: direct
                level: 1
                description: answer directly
                ---
                {question}
                """);
        StringBuilder tasks = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            tasks.append("{\"id\":\"q").append(i).append("\",\"source\":\"planted\",\"question\":\"Question ").append(i)
                    .append(": what is ").append(i).append(" + 1?\",\"options\":[],\"answer\":\"").append(i + 1)
                    .append("\"}\n");
        }
        Files.writeString(suite.resolve("tasks.jsonl"), tasks.toString());
        return suite;
    }

    /** Every name path of the command tree, e.g. [], [eval], [registry], [registry, check]. */
    private static List<List<String>> commandPaths() {
        CommandLine root = new CommandLine(new Main());
        root.addSubcommand("serve", new ServeCommand());
        List<List<String>> out = new ArrayList<>();
        walk(root, new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> e : new LinkedHashMap<>(cl.getSubcommands()).entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            walk(e.getValue(), p, out);
        }
    }

    /** Forms the key could take in a file: raw, hex, and base64 (standard and URL-safe) at each of the 3 alignments. */
    private static List<String> needles() {
        List<String> n = new ArrayList<>(List.of(KEY, HexFormat.of().formatHex(KEY.getBytes(StandardCharsets.UTF_8))));
        for (int pad = 0; pad < 3; pad++) {
            byte[] padded = ("xx".substring(0, pad) + KEY).getBytes(StandardCharsets.UTF_8);
            for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                String b64 = enc.encodeToString(padded);
                // drop the characters that mix in the padding prefix and the last (possibly partial) group
                int skip = pad == 0 ? 0 : 4;
                n.add(b64.substring(skip, b64.length() - 4));
            }
        }
        return n;
    }

    private static List<String> findings(String where, byte[] content) {
        String latin = new String(content, StandardCharsets.ISO_8859_1);
        List<String> found = new ArrayList<>();
        for (String needle : needles()) {
            if (latin.contains(needle)) {
                found.add(where + " contains " + (needle.equals(KEY) ? "the key" : "an encoding of the key: " + needle));
            }
        }
        return found;
    }

    @Test
    void should_detect_the_key_in_each_encoding_it_searches_for() {
        for (int pad = 0; pad < 3; pad++) {
            String prefix = "yy".substring(0, pad);
            byte[] b64 = Base64.getEncoder().encode((prefix + KEY + "!").getBytes(StandardCharsets.UTF_8));
            assertThat(findings("probe", b64)).as("base64 after %d bytes", pad).isNotEmpty();
        }
        assertThat(findings("probe", ("key=" + KEY).getBytes(StandardCharsets.UTF_8))).isNotEmpty();
        assertThat(findings("probe", "key=sk-test-PLANTED-***".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void should_never_write_print_or_log_the_api_key_anywhere() throws Exception {
        // given a planted key, a registry naming its variable, and a server that echoes the key in error bodies
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        Path home = dir.resolve("home");
        Path outDir = dir.resolve("out");
        Files.createDirectories(home);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        Level level = root.getLevel();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(ctx);
        file.setName("planted-key-log");
        file.setFile(outDir.resolve("logs/maestro.log").toString());
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d %-5level %logger - %msg%n%ex");
        enc.start();
        file.setEncoder(enc);
        file.start();
        List<Run> runs = new ArrayList<>();
        Echoing echo = new Echoing();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(echo)) {
            Path suite = writeSuite(server.baseUrl());
            Map<String, String> env = Map.of(KEY_VAR, KEY, "MAESTRO_HOME", home.toString());
            String reg = suite.resolve("registry").toString();
            String tasks = suite.resolve("tasks.jsonl").toString();
            List<List<String>> commands = new ArrayList<>();
            commands.add(List.of("registry", "check", reg));
            commands.add(List.of("eval", "--registry", reg, "--tasks", tasks, "--split", "all", "--policy", "baselines",
                    "--threads", "2", "--no-progress", "--out", outDir.resolve("eval").toString(),
                    "--traces", outDir.resolve("traces.jsonl").toString(),
                    "--cache", outDir.resolve("cache/experts.sqlite").toString()));
            // the same evaluation again: now answered from the record/replay cache
            commands.add(List.of("eval", "--registry", reg, "--tasks", tasks, "--split", "all", "--policy", "fixed:Alpha@@direct",
                    "--threads", "2", "--no-progress", "--out", outDir.resolve("eval-cached").toString(),
                    "--traces", outDir.resolve("traces.jsonl").toString(),
                    "--cache", outDir.resolve("cache/experts.sqlite").toString()));
            commands.add(List.of("collect", "--registry", reg, "--tasks", tasks, "--budget", "1", "--no-progress",
                    "--out", outDir.resolve("collect").toString(), "--cache", outDir.resolve("cache/experts.sqlite").toString()));
            commands.add(List.of("train", "--registry", reg, "--tasks", tasks, "--epochs", "1", "--min-steps", "20", "--group-size", "2",
                    "--threads", "2", "--embedder", "hashing-384", "--no-progress", "--out", outDir.resolve("train").toString()));
            for (List<String> path : commandPaths()) {
                List<String> help = new ArrayList<>(path);
                help.add("--help");
                commands.add(help);
            }
            // when
            root.setLevel(Level.DEBUG);
            root.addAppender(file);
            // a marker, so an empty log can only mean the commands logged nothing, not that the appender is broken
            LoggerFactory.getLogger(SecretsLeakTest.class).debug("planted-key test: commands start");
            PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
            System.setOut(both);
            System.setErr(both);
            try {
                for (List<String> c : commands) {
                    int exit = CliEnv.with(env, () -> Main.run(c.toArray(String[]::new)));
                    runs.add(new Run(c, exit));
                }
            } finally {
                System.setOut(stdout);
                System.setErr(stderr);
                root.detachAppender(file);
                root.setLevel(level);
                file.stop();
            }

            // then the key was really used, and the error paths were really taken
            assertThat(echo.authorizations).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("Bearer " + KEY));
            assertThat(echo.statuses).containsKeys(200, 401, 500);
            System.out.printf("secrets: %d requests, statuses %s%n", echo.authorizations.size(), echo.statuses);
        }
        String console = captured.toString(StandardCharsets.UTF_8);
        assertThat(runs).as("console tail: %s", console.substring(Math.max(0, console.length() - 3000))).allSatisfy(r -> assertThat(r.exit()).as("exit of %s", r.args()).isZero());
        assertThat(console).as("the registry was checked").contains("registry planted-key: 2 models");

        // nothing printed, logged or written anywhere under the temporary folder holds the key
        List<String> found = new ArrayList<>(findings("stdout/stderr", captured.toByteArray()));
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        long bytes = 0;
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            bytes += content.length;
            found.addAll(findings(dir.relativize(f).toString(), content));
            if (f.toString().endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                    found.addAll(findings(dir.relativize(f) + " (decompressed)", in.readAllBytes()));
                }
            }
        }
        Set<String> kinds = Set.of("report.json", "report.html", "traces.jsonl", "experts.sqlite", "policy.ckpt",
                "last.ckpt", "train_log.jsonl", "maestro.log");
        List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
        System.out.printf("secrets: %d commands, %d files (%d bytes) and %d chars of console searched, findings %s; files %s%n",
                runs.size(), files.size(), bytes, console.length(), found, files.stream().map(dir::relativize).toList());
        assertThat(names).as("the outputs that must be searched exist").containsAll(kinds);
        List<String> logLines = Files.readAllLines(outDir.resolve("logs/maestro.log"));
        System.out.printf("secrets: %d log lines at DEBUG%n", logLines.size());
        assertThat(logLines).as("the log file captured the marker").anyMatch(l -> l.contains("planted-key test: commands start"));
        assertThat(found).as("places where the key leaked").isEmpty();
        String traces = Files.readString(outDir.resolve("traces.jsonl"));
        // (500s are retried and then answered, so they reach the traces only as latency; 401s are final)
        assertThat(traces.contains("401 Unauthorized: {\\\"error\\\":{\\\"message\\\":\\\"Incorrect API key provided: ***."))
                .as("the echoed key reached the traces redacted").isTrue();
    }
}
