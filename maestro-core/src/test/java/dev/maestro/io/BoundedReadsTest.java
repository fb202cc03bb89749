package dev.maestro.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedReadsTest {

    private static List<String> lines(String text, long cap) throws IOException {
        List<String> out = new ArrayList<>();
        try (LineReader r = LineReader.of(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), cap, "t.jsonl")) {
            while (r.next()) {
                out.add(r.lineNumber() + ":" + r.text());
            }
        }
        return out;
    }

    @Test
    void should_split_lines_drop_carriage_returns_and_keep_a_last_line_without_newline() throws IOException {
        assertThat(lines("a\r\n\nbc\nd", 10)).containsExactly("1:a", "2:", "3:bc", "4:d");
        assertThat(lines("", 10)).isEmpty();
        assertThat(lines("\n", 10)).containsExactly("1:");
    }

    @Test
    void should_accept_a_line_of_exactly_the_cap_and_refuse_one_byte_more_naming_source_line_and_setting() throws IOException {
        assertThat(lines("12345\nabc\n", 5)).containsExactly("1:12345", "2:abc");
        assertThatThrownBy(() -> lines("ok\n123456\n", 5))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("t.jsonl:2: line longer than 5 bytes")
                .hasMessageContaining("MAESTRO_MAX_LINE_BYTES");
        assertThatThrownBy(() -> lines("123456", 5)).isInstanceOf(LimitExceededException.class);
    }

    @Test
    void should_read_lines_longer_than_the_initial_buffer() throws IOException {
        String big = "x".repeat(300_000);
        assertThat(lines("a\n" + big + "\nb", 400_000)).containsExactly("1:a", "2:" + big, "3:b");
    }

    @Test
    void should_stop_a_gzip_bomb_at_the_inflated_cap(@TempDir Path dir) throws IOException {
        Path bomb = GzipBomb.write(dir.resolve("bomb.gz"), 64, (byte) '\n');
        assertThat(Files.size(bomb)).isLessThan(200_000);

        try (InputStream in = BoundedFiles.openMaybeGzip(bomb, 8L << 20)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("bomb.gz decompresses to more than 8 MiB")
                    .hasMessageContaining("MAESTRO_MAX_INFLATED_BYTES");
        }
        // the fixture is a valid gzip stream of exactly 64 MiB
        try (InputStream in = new GZIPInputStream(Files.newInputStream(bomb))) {
            assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(64L << 20);
        }
    }

    @Test
    void should_check_a_file_size_before_reading_it(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("models.yaml"), "x".repeat(2000));

        assertThat(BoundedFiles.readBytes(f, 2000, Limit.CONFIG_FILE)).hasSize(2000);
        assertThatThrownBy(() -> BoundedFiles.readBytes(f, 1999, Limit.CONFIG_FILE))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("models.yaml is 2000 bytes, more than the 1999 bytes allowed for a registry or suite file")
                .hasMessageContaining("MAESTRO_MAX_CONFIG_BYTES");
    }

    @Test
    void should_parse_sizes_with_binary_suffixes_and_refuse_nonsense() {
        assertThat(Limit.parse("X", "16777216")).isEqualTo(16L << 20);
        assertThat(Limit.parse("X", "64k")).isEqualTo(64L << 10);
        assertThat(Limit.parse("X", "32M")).isEqualTo(32L << 20);
        assertThat(Limit.parse("X", "2gib")).isEqualTo(2L << 30);
        for (String bad : new String[] {"0", "-1", "lots", "1.5m", "99999999999999999999"}) {
            assertThatThrownBy(() -> Limit.parse("MAESTRO_MAX_LINE_BYTES", bad)).as(bad)
                    .isInstanceOf(MaestroException.class).hasMessageContaining("MAESTRO_MAX_LINE_BYTES must be");
        }
        assertThat(Limit.LINE.bytes(name -> Optional.ofNullable(Map.of("MAESTRO_MAX_LINE_BYTES", "1m").get(name))))
                .isEqualTo(1L << 20);
        assertThat(Limit.LINE.bytes(name -> Optional.empty())).isEqualTo(Limit.LINE.defaultBytes());
        assertThat(Limit.human(16L << 20)).isEqualTo("16 MiB");
        assertThat(Limit.human(1536)).isEqualTo("1536 bytes");
        assertThat(Limit.human(10_000_000)).isEqualTo("9.5 MiB");
    }
}
