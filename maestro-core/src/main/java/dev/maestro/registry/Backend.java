package dev.maestro.registry;

import dev.maestro.MaestroException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an expert model is reached. */
public enum Backend {
    /** Any OpenAI-compatible chat-completions endpoint (vLLM, Ollama's /v1, OpenAI, ...). */
    OPENAI,
    /** Anthropic's Messages API ({@code /v1/messages}). */
    ANTHROPIC,
    /** Google's Gemini API ({@code models/NAME:generateContent}). */
    GEMINI,
    /** An Azure OpenAI deployment ({@code openai/deployments/NAME/chat/completions?api-version=...}). */
    AZURE_OPENAI,
    /** Ollama's native chat API ({@code /api/chat}). */
    OLLAMA,
    /** Recorded outputs of real models, replayed from a JSONL(.gz) file. */
    REPLAY,
    /** A seeded IRT-style simulation; every number it produces is labelled simulated. */
    SIMULATED,
    /** No model: the skill is tool-only. */
    NONE;

    /** The name written in {@code models.yaml}: lower case, words joined by '-' (e.g. {@code azure-openai}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Whether models of this backend are called over the network: they get retries, the circuit breaker, the
     * concurrency limit, the record/replay cache and request counting, and read the request and resilience keys.
     */
    public boolean live() {
        return switch (this) {
            case OPENAI, ANTHROPIC, GEMINI, AZURE_OPENAI, OLLAMA -> true;
            case REPLAY, SIMULATED, NONE -> false;
        };
    }

    public static Backend parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Backend b : values()) {
            if (b.id().equals(wanted)) {
                return b;
            }
        }
        throw new MaestroException("unknown backend '" + text + "'; valid: "
                + Arrays.stream(values()).map(Backend::id).collect(Collectors.joining(", ")));
    }
}
