package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.collect.ArithmeticModels;
import dev.maestro.runtime.Embedders;
import dev.maestro.testkit.FakeOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The live path of docs/quickstart.md against a fake OpenAI-compatible server on 127.0.0.1 (calc, const, a flaky
 * model failing ~30% of first requests with 500 or 429 + Retry-After, and a slow one): collect once, then train and
 * evaluate offline, serve; a collect killed with -9 resumes without repeating a logged call; train --cache against
 * the live models pays each call once; checkpoints of every embedder load in eval and serve.
 */
class LivePathTest {
    static final Path DOCS = Path.of("..", "docs", "quickstart.md");

    @TempDir
    Path dir;

    record Result(int exit, String out) {
    }

    /** Runs the CLI in-process with {@code env} as its environment, capturing what it prints. */
    static Result run(Map<String, String> env, List<String> args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream both = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            int exit = CliEnv.with(env, () -> Main.run(args.toArray(String[]::new)));
            return new Result(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    Map<String, String> env(FakeOpenAiServer server) {
        Map<String, String> env = new HashMap<>(ArithmeticModels.env(server));
        env.put("MAESTRO_HOME", dir.resolve("home").toString());
        return env;
    }

    /** The commands of the quickstart block, one token list each, with the block's relative paths under {@code dir}. */
    List<List<String>> quickstart() throws Exception {
        return block("quickstart");
    }

    /** The commands of the page's block {@code <!-- NAME:begin -->}, as {@link #quickstart}. */
    List<List<String>> block(String name) throws Exception {
        String page = Files.readString(DOCS);
        String block = page.substring(page.indexOf("<!-- " + name + ":begin -->"), page.indexOf("<!-- " + name + ":end -->"));
        List<List<String>> out = new ArrayList<>();
        for (String line : block.lines().toList()) {
            if (!line.startsWith("./maestro ")) {
                continue;
            }
            List<String> args = new ArrayList<>();
            for (String t : line.substring("./maestro ".length()).trim().split("\\s+")) {
                if (t.startsWith("my-suite") || t.startsWith("collected") || t.startsWith("runs/")) {
                    List<String> parts = new ArrayList<>();
                    for (String p : t.split(",")) {
                        parts.add(p.startsWith("baselines") ? p : dir.resolve(p).toString());
                    }
                    t = String.join(",", parts);
                }
                args.add(t);
            }
            out.add(args);
        }
        return out;
    }

    /**
     * Starts {@code serve} as the block's command gives it (on a free port) and asks it one chat question: the
     * answer's text, after checking the reply is a 200 from the learned policy.
     */
    static String serveAndAsk(Map<String, String> env, List<String> command, String question) throws Exception {
        List<String> serve = new ArrayList<>(command.subList(1, command.size()));
        serve.addAll(List.of("--port", "0"));
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(serve.toArray(String[]::new));
        try (ServeCommand.Started s = CliEnv.with(env, cmd::start)) {
            String body = new ObjectMapper().writeValueAsString(Map.of("model", "maestro",
                    "messages", List.of(Map.of("role", "user", "content", question))));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(s.server().url() + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(s.policy().name()).isEqualTo("maestro");
            return new ObjectMapper().readTree(r.body()).at("/choices/0/message/content").asText();
        }
    }

    @Test
    void should_run_the_quickstart_paying_each_call_once_and_nothing_after_collect() throws Exception {
        List<List<String>> commands = quickstart();
        assertThat(commands).extracting(c -> c.get(0)).containsExactly("registry", "collect", "train", "eval", "serve");
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            ArithmeticModels.writeSuite(dir.resolve("my-suite"), 40);
            Map<String, String> env = env(server);

            // 1. registry check
            Result check = run(env, commands.get(0));
            assertThat(check.exit()).as(check.out()).isZero();

            // 2. collect: one successful request per (task, pair); the flaky model's failures are extra requests
            Result collect = run(env, commands.get(1));
            assertThat(collect.exit()).as(collect.out()).isZero();
            assertThat(collect.out()).contains("collected 160 of 160 calls").contains("replay suite:");
            assertThat(models.successes()).isEqualTo(40 * 4);
            assertThat(models.maxSuccessesPerCall()).isEqualTo(1);
            assertThat(models.requests()).isGreaterThan(160);
            int afterCollect = models.requests();

            // 3. train and 4. eval on the collected suite: no request at all
            Result train = run(env, commands.get(2));
            assertThat(train.exit()).as(train.out()).isZero();
            Result eval = run(env, commands.get(3));
            assertThat(eval.exit()).as(eval.out()).isZero();
            assertThat(models.requests()).as("train and eval replay the collection").isEqualTo(afterCollect);
            JsonNode report = new ObjectMapper().readTree(dir.resolve("runs/mine-eval/report.json").toFile());
            assertThat(report.at("/systems/0/name").asText()).isEqualTo("maestro");
            assertThat(report.at("/systems/0/accuracy").asDouble()).isGreaterThan(0.9);

            // 5. serve: the learned policy answers a chat request by calling the live models
            assertThat(serveAndAsk(env, commands.get(4), "What is 17 * 23?")).contains("391");
            assertThat(models.requests()).isGreaterThan(afterCollect);
        }
    }

    @Test
    void should_onboard_a_model_added_later_asking_only_it_and_each_question_once() throws Exception {
        List<List<String>> commands = quickstart();
        List<List<String>> onboard = block("onboard");
        assertThat(onboard).extracting(c -> c.get(0)).containsExactly("onboard", "serve");
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            // given: a policy collected and trained without the model 'slow'
            Path suite = ArithmeticModels.writeSuite(dir.resolve("my-suite"), 40);
            Path yaml = suite.resolve("registry/models.yaml");
            String all = Files.readString(yaml);
            Files.writeString(yaml, all.substring(0, all.indexOf("  - id: slow")));
            Map<String, String> env = env(server);
            for (List<String> c : commands.subList(1, 3)) {
                Result r = run(env, c);
                assertThat(r.exit()).as(r.out()).isZero();
            }
            int before = models.requests();

            // when: 'slow' is added back and onboarded, twice
            Files.writeString(yaml, all);
            List<String> args = new ArrayList<>(onboard.get(0));
            args.add("--no-progress");
            Result first = run(env, args);
            List<ArithmeticModels.Logged> asked = models.log().subList(before, models.requests());
            Result again = run(env, args);

            // then: only the new model was asked, each question once, at most --probes of them; the rerun asks nothing
            assertThat(first.exit()).as(first.out()).isZero();
            assertThat(first.out()).contains("slow@@direct").contains("from the suite's own registry");
            assertThat(asked).isNotEmpty().allMatch(l -> l.model().equals("slow"));
            assertThat(asked.stream().filter(ArithmeticModels.Logged::ok).map(ArithmeticModels.Logged::prompt).distinct().count())
                    .isEqualTo(asked.stream().filter(ArithmeticModels.Logged::ok).count()).isLessThanOrEqualTo(10);
            assertThat(again.exit()).as(again.out()).isZero();
            assertThat(models.requests()).as("the rerun is answered by the cache").isEqualTo(before + asked.size());
            JsonNode report = new ObjectMapper().readTree(dir.resolve("runs/mine/onboarded.ckpt.json").toFile());
            assertThat(report.at("/pairs/0/pair").asText()).isEqualTo("slow@@direct");

            // and: the onboarded file serves like a checkpoint, with the new model in its registry
            assertThat(serveAndAsk(env, onboard.get(1), "What is 17 * 23?")).contains("391");
        }
    }

    @Test
    void should_resume_a_collect_killed_with_signal_9_without_repeating_a_logged_call() throws Exception {
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            Path suite = ArithmeticModels.writeSuite(dir.resolve("live"), 40);
            Map<String, String> env = env(server);
            Path out = dir.resolve("collected");
            List<String> args = List.of("collect", "--suite", suite.toString(), "--budget", "5", "--out", out.toString(),
                    "--no-progress");

            // given: a collect in its own JVM, killed with SIGKILL in the middle
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (models.successes() < 60 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
            p.waitFor();
            assertThat(models.successes()).as(Files.readString(dir.resolve("killed.log"))).isBetween(60L, 159L);
            long journaled = Files.readAllLines(out.resolve("collect.jsonl")).stream().filter(l -> l.contains("\"ok\":true")).count();
            long before = models.successes();

            // when
            Result resumed = run(env, new ArrayList<>(List.of(args.toArray(String[]::new))) {{ add("--resume"); }});

            // then: exactly the calls not in the journal were made again
            assertThat(resumed.exit()).as(resumed.out()).isZero();
            assertThat(resumed.out()).contains("collected 160 of 160 calls").contains(journaled + " earlier");
            assertThat(models.successes() - before).isEqualTo(160 - journaled);
            // a call answered but not yet logged when the kill landed is the only kind that can be paid twice
            assertThat(models.successes() - 160).isLessThanOrEqualTo(before - journaled).isLessThanOrEqualTo(4 + 4 + 1 + 2);
        }
    }

    @Test
    void should_stop_at_the_budget_and_say_how_to_continue() throws Exception {
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            Map<String, String> env = env(server);
            Path suite = ArithmeticModels.writeSuite(dir.resolve("live"), 40);
            Result r = run(env, List.of("collect", "--suite", suite.toString(), "--budget", "0.003", "--out",
                    dir.resolve("c").toString(), "--no-progress"));

            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("stopped at the budget").contains("--resume").contains("not made");
            assertThat(models.successes()).isLessThan(160);
        }
    }

