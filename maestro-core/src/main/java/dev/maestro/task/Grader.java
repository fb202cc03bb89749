package dev.maestro.task;
/** TEMP STUB — replaced by the tasks branch. */
public interface Grader { double grade(Task task, String answer); }
