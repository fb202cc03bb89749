package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/feedback: stored with the trace, validated field by field, authenticated like the other routes. */
class FeedbackTest {
    @TempDir
    Path dir;

    @Test
    void should_store_a_grade_with_the_trace_and_replace_it_when_posted_again() throws Exception {
        TestRig rig = TestRig.fast();
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"));
             MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).traces(store).build().start()) {
            String id = Http.json(Http.post(s.url() + MaestroServer.CHAT, Http.chat("Which grew 88%?"), null)).path("id").asText();

            // right after the answer: the trace may still be queued, the feedback must find it anyway
            HttpResponse<String> first = Http.post(s.url() + "/v1/feedback", "{\"id\":\"" + id + "\",\"correct\":false,\"score\":0.25}", null);
            HttpResponse<String> second = Http.post(s.url() + "/v1/feedback", "{\"id\":\"" + id
                    + "\",\"correct\":true,\"comment\":\"right after all\"}", null);
            JsonNode trace = Http.json(Http.get(s.url() + "/traces/" + id, null));
            JsonNode list = Http.json(Http.get(s.url() + "/traces", null));

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(Http.json(first).path("stored").asBoolean()).isTrue();
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(trace.at("/feedback/correct").asBoolean()).isTrue();
            assertThat(trace.at("/feedback/score").isNull()).as("replaced, not merged").isTrue();
            assertThat(trace.at("/feedback/comment").asText()).isEqualTo("right after all");
            assertThat(list.get(0).at("/feedback/correct").asBoolean()).isTrue();
        }
    }

    @Test
    void should_answer_404_for_an_unknown_id_and_400_naming_the_bad_field() throws Exception {
        TestRig rig = TestRig.fast();
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"));
             MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).traces(store).build().start()) {
            String id = Http.json(Http.post(s.url() + MaestroServer.CHAT, Http.chat("q"), null)).path("id").asText();
            String url = s.url() + "/v1/feedback";

            ChatApiTest.assertError(Http.post(url, "{\"id\":\"chatcmpl-nope\",\"correct\":true}", null), 404,
                    "invalid_request_error", "trace_not_found");
            assertBad(Http.post(url, "{\"id\":\"" + id + "\",\"score\":1.5}", null), "'score'", "0 to 1");
            assertBad(Http.post(url, "{\"id\":\"" + id + "\",\"score\":\"high\"}", null), "'score'", "number");
            assertBad(Http.post(url, "{\"id\":\"" + id + "\",\"correct\":\"yes\"}", null), "'correct'", "true or false");
            assertBad(Http.post(url, "{\"id\":\"" + id + "\",\"corect\":true}", null), "'corect'", "unknown field");
            assertBad(Http.post(url, "{\"correct\":true}", null), "'id'", "required");
            assertBad(Http.post(url, "{\"id\":\"" + id + "\",\"comment\":\"no grade\"}", null), "'score'", "give a grade");
            assertBad(Http.post(url, "{\"id\":\"" + id + "\",\"correct\":true,\"comment\":7}", null), "'comment'", "string");
            ChatApiTest.assertError(Http.post(url, "not json", null), 400, "invalid_request_error", "invalid_json");
            ChatApiTest.assertError(Http.post(url, "[1]", null), 400, "invalid_request_error", "invalid_json");
            store.flush();
            assertThat(store.get(id).orElseThrow().path("feedback").isNull()).as("nothing stored by a refused request").isTrue();
        }
    }

    @Test
    void should_require_a_key_like_the_other_routes_and_say_when_no_store_is_configured() throws Exception {
        TestRig rig = TestRig.fast();
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"));
             MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).traces(store)
                     .keys(ApiKeys.fromEnvValue("k-123")).build().start();
             MaestroServer bare = MaestroServer.builder(rig.orchestrator).port(0).build().start()) {
            String id = Http.json(Http.post(s.url() + MaestroServer.CHAT, Http.chat("q"), "k-123")).path("id").asText();

            ChatApiTest.assertError(Http.post(s.url() + "/v1/feedback", "{\"id\":\"" + id + "\",\"correct\":true}", null), 401,
                    "authentication_error", "invalid_api_key");
            ChatApiTest.assertError(Http.post(s.url() + "/v1/feedback", "{\"id\":\"" + id + "\",\"correct\":true}", "wrong"), 401,
                    "authentication_error", "invalid_api_key");
            assertThat(Http.post(s.url() + "/v1/feedback", "{\"id\":\"" + id + "\",\"correct\":true}", "k-123").statusCode())
                    .isEqualTo(200);
            HttpResponse<String> none = Http.post(bare.url() + "/v1/feedback", "{\"id\":\"x\",\"correct\":true}", null);
            ChatApiTest.assertError(none, 404, "invalid_request_error", "not_found");
            assertThat(none.body()).contains("--store");
        }
    }

    private static void assertBad(HttpResponse<String> r, String field, String problem) throws Exception {
        ChatApiTest.assertError(r, 400, "invalid_request_error", "invalid_feedback");
        assertThat(Http.json(r).at("/error/message").asText()).contains(field).contains(problem);
    }
}
