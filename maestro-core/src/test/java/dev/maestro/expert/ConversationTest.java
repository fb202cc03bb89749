package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import dev.maestro.registry.SkillCard;
import dev.maestro.skill.PromptSkillRunner;
import dev.maestro.task.ChatContext;
import dev.maestro.task.ChatContext.Message;
import dev.maestro.task.ChatContext.Role;
import dev.maestro.task.Task;
import dev.maestro.testkit.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A served conversation (system prompt, earlier turns with images, sampling) reaches the expert's request. */
class ConversationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private static Task chatTask(Path image, ChatContext.Sampling sampling) {
        ChatContext chat = ChatContext.of(List.of(
                Message.of(Role.SYSTEM, "You are terse."),
                new Message(Role.USER, "My number is 17.", List.of(image)),
                Message.of(Role.ASSISTANT, "Noted.")), sampling);
        return Task.text("chat-1", "Now multiply that by 2.", "34", "chat").withChat(chat);
    }

    private static JsonNode call(FakeOpenAiServer server, ModelCard model, SkillCard skill, Task task) throws Exception {
        ExpertReply r = new PromptSkillRunner(ExpertRequest.Sampling.DEFAULT).run(task, model, skill, "multiply 17 by 2",
                OpenAiExpert.create(model, Fixtures.env()));
        assertThat(r.ok()).as("%s", r.error()).isTrue();
        return JSON.readTree(server.received().get(server.received().size() - 1).body());
    }

    private static List<String> roles(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("messages").forEach(m -> out.add(m.get("role").asText()));
        return out;
    }

    @Test
    void should_send_the_system_prompt_and_earlier_turns_before_the_rendered_prompt(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("turn1.png"), PNG);
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            // given
            ModelCard model = Fixtures.openAiModel(server.baseUrl()).newBuilder()
                    .request(RequestSettings.builder().systemPrompt("Card prompt.").build()).build();
            SkillCard skill = SkillCard.simple("direct", "answer directly", "Task: {input}");

            // when
            JsonNode body = call(server, model, skill, chatTask(image, ChatContext.Sampling.NONE));

            // then
            assertThat(roles(body)).containsExactly("system", "system", "user", "assistant", "user");
            JsonNode m = body.get("messages");
            assertThat(m.get(0).get("content").asText()).isEqualTo("Card prompt.");
            assertThat(m.get(1).get("content").asText()).isEqualTo("You are terse.");
            assertThat(m.get(2).toString()).contains("My number is 17.").contains("data:image/png;base64,");
            assertThat(m.get(3).get("content").asText()).isEqualTo("Noted.");
            assertThat(m.get(4).toString()).contains("Task: multiply 17 by 2").doesNotContain("My number is 17");
        }
    }

    @Test
    void should_render_the_turns_in_place_when_the_template_asks_for_the_conversation(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("turn1.png"), PNG);
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            // given
            ModelCard model = Fixtures.openAiModel(server.baseUrl());
            SkillCard skill = SkillCard.simple("chat", "answer in context", "Conversation so far:\n{conversation}\n\nNow: {input}");

            // when
            JsonNode body = call(server, model, skill, chatTask(image, ChatContext.Sampling.NONE));

            // then: system prompts stay system messages; the turns are in the prompt; the turn's image comes with it
            assertThat(roles(body)).containsExactly("system", "user");
            String prompt = body.get("messages").get(1).toString();
            assertThat(prompt).contains("User: My number is 17. [1 image]").contains("Assistant: Noted.")
                    .contains("Now: multiply 17 by 2").contains("data:image/png;base64,");
        }
    }

    @Test
    void should_send_the_client_sampling_where_the_model_card_sets_nothing(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("turn1.png"), PNG);
        ChatContext.Sampling asked = new ChatContext.Sampling(Optional.of(0.7), Optional.of(0.5), Optional.of(77),
                Optional.of(3L), List.of("STOP"));
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            // given: the card pins the temperature only
            ModelCard model = Fixtures.openAiModel(server.baseUrl()).newBuilder()
                    .request(RequestSettings.builder().temperature(0.0).build()).build();
            SkillCard skill = SkillCard.simple("direct", "answer directly", "{input}");

            // when
            JsonNode body = call(server, model, skill, chatTask(image, asked));

            // then
            assertThat(body.get("temperature").asDouble()).as("models.yaml wins").isEqualTo(0.0);
            assertThat(body.get("top_p").asDouble()).isEqualTo(0.5);
            assertThat(body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt())).isEqualTo(77);
            assertThat(body.get("seed").asInt()).isEqualTo(3);
            assertThat(body.get("stop").get(0).asText()).isEqualTo("STOP");
        }
    }

    @Test
    void should_key_the_cache_on_the_history_and_keep_the_keys_of_requests_without_one(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("turn1.png"), PNG);
        ModelCard model = Fixtures.openAiModel("http://127.0.0.1:9/v1");
        ExpertRequest plain = Fixtures.request(model, "P");
        ExpertRequest withHistory = new ExpertRequest(plain.task(), model, plain.skill(), "P", List.of(), plain.sampling(),
                chatTask(image, ChatContext.Sampling.NONE).chat().history());
        ExpertRequest otherTurn = new ExpertRequest(plain.task(), model, plain.skill(), "P", List.of(), plain.sampling(),
                List.of(Message.of(Role.USER, "My number is 18.")));
        ExpertRequest samePlain = new ExpertRequest(plain.task(), model, plain.skill(), "P", List.of(),
                new ExpertRequest.Sampling(0.2, 1024, Optional.empty()), List.of());

        assertThat(CachingExpert.key(withHistory)).isNotEqualTo(CachingExpert.key(plain));
        assertThat(CachingExpert.key(otherTurn)).isNotEqualTo(CachingExpert.key(withHistory));
        assertThat(CachingExpert.key(samePlain)).isEqualTo(CachingExpert.key(plain));
    }
}
