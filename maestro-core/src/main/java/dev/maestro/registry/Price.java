package dev.maestro.registry;

import dev.maestro.MaestroException;

/** Price in US dollars per one million input and output tokens. */
public record Price(double inputPerMillion, double outputPerMillion) {
    public static final Price FREE = new Price(0, 0);

    public Price {
        if (!(inputPerMillion >= 0) || !(outputPerMillion >= 0)) {
            throw new MaestroException("a price per 1M tokens must be a finite number >= 0; got input " + inputPerMillion
                    + ", output " + outputPerMillion);
        }
    }

    public double cost(long inputTokens, long outputTokens) {
        return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
    }
}
