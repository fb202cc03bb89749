package dev.maestro.skill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.expert.EnvLookup;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.Experts;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.registry.SkillCard;
import dev.maestro.skill.tool.Tool;
import dev.maestro.skill.tool.ToolInput;
import dev.maestro.skill.tool.ToolResult;
import dev.maestro.skill.tool.Tools;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The paper registry's level-1 skills run end to end: real tools (zoom, Tesseract OCR) on a rendered image, then
 * the OpenAI backend against a fake OpenAI-compatible server on 127.0.0.1 that records what it received.
 */
class PaperRegistryEndToEndTest {
    static final Path REPO = findRepo();
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> BODIES = new CopyOnWriteArrayList<>();
    static FakeOpenAiServer server;

    @TempDir
    static Path dir;
    static Path image;

    final List<String> toolLog = new CopyOnWriteArrayList<>();

    static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("registries/maestro-paper"))) {
            p = p.getParent();
        }
        return p;
    }

    @BeforeAll
    static void start() throws IOException {
        server = FakeOpenAiServer.start(request -> {
            BODIES.add(request.body());
            return Reply.ok("I read it. Final answer: 4721", 120, 8);
        });
        image = render(dir.resolve("invoice-chart.png"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void clear() {
        BODIES.clear();
    }

    /** A 480x300 image: a large printed header (for OCR) above three bars and four dots (for counting). */
    static Path render(Path file) throws IOException {
        BufferedImage img = new BufferedImage(480, 300, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 480, 300);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 40));
        g.drawString("INVOICE 4721", 40, 70);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 28));
        g.drawString("TOTAL SALES", 40, 120);
        g.setColor(new Color(40, 90, 200));
        g.fillRect(60, 200, 40, 80);
        g.fillRect(130, 170, 40, 110);
        g.fillRect(200, 230, 40, 50);
        g.setColor(Color.RED);
        g.setStroke(new BasicStroke(3));
        for (int i = 0; i < 4; i++) {
            g.fillOval(300 + i * 40, 240, 24, 24);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /** The default tools, each wrapped to log its name before it runs (the real tool does the work). */
    Tools recordingTools() {
        List<Tool> wrapped = new ArrayList<>();
        for (Tool t : Tools.defaults().all()) {
            wrapped.add(new Tool() {
                @Override public String name() { return t.name(); }
                @Override public String description() { return t.description(); }
                @Override public boolean readsImages() { return t.readsImages(); }
                @Override
                public ToolResult run(ToolInput in) {
                    toolLog.add(t.name());
                    return t.run(in);
                }
            });
        }
        return Tools.of(wrapped);
    }

    record Run(ExpertReply reply, JsonNode request) {
        String prompt() {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : request.path("messages").get(0).path("content")) {
                sb.append(part.path("text").asText(""));
            }
            return sb.toString();
        }

        List<String> imageUrls() {
            List<String> out = new ArrayList<>();
            for (JsonNode part : request.path("messages").get(0).path("content")) {
                if (part.has("image_url")) {
                    out.add(part.path("image_url").path("url").asText());
                }
            }
            return out;
        }

        int imageWidth() throws IOException {
            String url = imageUrls().get(0);
            byte[] png = Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
            return ImageIO.read(new ByteArrayInputStream(png)).getWidth();
        }
    }

    Run run(String skillName, String question) throws IOException {
        String base = server.baseUrl();
        Registry reg = RegistryLoader.builder().env(Map.of("MAESTRO_PAPER_BASE_URL", base)).build()
                .load(REPO.resolve("registries/maestro-paper"));
        Map<String, Expert> experts = Experts.forRegistry(reg, Experts.Options.builder().env(EnvLookup.of(Map.of()))
                .retryAttempts(1).build());
        ModelCard model = reg.model("qwen3-vl-8b-instruct").orElseThrow();
        SkillCard skill = reg.skill(skillName).orElseThrow();
        Task task = new Task("e2e-" + skillName, "inline", question, List.of(), List.of("4721"), AnswerType.TEXT, "ocr",
                List.of(image), Map.of(), Map.of(), Map.of());
        WorkflowSkillRunner runner = WorkflowSkillRunner.builder().tools(recordingTools()).registry(reg).build().validate(reg);
        ExpertReply reply = runner.run(task, model, skill, "look at the header", experts.get(model.id()));
        experts.values().forEach(Expert::close);
        assertThat(BODIES).as("requests the fake server received").hasSize(1);
        return new Run(reply, JSON.readTree(BODIES.get(0)));
    }

    @Test
    void should_route_an_invoice_question_to_key_information_extraction_and_send_the_ocr_text_with_the_zoomed_image()
            throws IOException {
        Run r = run("ocr-router", "What is the invoice number printed in the header?");

        assertThat(toolLog).containsExactly("zoom", "ocr");
        assertThat(r.reply().ok()).isTrue();
        assertThat(r.reply().text().orElseThrow()).startsWith("[route] ocr-router -> key-information-extraction (rule 2: ");
        assertThat(r.reply().text().orElseThrow()).contains("[zoom] ", "[ocr] ", "[model] I read it. Final answer: 4721");
        assertThat(r.reply().answer()).contains("4721");
        // the child's prompt (not the router's) with Tesseract's reading of the zoomed image inside
        assertThat(r.prompt()).contains("Extract the fields the question asks about", "INVOICE 4721",
                "What is the invoice number printed in the header?", "look at the header");
        assertThat(r.imageUrls()).singleElement().asString().startsWith("data:image/png;base64,");
        assertThat(r.imageWidth()).isEqualTo(960);
        assertThat(r.request().path("model").asText()).isEqualTo("qwen3-vl-8b-instruct");
        // latency includes the tools; cost is the model's tokens only
        assertThat(r.reply().usage().inputTokens()).isEqualTo(120);
    }

    @Test
    void should_route_a_question_without_rule_keywords_to_the_default_text_recognition() throws IOException {
        Run r = run("ocr-router", "Transcribe the large heading.");

        assertThat(toolLog).containsExactly("zoom", "ocr");
        assertThat(r.reply().text().orElseThrow()).startsWith("[route] ocr-router -> text-recognition (default)");
        assertThat(r.prompt()).contains("Transcribe the text in the image exactly as written", "INVOICE");
    }

    @Test
    void should_run_ocr_before_the_model_for_the_chart_solver_and_send_the_original_image() throws IOException {
        Run r = run("chart-solver", "Which bar is tallest?");

        assertThat(toolLog).containsExactly("ocr");
        assertThat(r.prompt()).contains("You are answering a question about a chart", "TOTAL SALES", "Which bar is tallest?");
        assertThat(r.imageWidth()).isEqualTo(480);
        assertThat(r.reply().text().orElseThrow()).startsWith("[ocr] ").contains("\n[model] ");
    }

    @Test
    void should_zoom_before_the_model_for_the_counting_and_perception_solvers() throws IOException {
        for (String skill : List.of("counting-solver", "perception-solver")) {
            toolLog.clear();
            BODIES.clear();
            Run r = run(skill, "How many red dots are there?");

            assertThat(toolLog).as(skill).containsExactly("zoom");
            assertThat(r.imageWidth()).as(skill).isEqualTo(960);
            assertThat(r.prompt()).as(skill).contains("How many red dots are there?").contains("enlarged 2x");
            assertThat(r.reply().text().orElseThrow()).as(skill).startsWith("[zoom] ");
        }
    }
}
