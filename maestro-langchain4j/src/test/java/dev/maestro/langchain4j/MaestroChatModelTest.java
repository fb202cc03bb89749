package dev.maestro.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.runtime.Maestro;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real LangChain4j AI Service on Maestro, whose one expert is a fake OpenAI-compatible endpoint on 127.0.0.1. */
class MaestroChatModelTest {
    interface Assistant {
        @SystemMessage("Answer with a number only.")
        String chat(String question);
    }

    interface LedgerAssistant {
        Result<String> chat(String question);
    }

    interface StreamingAssistant {
        TokenStream chat(String question);
    }

    private FakeOpenAiServer endpoint;
    private Maestro maestro;

    @BeforeEach
    void start() throws Exception {
        endpoint = FakeOpenAiServer.start().always(Reply.ok("The answer is 42", 100, 20));
        ModelCard expert = ModelCard.builder("arith", Backend.OPENAI).description("good at arithmetic")
                .baseUrl(endpoint.baseUrl()).modelName("arith-7b").price(new Price(3.0, 15.0))
                .modalities(Set.of(Modality.TEXT, Modality.IMAGE)).timeout(Duration.ofSeconds(5)).build();
        Registry registry = Registry.of("lc4j-test", List.of(expert),
                List.of(SkillCard.simple("direct", "Answer directly.", "{question}")));
        maestro = Maestro.builder().registry(registry).policy("fixed:arith@@direct").env(Map.of()).build();
    }

    @AfterEach
    void stop() {
        maestro.close();
        endpoint.close();
    }

    @Test
    void should_answer_through_an_ai_service_with_the_system_message_as_instructions() {
        Assistant assistant = AiServices.create(Assistant.class, MaestroChatModel.create(maestro));

        String answer = assistant.chat("What is 6 * 7?");

        assertThat(answer).isEqualTo("42");
        assertThat(endpoint.received()).hasSize(1);
        assertThat(endpoint.received().get(0).body()).contains("Answer with a number only.").contains("What is 6 * 7?");
    }

    @Test
    void should_carry_the_ledger_in_the_response_metadata() {
        LedgerAssistant assistant = AiServices.create(LedgerAssistant.class, MaestroChatModel.create(maestro));

        Result<String> result = assistant.chat("What is 6 * 7?");

        Ledger ledger = MaestroChatResponseMetadata.ledgerOf(result.finalResponse()).orElseThrow();
        assertThat(ledger.calls()).isEqualTo(1);
        assertThat(ledger.answered()).isTrue();
        assertThat(ledger.policy()).isEqualTo("fixed:arith@@direct");
        assertThat(ledger.pairs()).extracting(Ledger.PairCall::pair).containsExactly("arith@@direct");
        assertThat(ledger.costUsd()).isCloseTo(100 * 3e-6 + 20 * 15e-6, Offset.offset(1e-12));
        assertThat(ledger.latencyMs()).isPositive();
        assertThat(result.tokenUsage().inputTokenCount()).isEqualTo(100);
        assertThat(result.tokenUsage().outputTokenCount()).isEqualTo(20);
    }

    @Test
    void should_stream_the_answer_then_complete_with_the_ledger() throws Exception {
        StreamingAssistant assistant = AiServices.create(StreamingAssistant.class, MaestroStreamingChatModel.create(maestro));
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        assistant.chat("What is 6 * 7?").onPartialResponse(partial::append).onCompleteResponse(done::complete)
                .onError(done::completeExceptionally).start();

        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertThat(partial.toString()).isEqualTo("42");
        assertThat(response.aiMessage().text()).isEqualTo("42");
        assertThat(MaestroChatResponseMetadata.ledgerOf(response).orElseThrow().calls()).isEqualTo(1);
    }

    @Test
    void should_pass_an_image_to_the_experts_and_refuse_tools() {
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        MaestroChatModel model = MaestroChatModel.create(maestro);

        ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from(TextContent.from("How many dots?"),
                ImageContent.from(png, "image/png"))).build());

        assertThat(r.aiMessage().text()).isEqualTo("42");
        assertThat(endpoint.received().get(0).body()).contains("data:image/png;base64," + png);
        assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("q"))
                .toolSpecifications(ToolSpecification.builder().name("calc").description("adds").build()).build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("tools");
    }

    @Test
    void should_throw_naming_the_errors_when_maestro_gives_no_answer() {
        endpoint.close(); // the only expert is unreachable now
        Maestro dead = Maestro.builder().registry(maestro.registry()).policy("fixed:arith@@direct").env(Map.of()).build();
        try (dead) {
            assertThatThrownBy(() -> MaestroChatModel.create(dead).chat("What is 6 * 7?"))
                    .isInstanceOf(MaestroException.class).hasMessageContaining("no answer").hasMessageContaining("arith@@direct");
        }
    }

}
