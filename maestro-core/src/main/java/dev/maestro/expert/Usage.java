package dev.maestro.expert;

/** Token usage of one call. */
public record Usage(long inputTokens, long outputTokens) {
    public static final Usage NONE = new Usage(0, 0);

    public Usage plus(Usage o) {
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens);
    }

    public long total() {
        return inputTokens + outputTokens;
    }
}
