package dev.maestro.task;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One task to solve.
 *
 * @param id              unique within its source
 * @param source          benchmark name, e.g. {@code math-v}
 * @param question        the question shown to the policy and the experts
 * @param options         multiple-choice options (texts), empty otherwise
 * @param answers         gold answers (any one is correct); empty when gold is unknown
 * @param answerType      how answers are compared
 * @param group           reporting group (subject, puzzle type, family)
 * @param images          image files, already resolved against the task file's folder
 * @param variants        per-skill question wording (BlindTest prompt variants); empty for most suites
 * @param answerByVariant per-skill gold where the gold depends on the wording
 * @param metadata        extra fields shown in reports; never policy features (may leak gold)
 * @param chat            the conversation and sampling request of a task built from a chat request ({@code maestro
 *                        serve}); {@link ChatContext#NONE} for tasks of a dataset
 */
public record Task(
        String id,
        String source,
        String question,
        List<String> options,
        List<String> answers,
        AnswerType answerType,
        String group,
        List<Path> images,
        Map<String, String> variants,
        Map<String, String> answerByVariant,
        Map<String, String> metadata,
        ChatContext chat) {

    public Task {
        options = List.copyOf(options);
        answers = List.copyOf(answers);
        images = List.copyOf(images);
        variants = Map.copyOf(variants);
        answerByVariant = Map.copyOf(answerByVariant);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(chat, "chat");
    }

    /** A task without a chat context (every dataset task). */
    public Task(String id, String source, String question, List<String> options, List<String> answers,
                AnswerType answerType, String group, List<Path> images, Map<String, String> variants,
                Map<String, String> answerByVariant, Map<String, String> metadata) {
        this(id, source, question, options, answers, answerType, group, images, variants, answerByVariant, metadata,
                ChatContext.NONE);
    }

    /** This task with the conversation and sampling request of the chat it came from. */
    public Task withChat(ChatContext c) {
        return new Task(id, source, question, options, answers, answerType, group, images, variants, answerByVariant,
                metadata, c);
    }

    public static Task text(String id, String question, String answer, String group) {
        return new Task(id, "inline", question, List.of(), List.of(answer), AnswerType.TEXT, group,
                List.of(), Map.of(), Map.of(), Map.of());
    }

    public boolean hasImages() {
        return !images.isEmpty();
    }

    public boolean hasGold() {
        return !answers.isEmpty() || !answerByVariant.isEmpty();
    }

    /** The question as worded for a skill (BlindTest variants), else the plain question. */
    public String questionFor(String skill) {
        return variants.getOrDefault(skill, question);
    }

    /** Gold for a skill's wording where it differs, else the first gold answer. */
    public Optional<String> goldFor(String skill) {
        String v = answerByVariant.get(skill);
        if (v != null) {
            return Optional.of(v);
        }
        return answers.isEmpty() ? Optional.empty() : Optional.of(answers.get(0));
    }
}
