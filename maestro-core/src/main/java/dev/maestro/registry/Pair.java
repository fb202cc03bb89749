package dev.maestro.registry;

import dev.maestro.MaestroException;

/** A callable (model, skill) pair, written {@code model@@skill} as in the paper's protocol. */
public record Pair(String model, String skill) implements Comparable<Pair> {
    public Pair {
        if (model == null || model.isBlank() || skill == null || skill.isBlank()) {
            throw new MaestroException("a pair needs a model and a skill, written MODEL@@SKILL; got '" + model + "@@" + skill + "'");
        }
    }

    public String id() {
        return model + "@@" + skill;
    }

    public static Pair parse(String id) {
        int at = id.indexOf("@@");
        if (at < 0) {
            throw new MaestroException("a pair is written MODEL@@SKILL, got '" + id + "'");
        }
        return new Pair(id.substring(0, at).trim(), id.substring(at + 2).trim());
    }

    @Override
    public int compareTo(Pair o) {
        return id().compareTo(o.id());
    }

    @Override
    public String toString() {
        return id();
    }
}