    @Test
    void should_end_with_exit_status_3_naming_the_model_when_an_endpoint_is_dead() throws Exception {
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            Path suite = ArithmeticModels.writeSuite(dir.resolve("live"), 4);
            Map<String, String> env = env(server);
            env.put("ARITH_URL", "http://127.0.0.1:9/v1"); // the discard port: nothing listens

            Result r = run(env, List.of("collect", "--suite", suite.toString(), "--pairs", "calc@@direct", "--budget", "1",
                    "--out", dir.resolve("c").toString(), "--no-progress"));

            assertThat(r.exit()).as(r.out()).isEqualTo(3);
            assertThat(r.out()).contains("maestro collect: model 'calc'").contains("unreachable").contains("0 of 4 tasks complete");
        }
    }

    @Test
    void should_pay_each_call_once_when_training_live_with_a_cache() throws Exception {
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            Path suite = ArithmeticModels.writeSuite(dir.resolve("live"), 40);
            Result r = run(env(server), List.of("train", "--suite", suite.toString(), "--cache", dir.resolve("cache.sqlite").toString(),
                    "--out", dir.resolve("runs/live").toString(), "--embedder", Embedders.HASHING, "--min-steps", "30",
                    "--no-progress"));

            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("calls answered from the cache");
            assertThat(models.successes()).isPositive().isLessThanOrEqualTo(Math.round(1.05 * models.distinctSucceeded()));
            assertThat(models.maxSuccessesPerCall()).isEqualTo(1);
        }
    }

    @Test
    void should_evaluate_and_serve_checkpoints_trained_with_every_embedder_offered() throws Exception {
        ArithmeticModels models = new ArithmeticModels();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(models)) {
            Path suite = ArithmeticModels.writeSuite(dir.resolve("live"), 24);
            Map<String, String> env = env(server);
            Path collected = dir.resolve("collected");
            assertThat(run(env, List.of("collect", "--suite", suite.toString(), "--budget", "5", "--out", collected.toString(),
                    "--no-progress")).exit()).isZero();
            for (String name : Embedders.names()) {
                Path runDir = dir.resolve("runs").resolve(name);
                Result train = run(env, List.of("train", "--suite", collected.toString(), "--embedder", name, "--out",
                        runDir.toString(), "--min-steps", "10", "--epochs", "1", "--no-progress"));
                assertThat(train.exit()).as(name + ": " + train.out()).isZero();
                Result eval = run(env, List.of("eval", "--suite", collected.toString(), "--policy", runDir.resolve("policy.ckpt").toString(),
                        "--out", dir.resolve("eval").resolve(name).toString(), "--no-progress"));
                assertThat(eval.exit()).as(name + ": " + eval.out()).isZero();
                ServeCommand serve = new ServeCommand();
                new CommandLine(serve).parseArgs("--registry", collected.resolve("registry").toString(), "--policy",
                        runDir.resolve("policy.ckpt").toString(), "--port", "0");
                try (ServeCommand.Started s = CliEnv.with(env, serve::start)) {
                    assertThat(s.policy().name()).isEqualTo("maestro");
                }
            }
        }
    }
}
