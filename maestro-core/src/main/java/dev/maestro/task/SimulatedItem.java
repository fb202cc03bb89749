package dev.maestro.task;

import java.util.ArrayList;
import java.util.List;

/** One generated task before it is written. */
record SimulatedItem(String template, String question, List<String> options, String answer, AnswerType type,
        List<String> distractors, double baseDifficulty) {

    static SimulatedItem choice(String template, String q, List<String> options, int goldIndex, double difficulty) {
        return new SimulatedItem(template, q, List.copyOf(options), String.valueOf((char) ('A' + goldIndex)), AnswerType.CHOICE,
                List.of(), difficulty);
    }

    /** Options are the gold plus wrong ones in random order. */
    static SimulatedItem choiceShuffled(SimulatedRandom g, String template, String q, String gold, List<String> wrong, double difficulty) {
        List<String> opts = new ArrayList<>(wrong);
        opts.add(gold);
        g.shuffle(opts);
        return choice(template, q, opts, opts.indexOf(gold), difficulty);
    }

    /** What makes two tasks the same task: the same question with the same options. */
    String key() {
        return question + "\u0000" + String.join("\u0000", options);
    }

    static SimulatedItem number(String template, String q, String answer, double difficulty) {
        return new SimulatedItem(template, q, List.of(), answer, AnswerType.NUMBER, List.of(), difficulty);
    }

    static SimulatedItem text(String template, String q, String answer, List<String> distractors, double difficulty) {
        return new SimulatedItem(template, q, List.of(), answer, AnswerType.TEXT, List.copyOf(distractors), difficulty);
    }
}
