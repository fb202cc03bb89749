package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.store.EmbeddedPg;
import dev.maestro.store.StoreLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Two servers on one real PostgreSQL (embedded): one cache, one trace store, one set of feedback. */
class ReplicasTest {
    @TempDir
    Path dir;

    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(t -> out.add(t.path("id").asText()));
        return out;
    }

    @Test
    void should_share_cache_traces_and_feedback_between_two_replicas() throws Exception {
        StoreLocation pg = EmbeddedPg.newLocation();
        try (Replica a = new Replica(pg, 0); Replica b = new Replica(pg, 0)) {
            JsonNode fromA = Http.json(Http.post(a.url() + MaestroServer.CHAT, Http.chat("Which start-up grew 88%?"), null));
            JsonNode fromB = Http.json(Http.post(b.url() + MaestroServer.CHAT, Http.chat("Which start-up grew 88%?"), null));
            String idA = fromA.path("id").asText();
            String idB = fromB.path("id").asText();

            // the identical request to the second replica is answered from the shared cache
            assertThat(a.expertCalls.get()).isEqualTo(1);
            assertThat(b.expertCalls.get()).as("expert calls made by replica B").isZero();
            assertThat(b.runtime.cacheStats().hits()).isEqualTo(1);
            assertThat(fromB.at("/choices/0/message/content").asText()).isEqualTo(fromA.at("/choices/0/message/content").asText())
                    .isEqualTo("Go-Jek");
            assertThat(fromB.at("/maestro/totals/cost_usd").asDouble()).as("a replay reports the recorded cost").isEqualTo(0.0042);

            // either replica lists both replicas' traces
            a.traces.flush();
            b.traces.flush();
            assertThat(ids(Http.json(Http.get(a.url() + "/traces", null)))).containsExactly(idB, idA);
            assertThat(ids(Http.json(Http.get(b.url() + "/traces", null)))).containsExactly(idB, idA);
            assertThat(Http.get(a.url() + "/traces/" + idB, null).statusCode()).isEqualTo(200);

            // feedback posted to one replica is visible from the other
            assertThat(Http.post(a.url() + "/v1/feedback", "{\"id\":\"" + idB + "\",\"correct\":true,\"comment\":\"via A\"}", null)
                    .statusCode()).isEqualTo(200);
            assertThat(Http.post(b.url() + "/v1/feedback", "{\"id\":\"" + idA + "\",\"score\":0.5}", null).statusCode()).isEqualTo(200);
            JsonNode seenFromB = Http.json(Http.get(b.url() + "/traces/" + idB, null));
            JsonNode seenFromA = Http.json(Http.get(a.url() + "/traces/" + idA, null));
            assertThat(seenFromB.at("/feedback/correct").asBoolean()).isTrue();
            assertThat(seenFromB.at("/feedback/comment").asText()).isEqualTo("via A");
            assertThat(seenFromA.at("/feedback/score").asDouble()).isEqualTo(0.5);
        }
    }

    @Test
    void should_make_one_expert_call_when_replicas_get_the_same_new_question_many_times() throws Exception {
        StoreLocation pg = EmbeddedPg.newLocation();
        try (Replica a = new Replica(pg, 0); Replica b = new Replica(pg, 0)) {
            Http.post(a.url() + MaestroServer.CHAT, Http.chat("warm the cache"), null);
            for (int i = 0; i < 20; i++) {
                Replica r = i % 2 == 0 ? b : a;
                assertThat(Http.post(r.url() + MaestroServer.CHAT, Http.chat("warm the cache"), null).statusCode()).isEqualTo(200);
            }
            assertThat(a.expertCalls.get() + b.expertCalls.get()).isEqualTo(1);
            assertThat(a.replies.size()).isEqualTo(1);
        }
    }

    @Test
    void should_show_both_replicas_traces_in_either_viewer() throws Exception {
        assumeTrue(Files.isExecutable(ViewerBrowserTest.CHROMIUM) && Files.isExecutable(ViewerBrowserTest.CHROMEDRIVER),
                "chromium/chromedriver not installed");
        System.setProperty("webdriver.chrome.driver", ViewerBrowserTest.CHROMEDRIVER.toString());
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("selenium.manager.offline", "true");
        StoreLocation pg = EmbeddedPg.newLocation();
        try (Replica a = new Replica(pg, 0); Replica b = new Replica(pg, 0)) {
            Http.post(a.url() + MaestroServer.CHAT, Http.chat("Asked replica A?"), null);
            Http.post(b.url() + MaestroServer.CHAT, Http.chat("Asked replica B?"), null);
            a.traces.flush();
            b.traces.flush();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(ViewerBrowserTest.CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                    "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
            ChromeDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(ViewerBrowserTest.CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
            try {
                for (Replica r : List.of(a, b)) {
                    driver.get(r.url() + "/viewer");
                    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d ->
                            d.findElement(By.id("status")).getText().equals("2 episodes"));
                    assertThat(driver.findElement(By.id("episodes")).getText()).contains("Asked replica A?").contains("Asked replica B?");
                }
            } finally {
                driver.quit();
            }
        }
    }
}
