package dev.maestro.skill.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageToolsTest {

    @TempDir
    Path dir;

    private final Tools tools = Tools.defaults();

    /** 300x200: left half red, right half blue, so a crop's colour shows where it came from. */
    private Path halves() {
        return Drawings.png(dir, "halves", 300, 200, g -> {
            g.setColor(Color.RED);
            g.fillRect(0, 0, 150, 200);
            g.setColor(Color.BLUE);
            g.fillRect(150, 0, 150, 200);
        });
    }

    private static BufferedImage read(Path p) throws IOException {
        return ImageIO.read(p.toFile());
    }

    @Test
    void should_crop_a_pixel_box() throws IOException {
        // given
        Path img = halves();

        // when
        ToolResult r = tools.run("crop", ToolInput.image(img, "160,10,260,60"));

        // then
        assertThat(r.error()).isEmpty();
        assertThat(r.images()).hasSize(1);
        BufferedImage out = read(r.images().get(0));
        assertThat(out.getWidth()).isEqualTo(100);
        assertThat(out.getHeight()).isEqualTo(50);
        assertThat(out.getRGB(50, 25) & 0xffffff).isEqualTo(0x0000ff);
        assertThat(r.text()).hasValueSatisfying(t -> assertThat(t).contains("box 160,10,260,60 of 300x200 -> 100x50"));
    }

    @Test
    void should_crop_fractions_and_clip_to_the_image() throws IOException {
        // given
        Path img = halves();

        // when
        ToolResult half = tools.run("crop", ToolInput.image(img, "0.0,0.0,0.5,1.0"));
        ToolResult clipped = tools.run("crop", ToolInput.image(img, "(250, 150, 400, 400)"));

        // then
        BufferedImage left = read(half.images().get(0));
        assertThat(left.getWidth()).isEqualTo(150);
        assertThat(left.getRGB(149, 100) & 0xffffff).isEqualTo(0xff0000);
        BufferedImage corner = read(clipped.images().get(0));
        assertThat(corner.getWidth()).isEqualTo(50);
        assertThat(corner.getHeight()).isEqualTo(50);
    }

    @Test
    void should_crop_a_grid_cell_and_zoom_it() throws IOException {
        // given
        Path img = halves();

        // when: row 2, column 2 of a 2x2 grid is the lower right quarter
        ToolResult crop = tools.run("crop", ToolInput.image(img, "r2c2@2x2"));
        ToolResult zoom = tools.run("zoom", ToolInput.image(img, "R1C1"));

        // then
        BufferedImage quarter = read(crop.images().get(0));
        assertThat(quarter.getWidth()).isEqualTo(150);
        assertThat(quarter.getHeight()).isEqualTo(100);
        assertThat(quarter.getRGB(10, 10) & 0xffffff).isEqualTo(0x0000ff);
        BufferedImage zoomed = read(zoom.images().get(0));
        assertThat(zoomed.getWidth()).isEqualTo(200);   // a 100x66 cell of the 3x3 grid, enlarged 2x
        assertThat(zoomed.getHeight()).isEqualTo(132);
        assertThat(zoomed.getRGB(100, 60) & 0xffffff).isEqualTo(0xff0000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "r4c1; cell r4c1 is outside the 3x3 grid",
            "r1c1@0x3; grid 0x3 must be between",
            "10,10; cannot read box '10,10'",
            "500,500,600,600; is empty or outside the 300x200 image",
            "left half; valid: a pixel box"})
    void should_explain_bad_boxes(String argument, String message) {
        // when
        ToolResult r = tools.run("crop", ToolInput.image(halves(), argument));

        // then
        assertThat(r.ok()).isFalse();
        assertThat(r.images()).isEmpty();
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains(message));
    }

    @Test
    void should_resize_to_a_longer_side() throws IOException {
        // when
        ToolResult down = tools.run("resize", ToolInput.image(halves(), "150"));
        ToolResult dflt = tools.run("resize", ToolInput.image(halves(), ""));

        // then
        BufferedImage small = read(down.images().get(0));
        assertThat(small.getWidth()).isEqualTo(150);
        assertThat(small.getHeight()).isEqualTo(100);
        assertThat(read(dflt.images().get(0)).getWidth()).isEqualTo(1024);
        assertThat(tools.run("resize", ToolInput.image(halves(), "big")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("not a whole number of pixels"));
        assertThat(tools.run("resize", ToolInput.image(halves(), "99999")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("outside 8..4096"));
    }

    @Test
    void should_process_every_image_of_a_task() {
        // when
        ToolResult r = tools.run("crop", new ToolInput(List.of(halves(), halves()), "r1c1", ""));

        // then
        assertThat(r.images()).hasSize(2);
    }

    @Test
    void should_report_missing_and_unreadable_images() throws IOException {
        // given
        Path notAnImage = Files.writeString(dir.resolve("notes.png"), "hello");

        // then
        assertThat(tools.run("crop", ToolInput.image(dir.resolve("nope.png"), "r1c1")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("image file not found"));
        assertThat(tools.run("grid-size", ToolInput.image(notAnImage, "")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("not a supported image"));
        assertThat(tools.run("resize", ToolInput.text("100")).error())
                .hasValueSatisfying(e -> assertThat(e).contains("needs at least one image"));
    }

    @Test
    void should_refuse_images_over_the_pixel_limit_before_decoding() throws IOException {
        // given: a PNG whose header claims 10000 x 5000 = 50 MP (no pixel data needed to read the header)
        Path huge = dir.resolve("huge.png");
        Files.write(huge, pngHeaderOnly(10_000, 5_000));

        // when
        ToolResult r = tools.run("count-circles", ToolInput.image(huge, "circles"));

        // then
        assertThat(r.error()).hasValueSatisfying(e -> assertThat(e).contains("10000x5000 = 50 MP; the limit is 40 MP"));
    }

    private static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[]{8, 2, 0, 0, 0}); // 8-bit RGB
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(13);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
