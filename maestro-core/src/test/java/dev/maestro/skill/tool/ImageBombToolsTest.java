package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real decompression bombs given to every image tool: each is refused from its header with the limit named,
 * before a raster is allocated (the test JVM has a 2 GB heap; decoding 50000x50000 RGB would need 10 GB).
 */
class ImageBombToolsTest {
    @TempDir
    Path dir;

    private final Tools tools = Tools.defaults();

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private String refusal(String tool, Path image) {
        String argument = switch (tool) {
            case "crop", "zoom" -> "r1c1";
            case "resize" -> "256";
            default -> "";
        };
        ToolResult r = tools.run(tool, ToolInput.image(image, argument));
        assertThat(r.error()).as(tool + " on " + image.getFileName()).isPresent();
        return r.error().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"count-circles", "grid-size", "line-intersections", "nested-squares", "touching-circles", "crop", "zoom", "resize"})
    void should_refuse_real_bomb_files_before_decoding(String tool) throws IOException {
        // given: tiny files claiming or inflating to huge rasters
        Path header = file("header.png", ImageBombs.pngHeaderOnly(50_000, 50_000));
        byte[] zeros = ImageBombs.pngZeroRows(8_000, 6_000); // valid, 48 MP
        assertThat(zeros.length).isLessThan(200_000);
        Path inflating = file("zeros.png", zeros);
        Path gifFrame = file("frame.gif", gifWithFrame(60_000, 60_000));
        Path gifScreen = file("screen.gif", ImageBombs.gifLogicalScreen(65_535, 65_535));
        Path jpeg = file("huge.jpg", ImageBombs.jpegClaiming(65_000, 65_000));

        // then
        assertThat(refusal(tool, header)).contains("50000x50000 = 2500 MP; the limit is 40 MP");
        assertThat(refusal(tool, inflating)).contains("8000x6000 = 48 MP; the limit is 40 MP");
        assertThat(refusal(tool, gifFrame)).contains("60000x60000");
        assertThat(refusal(tool, gifScreen)).contains("65535x65535");
        assertThat(refusal(tool, jpeg)).contains("65000x65000");
    }

    /** A GIF whose single frame (and screen) claims {@code w x h} with one tiny LZW block. */
    private static byte[] gifWithFrame(int w, int h) {
        byte[] g = ImageBombs.gifLogicalScreen(w, h);
        // image descriptor follows the 13-byte header and 6-byte colour table: 0x2c, x, y, then width and height
        g[19 + 5] = (byte) w;
        g[19 + 6] = (byte) (w >> 8);
        g[19 + 7] = (byte) h;
        g[19 + 8] = (byte) (h >> 8);
        return g;
    }
}
