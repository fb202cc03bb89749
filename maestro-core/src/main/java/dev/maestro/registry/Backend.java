package dev.maestro.registry;

import dev.maestro.MaestroException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an expert model is reached. */
public enum Backend {
    /** Any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, OpenAI, ...). */
    OPENAI,
    /** Recorded outputs of real models, replayed from a JSONL(.gz) file. */
    REPLAY,
    /** A seeded IRT-style simulation; every number it produces is labelled simulated. */
    SIMULATED,
    /** No model: the skill is tool-only. */
    NONE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Backend parse(String text) {
        for (Backend b : values()) {
            if (b.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return b;
            }
        }
        throw new MaestroException("unknown backend '" + text + "'; valid: "
                + Arrays.stream(values()).map(Backend::id).collect(Collectors.joining(", ")));
    }
}
