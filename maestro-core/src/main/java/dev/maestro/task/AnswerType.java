package dev.maestro.task;

/** How a task's answer is compared with gold. */
public enum AnswerType {
    /** A multiple-choice letter (option text is mapped to its letter). */
    CHOICE,
    /** A number: exact, fraction, or within the suite's relative tolerance. */
    NUMBER,
    /** Free text compared after normalisation. */
    TEXT,
    /** No gold is known; only a recorded correctness flag can grade it. */
    UNKNOWN
}
