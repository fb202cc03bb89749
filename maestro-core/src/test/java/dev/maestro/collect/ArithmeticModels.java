package dev.maestro.collect;

import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.testkit.FakeOpenAiServer.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: the models behind a {@link FakeOpenAiServer} serving live arithmetic, chosen by the request's
 * {@code model}:
 * <ul>
 *   <li>{@code calc} answers "What is A op B?" correctly;</li>
 *   <li>{@code const} always answers 42;</li>
 *   <li>{@code flaky} answers like calc, but the first request of about 30% of prompts fails: HTTP 500 on ~24%,
 *       HTTP 429 with {@code Retry-After: 0} on ~6% (a hash of the prompt decides, so it is the same on every run);
 *       retries of a prompt succeed;</li>
 *   <li>{@code slow} answers like calc after {@link #SLOW_MS} ms;</li>
 *   <li>{@code stubborn} (not in {@link #writeSuite}'s registry) answers like calc, but fails the first
 *       {@link #STUBBORN_FAILURES} requests of every fifth prompt (by hash) with HTTP 503.</li>
 * </ul>
 * Every chat request is logged as (model, prompt hash, attempt, status) before the response is sent, so a client that
 * has its reply is already counted. {@link #writeSuite} writes a live suite over these models. Use:
 * {@code FakeOpenAiServer.start(models)}.
 */
public final class ArithmeticModels implements FakeOpenAiServer.Responder {
    public static final long SLOW_MS = 150;
    public static final List<String> MODELS = List.of("calc", "const", "flaky", "slow", "stubborn");
    /** Requests of a prompt the {@code stubborn} model fails before answering it (more than an expert retries). */
    public static final int STUBBORN_FAILURES = 4;
    private static final Pattern QUESTION = Pattern.compile("What is\\s+(-?\\d+)\\s*([-+*/])\\s*(-?\\d+)\\s*\\?");

    /** One request as the server saw it. */
    public record Logged(String model, String prompt, int attempt, int status) {
        public boolean ok() {
            return status == 200;
        }
    }

    private final List<Logged> log = new ArrayList<>();
    private final Map<String, Integer> attempts = new HashMap<>();

    /** Every chat request so far, in arrival order. */
    public synchronized List<Logged> log() {
        return List.copyOf(log);
    }

    /** Chat requests so far. */
    public synchronized int requests() {
        return log.size();
    }

    /** Successful requests so far. */
    public synchronized long successes() {
        return log.stream().filter(Logged::ok).count();
    }

    /** Distinct (model, prompt) pairs answered successfully at least once. */
    public synchronized long distinctSucceeded() {
        return log.stream().filter(Logged::ok).map(r -> r.model() + "\u0000" + r.prompt()).distinct().count();
    }

    /** The largest number of successful answers any one (model, prompt) got. */
    public synchronized int maxSuccessesPerCall() {
        Map<String, Integer> n = new HashMap<>();
        log.stream().filter(Logged::ok).forEach(r -> n.merge(r.model() + "\u0000" + r.prompt(), 1, Integer::sum));
        return n.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** How the flaky model treats the first request of a prompt (0 = answers). */
    static int flakyStatus(String prompt) {
        int u = Math.floorMod(hash(prompt).hashCode(), 1000);
        return u < 240 ? 500 : u < 300 ? 429 : 200;
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Reply reply(Request request) throws InterruptedException {
        if (!request.path().endsWith("/chat/completions")) {
            return Reply.of(404, "{\"error\":{\"message\":\"not found\"}}");
        }
        String model = request.model();
        String p = request.prompt();
        int status;
        synchronized (this) {
            int attempt = attempts.merge(model + "\u0000" + p, 1, Integer::sum) - 1;
            status = !MODELS.contains(model) ? 404 : model.equals("flaky") && attempt == 0 ? flakyStatus(p)
                    : model.equals("stubborn") && attempt < STUBBORN_FAILURES && Math.floorMod(hash(p).hashCode(), 5) == 0 ? 503 : 200;
            log.add(new Logged(model, hash(p), attempt, status));
        }
        return switch (status) {
            case 404 -> Reply.of(404, "{\"error\":{\"message\":\"model '" + model + "' not found\"}}");
            case 500 -> Reply.of(500, "{\"error\":{\"message\":\"injected failure\",\"type\":\"server_error\"}}");
            case 503 -> Reply.of(503, "{\"error\":{\"message\":\"overloaded (injected)\"}}");
            case 429 -> Reply.of(429, "{\"error\":{\"message\":\"rate limited (injected)\"}}").withHeader("Retry-After", "0");
            default -> {
                String answer = model.equals("const") ? "42" : solve(p);
                Reply ok = Reply.ok(answer, Math.max(1, p.length() / 4), Math.max(1, answer.length() / 4));
                yield model.equals("slow") ? ok.delayed(SLOW_MS) : ok;
            }
        };
    }

    static String solve(String prompt) {
        Matcher m = QUESTION.matcher(prompt);
        String a = null;
        String op = null;
        String b = null;
        while (m.find()) {
            a = m.group(1);
            op = m.group(2);
            b = m.group(3);
        }
        if (a == null) {
            return "I cannot tell.";
        }
        long x = Long.parseLong(a);
        long y = Long.parseLong(b);
        return switch (op) {
            case "+" -> Long.toString(x + y);
            case "-" -> Long.toString(x - y);
            case "*" -> Long.toString(x * y);
            default -> y == 0 ? "undefined" : x % y == 0 ? Long.toString(x / y) : Double.toString(x / (double) y);
        };
    }

    /** The environment a suite of {@link #writeSuite} needs: the server's URL and a key. */
    public static Map<String, String> env(FakeOpenAiServer server) {
        return Map.of("ARITH_URL", server.baseUrl(), "ARITH_KEY", "sk-arith-test-0d1e");
    }

    /**
     * Writes a live suite to {@code dir}: suite.yaml, {@code n} arithmetic tasks (groups add/sub/mul/div) and a
     * registry of the four models behind {@code ${ARITH_URL}} with the key in {@code ARITH_KEY}, one skill
     * {@code direct}. Prices are nominal so the budget has something to count.
     */
    public static Path writeSuite(Path dir, int n) throws IOException {
        Files.createDirectories(dir.resolve("registry/skills/direct"));
        Files.writeString(dir.resolve("registry/models.yaml"), """
                name: arith-live
                description: Four models behind one fake OpenAI-compatible server on 127.0.0.1 (prices are nominal).
                defaults:
                  backend: openai
                  base-url: ${ARITH_URL}
                  api-key-env: ARITH_KEY
                  max-concurrency: 4
                  timeout: 20s
                models:
                  - id: calc
                    model-name: calc
                    modalities: [text, image]
                    description: "Exact arithmetic model: answers every 'What is A op B?' question correctly."
                    price: {input-per-1m: 2.00, output-per-1m: 4.00}
                  - id: const
                    model-name: const
                    description: "Very cheap model that always answers 42, whatever the question."
                    price: {input-per-1m: 0.05, output-per-1m: 0.05}
                  - id: flaky
                    model-name: flaky
                    max-concurrency: 1
                    description: "Accurate arithmetic model behind an unreliable endpoint (HTTP 500 or 429 on about 30% of requests)."
                    price: {input-per-1m: 0.50, output-per-1m: 1.00}
                  - id: slow
                    model-name: slow
                    max-concurrency: 2
                    description: "Accurate arithmetic model that takes its time."
                    price: {input-per-1m: 1.00, output-per-1m: 2.00}
                """);
        Files.writeString(dir.resolve("registry/skills/direct/SKILL.md"), """
                ---
                name: direct
                level: 1
                description: Direct answer; the model replies with the final number only.
                modalities: [text]
                ---
                Answer the following question. Reply with the final number only.

                {question}
                """);
        Files.writeString(dir.resolve("suite.yaml"), """
                name: arith
                tasks: tasks.jsonl
                registry: registry
                split: {salt: maestro-v1, test: 0.5, validation: 0.2}
                grading: {relative-tolerance: 0}
                router-keywords:
                  add: [" + "]
                  mul: [" * "]
                """);
        StringBuilder tasks = new StringBuilder();
        SplittableRandom rnd = new SplittableRandom(20261205);
        String[] ops = {"+", "-", "*", "/"};
        String[] groups = {"add", "sub", "mul", "div"};
        for (int i = 0; i < n; i++) {
            int k = i % 4;
            long a = rnd.nextInt(10, 999);
            long b = rnd.nextInt(2, 60);
            if (k == 3) {
                a = b * rnd.nextInt(2, 40);
            }
            String q = "What is " + a + " " + ops[k] + " " + b + "?";
            String gold = solve(q);
            tasks.append(String.format(Locale.ROOT,
                    "{\"id\":\"arith-%02d\",\"source\":\"arith\",\"question\":\"%s\",\"answer\":\"%s\",\"group\":\"%s\"}%n",
                    i + 1, q, gold, groups[k]));
        }
        Files.writeString(dir.resolve("tasks.jsonl"), tasks.toString());
        return dir;
    }
}
