package dev.maestro.episode;

import dev.maestro.expert.ExpertRequest;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.ChatContext;
import dev.maestro.task.Task;
import java.util.Locale;

/**
 * What a call will cost at most, estimated before it is made, so a budget ({@code max_cost}) is checked before the
 * call and not only after it ({@link Environment.Builder#costPrecheck}):
 * <ul>
 *   <li>input tokens ≈ characters / 4 of the skill template, the question, the policy's input and the chat history,
 *       plus {@value #TOKENS_PER_IMAGE} per image (OpenAI's count for a 1024×1024 image in high detail);</li>
 *   <li>output tokens: the call's token limit (the model card's {@code max-tokens}, else the chat request's
 *       {@code max_tokens}, else the runtime default 1024), the most it can be billed for;</li>
 *   <li>dollars: the model's price for those tokens.</li>
 * </ul>
 *
 * @param inputTokens  estimated prompt tokens
 * @param outputTokens the call's output token limit
 * @param costUsd      the model's price for them
 */
public record CostEstimate(long inputTokens, long outputTokens, double costUsd) {
    /** Tokens an image is estimated at. */
    public static final int TOKENS_PER_IMAGE = 765;

    /** Estimated tokens of a text: one per four characters, rounded up. */
    public static long tokens(String text) {
        return (text.length() + 3) / 4;
    }

    public static CostEstimate of(Task task, ModelCard model, SkillCard skill, String input) {
        ChatContext chat = task.chat();
        long chars = skill.template().length() + task.question().length() + input.length();
        long images = task.images().size();
        for (ChatContext.Message m : chat.history()) {
            chars += m.text().length() + 4;
            images += m.images().size();
        }
        long in = (chars + 3) / 4 + TOKENS_PER_IMAGE * images;
        long out = model.request().maxTokens().or(() -> chat.sampling().maxTokens())
                .orElse(ExpertRequest.Sampling.DEFAULT.maxTokens());
        return new CostEstimate(in, out, model.price().cost(in, out));
    }

    /** E.g. {@code $0.0123 (about 2,345 input tokens and up to 1,024 output tokens)}. */
    public String describe() {
        return String.format(Locale.ROOT, "$%.4f (about %,d input tokens and up to %,d output tokens at the model's price)",
                costUsd, inputTokens, outputTokens);
    }
}
