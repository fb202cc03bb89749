package dev.maestro.expert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.Seeds;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.ModelKeys;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A seeded simulation of an expert model (backend {@code simulated}). Whether a call is correct is
 * drawn with probability {@code sigmoid(ability(model, skill, group) - difficulty(task))} from the
 * model's {@link SimulatedProfile}; a correct draw answers the gold, a wrong draw a plausible wrong
 * answer of the same type. Tokens and latency are sampled around the card's means and priced by the
 * card. Every reply is marked {@link ExpertReply#simulated()}; nothing is slept, so latency is a
 * number, not wall time.
 *
 * <p>Settings ({@link ModelCard#settings()}): {@code profile} (required, see {@link SimulatedProfile}),
 * {@code seed} (default 0), {@code mean-output-tokens} (default 256), {@code latency-ms} (mean,
 * default 1000), {@code latency-sigma} and {@code output-tokens-sigma} (log-scale spread, default 0.35).
 *
 * <p>Determinism: the outcome (correct or not, and which wrong answer) is a pure function of
 * (seed, model id, skill name — a level-2 skill's parent router's —, task id, sampling seed), so a frozen model asked the same task with
 * the same skill answers the same way however the policy words its input — like a recorded
 * dataset. The text wording, token counts and latency additionally depend on the prompt, so the
 * same call gives the same reply, byte for byte, on any thread and in any order.
 */
public final class SimulatedExpert implements Expert {
    /** Settings keys this backend understands. */
    public static final Set<String> SETTINGS = Set.copyOf(ModelKeys.SIMULATED);
    /** Input tokens charged per attached image (a typical ViT patch budget; tasks of the paper-sim suite have none). */
    public static final int TOKENS_PER_IMAGE = 256;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] LEADS = {
        "Let me work through this step by step.",
        "First, I identify what the question is asking and the relevant quantities.",
        "I will read the details carefully and check each possibility.",
        "Looking at the information given, I reason about it systematically.",
    };
    private static final String[] MIDDLES = {
        "Comparing the candidates against the stated facts narrows it down to one result.",
        "Carrying out the computation and double-checking the key step gives a single result.",
        "The evidence points most consistently to one conclusion.",
        "After checking the remaining possibilities, one result fits best.",
    };

    private final ModelCard model;
    private final SimulatedProfile profile;
    private final long seed;
    private final double meanOutputTokens;
    private final double latencyMs;
    private final double latencySigma;
    private final double outputSigma;

    private SimulatedExpert(ModelCard model, SimulatedProfile profile, long seed, double meanOutputTokens,
            double latencyMs, double latencySigma, double outputSigma) {
        this.model = model;
        this.profile = profile;
        this.seed = seed;
        this.meanOutputTokens = meanOutputTokens;
        this.latencyMs = latencyMs;
        this.latencySigma = latencySigma;
        this.outputSigma = outputSigma;
    }

    /**
     * Validates the card's settings and builds the expert; usable as an {@link ExpertFactory}
     * ({@code SimulatedExpert::create}).
     *
     * @throws MaestroException naming the model and the field when a setting is missing or wrong
     */
    public static SimulatedExpert create(ModelCard model) {
        String where = "model '" + model.id() + "' (backend simulated)";
        if (model.backend() != Backend.SIMULATED) {
            throw new MaestroException("model '" + model.id() + "' has backend " + model.backend().id()
                    + "; SimulatedExpert serves only backend simulated");
        }
        Map<String, Object> s = model.settings();
        for (String k : s.keySet()) {
            if (!SETTINGS.contains(k)) {
                throw new MaestroException(where + ": unknown setting '" + k + "'; valid: " + new TreeSet<>(SETTINGS));
            }
        }
        if (!s.containsKey("profile")) {
            throw new MaestroException(where + ": missing setting 'profile' (a map with keys default, skills, groups, pairs)");
        }
        SimulatedProfile profile = SimulatedProfile.parse(where, s.get("profile"));
        double seedNumber = s.containsKey("seed") ? SimulatedProfile.number(where, "seed", s.get("seed")) : 0;
        if (seedNumber != Math.rint(seedNumber)) {
            throw new MaestroException(where + ": 'seed' must be an integer, got " + seedNumber);
        }
        double out = positive(where, s, "mean-output-tokens", 256);
        double lat = positive(where, s, "latency-ms", 1000);
        double latSigma = nonNegative(where, s, "latency-sigma", 0.35);
        double outSigma = nonNegative(where, s, "output-tokens-sigma", 0.35);
        return new SimulatedExpert(model, profile, (long) seedNumber, out, lat, latSigma, outSigma);
    }

    public ModelCard model() {
        return model;
    }

    public SimulatedProfile profile() {
        return profile;
    }

    /**
     * The probability that this model, with this skill, answers this task correctly. Exposed so
     * evaluations can compute expected accuracies and oracles without sampling.
     *
     * @throws MaestroException when the task's {@code difficulty} metadata is not a number
     */
    public double probabilityCorrect(Task task, SkillCard skill) {
        return profile.probabilityCorrect(skill.name(), skill.parent(), task.group(), difficulty(task));
    }

    /** A task's difficulty: metadata {@code difficulty} as a number, 0 when absent. */
    public static double difficulty(Task task) {
        String d = task.metadata().get("difficulty");
        if (d == null || d.isBlank()) {
            return 0.0;
        }
        try {
            double v = Double.parseDouble(d.trim());
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the task id
        }
        throw new MaestroException("task '" + task.id() + "': metadata 'difficulty' must be a finite number, got '" + d + "'");
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        Task task = request.task();
        boolean hasImages = task.hasImages() || !request.images().isEmpty();
        if (hasImages && !model.modalities().contains(Modality.IMAGE)) {
            return failure(ExpertError.Kind.INVALID_REQUEST, "model " + model.id() + " does not accept images");
        }
        String skill = request.skill().name();
        Optional<String> gold = task.goldFor(skill);
        if (gold.isEmpty() || task.answerType() == AnswerType.UNKNOWN) {
            return failure(ExpertError.Kind.INVALID_REQUEST, "task " + task.id()
                    + " has no gold answer; the simulated backend needs one to simulate an answer");
        }
        double p;
        try {
            p = probabilityCorrect(task, request.skill());
        } catch (MaestroException e) {
            return failure(ExpertError.Kind.INVALID_REQUEST, e.getMessage());
        }

        long samplingSeed = request.sampling().seed().orElse(0L);
        // The outcome stream ignores the prompt: see the class comment. It is keyed by the level-1 skill the
        // policy called: a level-2 skill reached through its router's rules draws the router's random number
        // (with its own probability), so adding rule routing to a router does not reshuffle simulated outcomes.
        String drawn = request.skill().level() == 2 ? request.skill().parent().orElse(skill) : skill;
        SplittableRandom outcome = new SplittableRandom(Seeds.fold(seed, hash(model.id()), hash(drawn), hash(task.id()),
                samplingSeed));
        boolean correct = outcome.nextDouble() < p;
        String answer = correct ? gold.get() : wrongAnswer(task, gold.get(), outcome);

        SplittableRandom noise = new SplittableRandom(Seeds.fold(seed ^ 0x5DEECE66DL, hash(model.id()), hash(drawn),
                hash(task.id()), samplingSeed, hash(request.prompt())));
        String text = LEADS[noise.nextInt(LEADS.length)] + " " + MIDDLES[noise.nextInt(MIDDLES.length)]
                + " The answer is " + answer + ".";
        long input = (long) Math.ceil(request.prompt().length() / 4.0) + (long) TOKENS_PER_IMAGE * request.images().size();
        long output = Math.max(1, Math.round(meanOutputTokens * meanOneLogNormal(noise, outputSigma)));
        output = Math.min(output, Math.max(1, request.sampling().maxTokens()));
        double latency = latencyMs * meanOneLogNormal(noise, latencySigma);
        Usage usage = new Usage(input, output);
        return new ExpertReply(Optional.of(text), Optional.of(answer), Optional.empty(), usage,
                model.price().cost(input, output), latency, Optional.empty(), true);
    }

    /**
     * A wrong answer a real model could plausibly give: another option letter, a nearby number
     * (at least 5% or 1 away, so no sane numeric tolerance grades it right), or a listed distractor.
     */
    static String wrongAnswer(Task task, String gold, SplittableRandom rnd) {
        return switch (task.answerType()) {
            case CHOICE -> wrongLetter(task, gold, rnd);
            case NUMBER -> wrongNumber(gold, rnd);
            case TEXT, UNKNOWN -> wrongText(task, gold, rnd);
        };
    }

    private static String wrongLetter(Task task, String gold, SplittableRandom rnd) {
        int n = task.options().isEmpty() ? 4 : task.options().size();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String letter = String.valueOf((char) ('A' + i));
            if (!letter.equalsIgnoreCase(gold.trim())) {
                others.add(letter);
            }
        }
        return others.isEmpty() ? "A".equalsIgnoreCase(gold.trim()) ? "B" : "A" : others.get(rnd.nextInt(others.size()));
    }

    private static String wrongNumber(String gold, SplittableRandom rnd) {
        BigDecimal g;
        try {
            g = new BigDecimal(gold.trim().replace(",", ""));
        } catch (NumberFormatException e) {
            // Gold written as a fraction or expression: a plain nearby integer is still a plausible slip.
            String guess = String.valueOf(1 + rnd.nextInt(9));
            return guess.equals(gold.trim()) ? "10" : guess;
        }
        int scale = Math.max(0, g.scale());
        double abs = Math.abs(g.doubleValue());
        BigDecimal step = BigDecimal.ONE.movePointLeft(scale);
        double minDelta = Math.max(step.doubleValue(), scale == 0 ? Math.ceil(0.05 * abs) : 0.05 * abs);
        double maxDelta = scale == 0 ? Math.max(minDelta + 2, Math.ceil(0.2 * abs)) : Math.max(2 * minDelta, 0.2 * abs);
        double delta = minDelta + rnd.nextDouble() * (maxDelta - minDelta);
        boolean down = rnd.nextBoolean();
        // Counts, lengths and prices are non-negative: stay on the gold's side of zero.
        if (g.signum() >= 0 && g.doubleValue() - delta < 0) {
            down = false;
        }
        BigDecimal d = BigDecimal.valueOf(delta).setScale(scale, RoundingMode.UP);
        if (d.compareTo(step) < 0) {
            d = step;
        }
        BigDecimal wrong = down ? g.subtract(d) : g.add(d);
        return wrong.setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }

    private static String wrongText(Task task, String gold, SplittableRandom rnd) {
        List<String> others = new ArrayList<>();
        for (String d : distractors(task)) {
            if (!normalise(d).equals(normalise(gold)) && !others.contains(d)) {
                others.add(d);
            }
        }
        if (!others.isEmpty()) {
            return others.get(rnd.nextInt(others.size()));
        }
        // No distractors listed: a misread character, the typical slip of a reader.
        String g = gold.trim();
        if (g.length() < 2) {
            return g.equalsIgnoreCase("x") ? "y" : "x";
        }
        int i = rnd.nextInt(g.length() - 1);
        String swapped = g.substring(0, i) + g.charAt(i + 1) + g.charAt(i) + g.substring(i + 2);
        return normalise(swapped).equals(normalise(g)) ? g + g.charAt(g.length() - 1) : swapped;
    }

    /**
     * The task's metadata {@code distractors}: a JSON array (as text, e.g. {@code ["Paris","Lyon"]})
     * or a {@code |}-separated list.
     */
    public static List<String> distractors(Task task) {
        String raw = task.metadata().get("distractors");
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        String t = raw.trim();
        if (t.startsWith("[")) {
            try {
                return JSON.readValue(t, new TypeReference<List<String>>() { });
            } catch (IOException e) {
                return List.of();
            }
        }
        List<String> out = new ArrayList<>();
        for (String part : t.split("\\|")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static String normalise(String s) {
        return s.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    private ExpertReply failure(ExpertError.Kind kind, String message) {
        return new ExpertReply(Optional.empty(), Optional.empty(), Optional.empty(), Usage.NONE, 0, 0,
                Optional.of(ExpertError.of(kind, message)), true);
    }

    /** exp(sigma*z - sigma^2/2): log-normal with mean exactly 1, so the card's means are the sample means. */
    private static double meanOneLogNormal(SplittableRandom rnd, double sigma) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return Math.exp(sigma * z - sigma * sigma / 2);
    }

    private static double positive(String where, Map<String, Object> s, String key, double dflt) {
        double v = s.containsKey(key) ? SimulatedProfile.number(where, key, s.get(key)) : dflt;
        if (!(v > 0)) {
            throw new MaestroException(where + ": '" + key + "' must be > 0, got " + v);
        }
        return v;
    }

    private static double nonNegative(String where, Map<String, Object> s, String key, double dflt) {
        double v = s.containsKey(key) ? SimulatedProfile.number(where, key, s.get(key)) : dflt;
        if (!(v >= 0) || v > 3) {
            throw new MaestroException(where + ": '" + key + "' must be between 0 and 3, got " + v);
        }
        return v;
    }

    /** FNV-1a over UTF-8: stable across JVMs, unlike relying on identity or iteration order. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public String toString() {
        return "SimulatedExpert[" + model.id() + ", seed " + seed + "]";
    }
}
