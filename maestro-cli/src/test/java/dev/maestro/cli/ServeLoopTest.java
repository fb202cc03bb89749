package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.collect.ArithmeticModels;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import dev.maestro.testkit.FakeOpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The production loop of docs/serve.md, its commands read from the page: serve with a store, questions and feedback over
 * HTTP, collect --from-traces, collect, train, and serve the new policy on the same store, against the fake
 * OpenAI-compatible endpoint of the quickstart. The first policy is {@code fixed:calc@@direct} instead of the page's
 * quickstart checkpoint (LivePathTest trains and serves that one).
 */
class ServeLoopTest {
    static final Path DOCS = Path.of("..", "docs", "serve.md");
    static final ObjectMapper M = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    List<List<String>> loop() throws Exception {
        String page = Files.readString(DOCS);
        String block = page.substring(page.indexOf("<!-- serve-loop:begin -->"), page.indexOf("<!-- serve-loop:end -->"));
        List<List<String>> out = new ArrayList<>();
        for (String line : block.lines().toList()) {
            if (!line.startsWith("./maestro ")) {
                continue;
            }
            List<String> args = new ArrayList<>();
            for (String t : line.substring("./maestro ".length()).trim().split("\\s+")) {
                if (t.equals("runs/mine/policy.ckpt")) {
                    t = "fixed:calc@@direct";
                } else if (t.startsWith("my-suite") || t.startsWith("runs/") || t.startsWith("served") || t.startsWith("collected")) {
                    t = dir.resolve(t).toString();
                }
                args.add(t);
            }
            out.add(args);
        }
        return out;
    }

    static JsonNode post(String url, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return M.readTree(r.body());
    }

    static ServeCommand.Started serve(List<String> command, Map<String, String> env) {
        List<String> args = new ArrayList<>(command.subList(1, command.size()));
        args.addAll(List.of("--port", "0"));
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return CliEnv.with(env, cmd::start);
    }

    @Test
    void should_run_the_loop_serve_feedback_collect_train_serve() throws Exception {
        List<List<String>> commands = loop();
        assertThat(commands).extracting(c -> c.get(0)).containsExactly("serve", "collect", "collect", "train", "serve");
        try (FakeOpenAiServer server = FakeOpenAiServer.start(new ArithmeticModels())) {
            Path suite = ArithmeticModels.writeSuite(dir.resolve("my-suite"), 40);
            Map<String, String> env = new HashMap<>(ArithmeticModels.env(server));
            env.put("MAESTRO_HOME", dir.resolve("home").toString());
            List<Task> questions = TaskReader.read(suite.resolve("tasks.jsonl"));

            // 1. serve with a store; every question is asked, every right answer rated correct, one wrong rating
            int rated = 0;
            try (ServeCommand.Started s = serve(commands.get(0), env)) {
                String url = s.server().url();
                for (Task t : questions) {
                    JsonNode r = post(url + "/v1/chat/completions", "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":" + M.valueToTree(t.question()) + "}]}");
                    String answer = r.at("/choices/0/message/content").asText();
                    boolean right = answer.strip().equals(t.answers().get(0));
                    post(url + "/v1/feedback", "{\"id\":\"" + r.path("id").asText() + "\",\"correct\":" + right + "}");
                    rated += right ? 1 : 0;
                }
            }
            assertThat(rated).as("calc answers arithmetic right").isEqualTo(questions.size());

            // 2. the served questions, rated correct, become tasks with gold
            LivePathTest.Result fromTraces = LivePathTest.run(env, commands.get(1));
            assertThat(fromTraces.exit()).as(fromTraces.out()).isZero();
            assertThat(fromTraces.out()).contains("40 tasks written").contains("40 with gold from feedback");
            List<Task> served = TaskReader.read(dir.resolve("served/tasks.jsonl"));
            assertThat(served).hasSize(40).allSatisfy(t -> assertThat(t.hasGold()).isTrue());
            assertThat(served).extracting(Task::question).containsExactlyInAnyOrderElementsOf(questions.stream().map(Task::question).toList());

            // 3. collect and train on them
            LivePathTest.Result collect = LivePathTest.run(env, new ArrayList<>(commands.get(2)) {{ add("--no-progress"); }});
            assertThat(collect.exit()).as(collect.out()).isZero();
            assertThat(collect.out()).contains("collected 160 of 160 calls");
            LivePathTest.Result train = LivePathTest.run(env, new ArrayList<>(commands.get(3)) {{ add("--no-progress"); }});
            assertThat(train.exit()).as(train.out()).isZero();
            assertThat(dir.resolve("runs/served/policy.ckpt")).exists();

            // 4. serve the new policy on the same store: the traces of the first server are there
            try (ServeCommand.Started s = serve(commands.get(4), env)) {
                JsonNode r = post(s.server().url() + "/v1/chat/completions", "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"What is 17 * 23?\"}]}");
                assertThat(r.at("/choices/0/message/content").asText()).contains("391");
                assertThat(s.policy().name()).isEqualTo("maestro");
                // by default under the limits the checkpoint was trained with (maestro train: 4 turns, 4 calls), not 8 calls
                assertThat(r.at("/maestro/settings/max_calls").asInt()).isEqualTo(4);
                assertThat(r.at("/maestro/settings/max_turns").asInt()).isEqualTo(4);
                assertThat(s.traces().orElseThrow().served(0)).hasSizeGreaterThanOrEqualTo(40);
            }
        }
    }
}
