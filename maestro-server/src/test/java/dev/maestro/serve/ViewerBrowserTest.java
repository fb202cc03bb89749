package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The trace viewer in a real headless Chromium: it must list episodes and show each step. */
class ViewerBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void should_list_episodes_and_show_their_steps_in_chromium(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "chromium/chromedriver not installed");
        // Never let Selenium Manager look for (or download) a browser or driver.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("selenium.manager.offline", "true");
        TestRig rig = TestRig.fast();
        try (TraceStore store = TraceStore.open(dir.resolve("t.db"));
                MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).traces(store).build().start()) {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url() + MaestroServer.CHAT))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"Which start-up grew 88%?\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(5); // the graded episode below is the newest, so the viewer opens it first
            store.record("ep-graded", TraceStoreTest.task("bars-1", "How many bars are there?"), TraceStoreTest.gradedEpisode());
            store.flush();

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                    "--window-size=1280,900", "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                driver.get(s.url() + "/viewer");
                new WebDriverWait(driver, Duration.ofSeconds(20)).until(d ->
                        d.findElement(By.id("detail")).getText().contains("Steps (3)"));

                String list = driver.findElement(By.id("episodes")).getText();
                String detail = driver.findElement(By.id("detail")).getText();
                assertThat(list).contains("How many bars are there?").contains("Which start-up grew 88%?");
                assertThat(detail).contains("<search> Broken-M@@cot: count the bars </search>")
                        .contains("timeout: no response within 50 ms")
                        .contains("Chart-R1@@Chart_Problem_Solver · 200+40 tokens · $0.00310 · 830.0 ms · answer: 7")
                        .contains("There are 7 bars.");
                assertThat(driver.findElement(By.id("v-grade")).getText()).isEqualTo("1 (grader)");
                assertThat(driver.findElements(By.cssSelector("#detail .step"))).hasSize(3);
                assertThat(driver.findElements(By.cssSelector("#detail .step.bad"))).hasSize(1);

                byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
                Files.write(Path.of("target", "viewer-screenshot.png"), png);
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
                assertThat(img.getWidth()).isGreaterThan(600);
                Set<Integer> colours = new HashSet<>();
                for (int y = 0; y < img.getHeight(); y += 3) {
                    for (int x = 0; x < img.getWidth(); x += 3) {
                        colours.add(img.getRGB(x, y));
                    }
                }
                assertThat(colours.size()).as("a rendered page, not a blank screen").isGreaterThan(20);

                // Clicking the other episode shows its steps.
                driver.findElements(By.cssSelector("#episodes li")).get(1).click();
                new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                        d.findElement(By.id("detail")).getText().contains("Which start-up grew 88%?"));
                assertThat(driver.findElement(By.id("detail")).getText()).contains("Steps (2)").contains("Go-Jek")
                        .contains("<search> Chart-R1@@Chart_Problem_Solver: Which start-up grew 88%? </search>");
            } finally {
                driver.quit();
            }
        }
    }
}
