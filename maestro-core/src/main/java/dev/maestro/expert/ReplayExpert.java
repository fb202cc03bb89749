package dev.maestro.expert;

import dev.maestro.MaestroException;
import dev.maestro.registry.ModelCard;
import dev.maestro.task.Task;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Replays recorded outputs of a real model ({@code backend: replay}).
 *
 * <p>The record is looked up by (task id, model id, recorded skill), where the recorded skill is
 * {@code task.metadata()["recorded-skill:" + skill]} when present (BlindTest prompt slots) and the
 * skill name otherwise. A missing record is a {@link ExpertError.Kind#NOT_RECORDED} failure, never
 * a guess.
 *
 * <p>Usage comes from the row's {@code tokens} when recorded. Otherwise it is an <b>estimate</b>:
 * input = the {@code input-tokens} setting when given (a fixed prompt size, e.g. MMLU-Pro's 5-shot prompt,
 * whose text is not shipped), else prompt characters / 4 + {@code image-tokens} (default
 * {@value #DEFAULT_IMAGE_TOKENS}) per image; output ≈ response characters / 4, or {@code output-tokens} (default
 * {@value #DEFAULT_OUTPUT_TOKENS}) when the row has no response text. {@link #estimatesUsage}
 * tells which. Cost is always {@code price × usage} so the registry's prices stay the single source
 * of truth (a row's {@code cost_usd} is kept in {@link RecordedOutputs.Row} but not used). Latency is
 * the row's {@code latency_ms}, else the {@code latency-ms} setting, else
 * {@value #DEFAULT_LATENCY_MS} ms.
 *
 * <p>Settings: {@code recorded} (path to the JSONL(.gz) file, required), {@code recorded-model}
 * (the model name in the file when it differs from the id), {@code input-tokens}, {@code image-tokens},
 * {@code output-tokens}, {@code latency-ms}.
 */
public final class ReplayExpert implements Expert {
    /** Rough prompt tokens of one image (OpenAI's high-detail 512×512 tile count: 85 + 4 × 170). */
    public static final int DEFAULT_IMAGE_TOKENS = 765;
    /** Output tokens assumed when a row has no response text (BlindTest: a short answer with some reasoning). */
    public static final int DEFAULT_OUTPUT_TOKENS = 64;
    /** Latency assumed when neither the row nor the settings give one. */
    public static final double DEFAULT_LATENCY_MS = 1000;
    /** Characters per token for the estimate (the usual English rule of thumb). */
    public static final int CHARS_PER_TOKEN = 4;

    private final ModelCard model;
    private final RecordedOutputs outputs;
    private final String recordedModel;
    private final OptionalLong inputTokens;
    private final long imageTokens;
    private final long outputTokens;
    private final double latencyMs;

    private ReplayExpert(ModelCard model, RecordedOutputs outputs) {
        this.model = model;
        this.outputs = outputs;
        this.recordedModel = BackendSettings.string(model, "recorded-model").orElse(model.id());
        this.inputTokens = BackendSettings.number(model, "input-tokens")
                .map(v -> OptionalLong.of(Math.round(v))).orElse(OptionalLong.empty());
        this.imageTokens = Math.round(BackendSettings.number(model, "image-tokens").orElse((double) DEFAULT_IMAGE_TOKENS));
        this.outputTokens = Math.round(BackendSettings.number(model, "output-tokens").orElse((double) DEFAULT_OUTPUT_TOKENS));
        this.latencyMs = BackendSettings.number(model, "latency-ms").orElse(DEFAULT_LATENCY_MS);
    }

    /** A replay expert reading {@code settings.recorded} strictly (shared, cached index). */
    public static ReplayExpert create(ModelCard model) {
        return create(model, RecordedOutputs.Mode.STRICT);
    }

    /** A replay expert reading {@code settings.recorded} in the given mode (shared, cached index). */
    public static ReplayExpert create(ModelCard model, RecordedOutputs.Mode mode) {
        Path file = BackendSettings.path(model, "recorded").orElseThrow(() -> new MaestroException(
                "model '" + model.id() + "' (backend replay) needs setting 'recorded': the recorded outputs JSONL(.gz) file"));
        return new ReplayExpert(model, RecordedOutputs.load(file, mode));
    }

    /** A replay expert over an already loaded index. */
    public static ReplayExpert create(ModelCard model, RecordedOutputs outputs) {
        return new ReplayExpert(model, outputs);
    }

    public ModelCard model() {
        return model;
    }

    public RecordedOutputs outputs() {
        return outputs;
    }

    /** The skill name the rows use for this request (BlindTest maps prompt slots to recorded skills). */
    public static String recordedSkill(ExpertRequest request) {
        String skill = request.skill().name();
        return request.task().metadata().getOrDefault("recorded-skill:" + skill, skill);
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        String skill = recordedSkill(request);
        Optional<RecordedOutputs.Row> found = outputs.find(request.task().id(), recordedModel, skill);
        if (found.isEmpty()) {
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.NOT_RECORDED,
                    "no recorded output for task " + request.task().id() + ", model " + recordedModel + ", skill " + skill),
                    0);
        }
        RecordedOutputs.Row row = found.get();
        Usage usage = usage(request, row);
        double cost = model.price().cost(usage.inputTokens(), usage.outputTokens());
        double latency = row.latencyMs().orElse(latencyMs);
        return new ExpertReply(row.response(), row.answer(), row.correct(), usage, cost, latency, Optional.empty(), false);
    }

    /** Whether some recorded output of this model for the task carries a correctness flag (grading data). */
    public boolean hasFlag(Task task) {
        for (String skill : outputs.skills(recordedModel)) {
            if (outputs.find(task.id(), recordedModel, skill).flatMap(RecordedOutputs.Row::correct).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the usage (and so the cost) of this request's reply is estimated rather than recorded. */
    public boolean estimatesUsage(ExpertRequest request) {
        return outputs.find(request.task().id(), recordedModel, recordedSkill(request))
                .map(r -> r.inputTokens().isEmpty() || r.outputTokens().isEmpty())
                .orElse(false);
    }

    private Usage usage(ExpertRequest request, RecordedOutputs.Row row) {
        long in = row.inputTokens().isPresent() ? row.inputTokens().getAsLong()
                : inputTokens.isPresent() ? inputTokens.getAsLong()
                : ceilDiv(request.prompt().length(), CHARS_PER_TOKEN) + imageTokens * request.images().size();
        long out = row.outputTokens().isPresent() ? row.outputTokens().getAsLong()
                : row.response().map(t -> ceilDiv(t.length(), CHARS_PER_TOKEN)).orElse(outputTokens);
        return new Usage(in, out);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return "ReplayExpert[" + model.id() + " <- " + outputs.source() + "]";
    }
}
