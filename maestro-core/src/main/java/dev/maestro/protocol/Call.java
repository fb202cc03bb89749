package dev.maestro.protocol;

import dev.maestro.registry.Pair;

/** One expert call: {@code <search> model@@skill: input </search>}. */
public record Call(String model, String skill, String input) {
    public Call {
        input = input == null ? "" : input;
    }

    public Pair pair() {
        return new Pair(model, skill);
    }

    public static Call of(Pair pair, String input) {
        return new Call(pair.model(), pair.skill(), input);
    }
}
