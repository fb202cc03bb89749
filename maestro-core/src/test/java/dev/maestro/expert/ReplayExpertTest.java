package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Replay on the real shipped files. */
class ReplayExpertTest {
    private static final Price GEMINI_PRICE = new Price(0.5, 1.5);

    private static ModelCard replay(String id, Path recorded, Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(extra);
        settings.put("recorded", recorded.toAbsolutePath().toString());
        return ModelCard.builder(id, Backend.REPLAY).price(GEMINI_PRICE).settings(settings).build();
    }

    private static ExpertRequest request(ModelCard m, Task task, String skill, String prompt, List<Path> images) {
        return new ExpertRequest(task, m, SkillCard.simple(skill, skill, "{question}"), prompt, images,
                ExpertRequest.Sampling.DEFAULT);
    }

    private static Task mathv(String id) {
        return new Task(id, "math-v", "Which number should be written in place of the question mark?", List.of(),
                List.of("60"), AnswerType.TEXT, "arithmetic", List.of(), Map.of(), Map.of(), Map.of());
    }

    private static Task blind(String id) {
        return new Task(id, "vlms-are-blind", "count", List.of(), List.of("2"), AnswerType.TEXT, "LineIntersection",
                List.of(Path.of("images/x.png")), Map.of("prompt-1", "Count ...", "prompt-2", "How many ..."), Map.of(),
                Map.of("recorded-skill:prompt-1", "count", "recorded-skill:prompt-2", "how_many"));
    }

    @Test
    void should_replay_a_mathv_response_with_answer_flag_and_estimated_usage() {
        // given
        ModelCard gemini = replay("Gemini-Pro", Fixtures.data("mathv/recorded.jsonl.gz"), Map.of());
        ReplayExpert expert = ReplayExpert.create(gemini);
        String prompt = "x".repeat(400);
        ExpertRequest req = request(gemini, mathv("1"), "cot", prompt, List.of(Path.of("a.jpg")));

        // when
        ExpertReply reply = expert.call(req);

        // then
        assertThat(reply.ok()).isTrue();
        assertThat(reply.text()).hasValueSatisfying(t -> assertThat(t).contains("60"));
        assertThat(reply.answer()).contains("60");
        assertThat(reply.recordedCorrect()).contains(true);
        assertThat(reply.simulated()).isFalse();
        // input = 400/4 + 765 per image; output = ceil(response chars / 4)
        long out = (reply.text().get().length() + 3) / 4;
        assertThat(reply.usage()).isEqualTo(new Usage(100 + 765, out));
        assertThat(expert.estimatesUsage(req)).isTrue();
        assertThat(reply.costUsd()).isCloseTo((865 * 0.5 + out * 1.5) / 1e6, Offset.offset(1e-12));
        assertThat(reply.latencyMs()).isEqualTo(ReplayExpert.DEFAULT_LATENCY_MS);
    }

    @Test
    void should_say_not_recorded_instead_of_guessing() {
        ModelCard gemini = replay("Gemini-Pro", Fixtures.data("mathv/recorded.jsonl.gz"), Map.of());
        ReplayExpert expert = ReplayExpert.create(gemini);

        ExpertReply missingTask = expert.call(request(gemini, mathv("999999"), "cot", "q", List.of()));
        ExpertReply missingSkill = expert.call(request(gemini, mathv("1"), "ocr", "q", List.of()));

        assertThat(missingTask.error()).map(ExpertError::kind).contains(ExpertError.Kind.NOT_RECORDED);
        assertThat(missingTask.error().get().message())
                .isEqualTo("no recorded output for task 999999, model Gemini-Pro, skill cot");
        assertThat(missingSkill.error().get().message()).isEqualTo("no recorded output for task 1, model Gemini-Pro, skill ocr");
        assertThat(missingTask.text()).isEmpty();
        assertThat(missingTask.recordedCorrect()).isEmpty();
        assertThat(missingTask.costUsd()).isZero();
    }

    @Test
    void should_map_blind_prompt_slots_to_recorded_skills_without_text() {
        // given: LineIntersection-0001 GPT-4o is recorded incorrect for "count" and correct for "how_many"
        ModelCard gpt4o = replay("GPT-4o", Fixtures.data("blind/recorded.jsonl.gz"),
                Map.of("output-tokens", 20, "latency-ms", 2500.0, "image-tokens", 255));
        ReplayExpert expert = ReplayExpert.create(gpt4o);
        Task task = blind("LineIntersection-0001");

        // when
        ExpertReply slot1 = expert.call(request(gpt4o, task, "prompt-1", "abcdefgh", task.images()));
        ExpertReply slot2 = expert.call(request(gpt4o, task, "prompt-2", "abcdefgh", task.images()));

        // then
        assertThat(slot1.ok()).isTrue();
        assertThat(slot1.text()).isEmpty();
        assertThat(slot1.answer()).isEmpty();
        assertThat(slot1.recordedCorrect()).contains(false);
        assertThat(slot2.recordedCorrect()).contains(true);
        assertThat(slot1.usage()).isEqualTo(new Usage(2 + 255, 20));
        assertThat(slot1.latencyMs()).isEqualTo(2500.0);
    }

    @Test
    void should_share_one_index_between_experts_of_the_same_file() {
        Path file = Fixtures.data("blind/recorded.jsonl.gz");
        ReplayExpert a = ReplayExpert.create(replay("GPT-4o", file, Map.of()));
        ReplayExpert b = ReplayExpert.create(replay("Claude-3.5-Sonnet", file, Map.of()));
        assertThat(a.outputs()).isSameAs(b.outputs());
    }

    @Test
    void should_use_recorded_tokens_and_latency_when_present() {
        RecordedOutputs rows = RecordedOutputs.read(new StringReader(
                "{\"task_id\": \"t\", \"model\": \"m-in-file\", \"skill\": \"cot\", \"response\": \"r\", "
                        + "\"tokens\": {\"input\": 1000, \"output\": 10}, \"latency_ms\": 321}\n"),
                "inline", RecordedOutputs.Mode.STRICT);
        ModelCard m = ModelCard.builder("Alias", Backend.REPLAY).price(new Price(1, 2))
                .settings(Map.of("recorded-model", "m-in-file")).build();
        ReplayExpert expert = ReplayExpert.create(m, rows);
        ExpertRequest req = request(m, Task.text("t", "q", "a", "g"), "cot", "q", List.of());

        ExpertReply reply = expert.call(req);

        assertThat(reply.usage()).isEqualTo(new Usage(1000, 10));
        assertThat(reply.costUsd()).isCloseTo(1020 / 1e6, Offset.offset(1e-15));
        assertThat(reply.latencyMs()).isEqualTo(321);
        assertThat(expert.estimatesUsage(req)).isFalse();
    }

    @Test
    void should_require_the_recorded_setting_and_valid_numbers() {
        ModelCard none = ModelCard.builder("X", Backend.REPLAY).build();
        assertThatThrownBy(() -> ReplayExpert.create(none))
                .isInstanceOf(MaestroException.class).hasMessageContaining("'X'").hasMessageContaining("recorded");
        ModelCard bad = replay("X", Fixtures.data("blind/recorded.jsonl.gz"), Map.of("latency-ms", "fast"));
        assertThatThrownBy(() -> ReplayExpert.create(bad))
                .isInstanceOf(MaestroException.class).hasMessageContaining("latency-ms").hasMessageContaining("fast");
    }
}
