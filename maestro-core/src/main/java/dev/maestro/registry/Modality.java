package dev.maestro.registry;

import dev.maestro.MaestroException;
import java.util.Locale;

/** Input modalities a model or skill accepts. */
public enum Modality {
    TEXT,
    IMAGE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Modality parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "image", "images", "vision" -> IMAGE;
            default -> throw new MaestroException("unknown modality '" + text + "'; valid: text, image");
        };
    }
}
