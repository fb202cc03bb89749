package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OcrToolTest {

    @TempDir
    Path dir;

    private static boolean tesseractInstalled() {
        try {
            Process p = new ProcessBuilder("tesseract", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void should_read_rendered_text() {
        assumeTrue(tesseractInstalled(), "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)");
        // given
        Path img = Drawings.text(dir, "Maestro reads 42 words");

        // when
        ToolResult r = new OcrTool().run(ToolInput.image(img, ""));

        // then
        assertThat(r.error()).isEmpty();
        assertThat(r.text()).hasValueSatisfying(t -> assertThat(t).contains("Maestro reads 42 words"));
        assertThat(r.millis()).isPositive();
    }

    @Test
    void should_explain_how_to_install_a_missing_tesseract() {
        // given
        Path img = Drawings.text(dir, "x");

        // when
        ToolResult r = new OcrTool("/nonexistent/bin/tesseract").run(ToolInput.image(img, ""));

        // then
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e)
                .contains("was not found")
                .contains("apt-get install -y tesseract-ocr tesseract-ocr-eng"));
    }

    @Test
    void should_reject_a_bad_language_argument() {
        // when
        ToolResult r = new OcrTool().run(ToolInput.image(Drawings.text(dir, "x"), "eng; rm -rf /"));

        // then
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains("is not a Tesseract language code"));
    }
}
