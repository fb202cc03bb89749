package dev.maestro.langchain4j;

import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.maestro.MaestroException;
import dev.maestro.runtime.Answer;
import dev.maestro.runtime.Maestro;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A LangChain4j chat request as one Maestro question, and Maestro's answer as a chat response. Maestro answers
 * questions, not conversations: system messages become instructions before the question, earlier turns become a
 * transcript, and the last user message is the question. Images (base64 data, or {@code file:} URLs) are written to
 * a temporary folder for the call and deleted after it. Tools are refused: Maestro's calls are its own.
 */
final class Conversation {
    private Conversation() {
    }

    /** Asks Maestro the request's question and returns the chat response with the ledger in its metadata. */
    static ChatResponse answer(Maestro maestro, ChatRequest request) {
        if (request.toolSpecifications() != null && !request.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("Maestro chooses and calls its own experts; LangChain4j tools are not "
                    + "supported by the Maestro chat model");
        }
        Path dir = null;
        try {
            List<Path> images = new ArrayList<>();
            StringBuilder instructions = new StringBuilder();
            StringBuilder transcript = new StringBuilder();
            String question = null;
            List<ChatMessage> messages = request.messages();
            int lastUser = -1;
            for (int i = 0; i < messages.size(); i++) {
                if (messages.get(i) instanceof UserMessage) {
                    lastUser = i;
                }
            }
            if (lastUser < 0) {
                throw new MaestroException("the chat request has no user message; Maestro answers the last user message");
            }
            for (int i = 0; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                if (m instanceof SystemMessage s) {
                    instructions.append(s.text()).append('\n');
                } else if (m instanceof UserMessage u) {
                    StringBuilder text = new StringBuilder();
                    for (Content c : u.contents()) {
                        if (c instanceof TextContent t) {
                            text.append(text.isEmpty() ? "" : "\n").append(t.text());
                        } else if (c instanceof ImageContent img && i == lastUser) {
                            if (dir == null) {
                                dir = Files.createTempDirectory("maestro-lc4j-");
                            }
                            images.add(image(img.image(), dir, images.size()));
                        } else if (!(c instanceof ImageContent)) {
                            throw new UnsupportedFeatureException("the Maestro chat model takes text and images, not "
                                    + c.type().name().toLowerCase(Locale.ROOT) + " content");
                        }
                    }
                    if (i == lastUser) {
                        question = text.toString();
                    } else {
                        transcript.append("User: ").append(text).append('\n');
                    }
                } else if (m instanceof AiMessage a && i < lastUser) {
                    transcript.append("Assistant: ").append(a.text() == null ? "" : a.text()).append('\n');
                } else {
                    throw new UnsupportedFeatureException("the Maestro chat model does not take " + m.type() + " messages");
                }
            }
            String full = (instructions.isEmpty() ? "" : "Instructions: " + instructions.toString().strip() + "\n\n")
                    + (transcript.isEmpty() ? "" : "Conversation so far:\n" + transcript + "\nQuestion: ") + question;
            Answer a = maestro.answer(full, images);
            if (!a.answered() || a.text().isBlank()) {
                // e.g. every call failed and the policy had nothing to answer with: say so, never return ""
                throw new MaestroException("Maestro gave no answer (" + a.calls() + " calls, $" + a.costUsd() + "): "
                        + String.join("; ", a.errors()));
            }
            Ledger ledger = Ledger.of(a);
            TokenUsage usage = new TokenUsage((int) Math.min(Integer.MAX_VALUE, ledger.inputTokens()),
                    (int) Math.min(Integer.MAX_VALUE, ledger.outputTokens()));
            return ChatResponse.builder()
                    .aiMessage(AiMessage.from(a.text()))
                    .metadata(MaestroChatResponseMetadata.maestroBuilder().ledger(ledger).modelName("maestro:" + a.policy())
                            .tokenUsage(usage).finishReason(FinishReason.STOP).build())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the request's images to a temporary folder", e);
        } finally {
            delete(dir);
        }
    }

    private static Path image(Image image, Path dir, int index) throws IOException {
        if (image.base64Data() != null) {
            String ext = switch (image.mimeType() == null ? "" : image.mimeType().toLowerCase(Locale.ROOT)) {
                case "image/jpeg", "image/jpg" -> "jpg";
                case "image/gif" -> "gif";
                case "image/webp" -> "webp";
                case "image/bmp" -> "bmp";
                default -> "png";
            };
            return Files.write(dir.resolve("image-" + index + "." + ext), Base64.getDecoder().decode(image.base64Data()));
        }
        URI url = image.url();
        if (url != null && "file".equalsIgnoreCase(url.getScheme())) {
            return Path.of(url);
        }
        throw new UnsupportedFeatureException("the Maestro chat model takes images as base64 data or file: URLs; it does "
                + "not fetch " + (url == null ? "this image" : url.getScheme() + ": URLs"));
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
