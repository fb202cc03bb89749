package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.maestro.MaestroException;
import dev.maestro.skill.tool.ImageBombs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile images at the door: decompression bombs refused from their header, remote URLs kept off the internal network. */
class ImageInputsTest {
    private static final ImageInputs DEFAULTS = new ImageInputs(Set.of(), 20L << 20);

    private HttpServer images;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startImageServer() throws IOException {
        images = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        byte[] png = ImageBombs.png(3, 2);
        images.createContext("/pic.png", ex -> {
            requests.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(png);
            }
        });
        images.createContext("/hang", ex -> { // headers, then the connection is held
            requests.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().flush();
            try {
                Thread.sleep(25_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        images.createContext("/moved", ex -> {
            requests.incrementAndGet();
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        images.setExecutor(Executors.newCachedThreadPool(r -> { // a held /hang must not block stop()
            Thread t = new Thread(r, "image-server");
            t.setDaemon(true);
            return t;
        }));
        images.start();
    }

    @AfterEach
    void stopImageServer() {
        images.stop(0);
    }

    private static String dataUrl(String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static ApiError refused(ImageInputs inputs, String url) {
        try (ImageInputs.Batch b = inputs.batch()) {
            ApiError e = catchThrowableOfType(ApiError.class, () -> b.add(url, "messages[0].content[1]"));
            assertThat(e).as("refused").isNotNull();
            assertThat(b.files()).isEmpty();
            return e;
        }
    }

    private String url(String path) {
        return "http://localhost:" + images.getAddress().getPort() + path;
    }

    @Test
    void should_refuse_a_png_whose_header_claims_50000x50000_before_decoding() {
        // given: 33 bytes that claim 2.5 gigapixels
        byte[] bomb = ImageBombs.pngHeaderOnly(50_000, 50_000);
        assertThat(bomb).hasSizeLessThan(64);

        // when
        ApiError e = refused(DEFAULTS, dataUrl("image/png", bomb));

        // then
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("image_too_large");
        assertThat(e.getMessage()).contains("50000x50000 = 2500 MP").contains("the limit is 40 MP");
    }

    @Test
    void should_refuse_a_valid_compressed_png_within_the_byte_limit_but_over_the_pixel_limit() throws IOException {
        // given: a complete, valid 8000x6000 PNG of black rows (48 MP) that is only tens of kilobytes
        byte[] bomb = ImageBombs.pngZeroRows(8_000, 6_000);
        assertThat(bomb.length).isLessThan(200_000);
        // the generator makes real PNGs: a small one decodes to the declared size
        assertThat(ImageIO.read(new ByteArrayInputStream(ImageBombs.pngZeroRows(300, 200))).getWidth()).isEqualTo(300);

        // when
        ApiError e = refused(DEFAULTS, dataUrl("image/png", bomb));

        // then
        assertThat(e.code()).isEqualTo("image_too_large");
        assertThat(e.getMessage()).contains("8000x6000 = 48 MP").contains("the limit is 40 MP");
        // and with a higher limit the same file passes the door: it is the pixel count, not the bytes, that failed
        ImageInputs generous = ImageInputs.builder().maxPixels(50_000_000).build();
        try (ImageInputs.Batch b = generous.batch()) {
            b.add(dataUrl("image/png", bomb), "f");
            assertThat(b.files()).singleElement().satisfies(f -> assertThat(Files.size(f)).isEqualTo(bomb.length));
        }
    }

    @Test
    void should_refuse_a_gif_whose_logical_screen_is_absurd_even_with_a_tiny_frame() {
        // given: a 1x1 frame on a 65535x65535 logical screen (a decoder may allocate the screen)
        byte[] gif = ImageBombs.gifLogicalScreen(65_535, 65_535);

        // when
        ApiError e = refused(DEFAULTS, dataUrl("image/gif", gif));

        // then
        assertThat(e.code()).isEqualTo("image_too_large");
        assertThat(e.getMessage()).contains("65535x65535");
    }

    @Test
    void should_refuse_jpeg_and_webp_headers_claiming_huge_sizes() {
        ApiError jpeg = refused(DEFAULTS, dataUrl("image/jpeg", ImageBombs.jpegClaiming(65_000, 65_000)));
        ApiError webp = refused(DEFAULTS, dataUrl("image/webp", ImageBombs.webpExtended(16_384, 16_384)));

        assertThat(jpeg.code()).isEqualTo("image_too_large");
        assertThat(jpeg.getMessage()).contains("65000x65000");
        assertThat(webp.code()).isEqualTo("image_too_large");
        assertThat(webp.getMessage()).contains("16384x16384");
    }

    @Test
    void should_accept_small_real_images_and_refuse_unreadable_ones() throws IOException {
        try (ImageInputs.Batch b = DEFAULTS.batch()) {
            b.add(dataUrl("image/png", ImageBombs.png(4, 3)), "f");
            b.add(dataUrl("image/gif", ImageBombs.gifLogicalScreen(1, 1)), "g");
            b.add(dataUrl("image/webp", ImageBombs.webpExtended(64, 48)), "w");
            assertThat(b.files()).hasSize(3);
        }
        ApiError garbage = refused(DEFAULTS, dataUrl("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}));
        assertThat(garbage.code()).isEqualTo("invalid_image");
        assertThat(garbage.getMessage()).contains("not readable: unknown image format");
        byte[] truncated = Arrays.copyOf(ImageBombs.png(4, 3), 20); // signature and half an IHDR
        ApiError cut = refused(DEFAULTS, dataUrl("image/png", truncated));
        assertThat(cut.code()).isEqualTo("invalid_image");
        assertThat(cut.getMessage()).contains("bad PNG header");
    }

    @Test
    void should_refuse_an_allow_listed_name_that_resolves_to_loopback_by_default() {
        // given: "localhost" is allow-listed by name, and resolves to 127.0.0.1
        ImageInputs inputs = new ImageInputs(Set.of("localhost"), 1 << 20);

        // when
        ApiError e = refused(inputs, url("/pic.png"));

        // then: refused before any connection
        assertThat(e.code()).isEqualTo("remote_image_private_address");
        assertThat(e.getMessage()).contains("'localhost'").contains("loopback").contains("127.0.0.1");
        assertThat(requests).hasValue(0);
    }

    @Test
    void should_fetch_from_a_private_address_only_when_explicitly_allowed() throws IOException {
        ImageInputs anyPrivate = ImageInputs.builder().allowedHosts(Set.of("localhost")).allowPrivateAddresses(true).build();
        ImageInputs thatAddress = ImageInputs.builder().allowedHosts(Set.of("localhost")).allowedAddresses(Set.of("127.0.0.1")).build();
        ImageInputs otherAddress = ImageInputs.builder().allowedHosts(Set.of("localhost")).allowedAddresses(Set.of("10.0.0.7")).build();

        for (ImageInputs inputs : new ImageInputs[] {anyPrivate, thatAddress}) {
            try (ImageInputs.Batch b = inputs.batch()) {
                b.add(url("/pic.png"), "f");
                assertThat(b.files()).singleElement().satisfies(f -> assertThat(ImageIO.read(f.toFile()).getWidth()).isEqualTo(3));
            }
        }
        assertThat(requests).hasValue(2);
        assertThat(refused(otherAddress, url("/pic.png")).code()).isEqualTo("remote_image_private_address");
        assertThat(requests).hasValue(2);
    }

    @Test
    void should_end_a_fetch_whose_server_holds_the_connection_after_the_headers_within_the_fetch_timeout() {
        ImageInputs inputs = ImageInputs.builder().allowedHosts(Set.of("localhost")).allowPrivateAddresses(true)
                .fetchTimeout(Duration.ofSeconds(1)).build();

        long t0 = System.nanoTime();
        ApiError e = refused(inputs, url("/hang"));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(e.code()).isEqualTo("image_fetch_failed");
        assertThat(e.getMessage()).contains("within 1000 ms");
        assertThat(ms).as("fetch time (ms)").isLessThan(2_000);
    }

    @Test
    void should_not_follow_redirects_even_when_private_addresses_are_allowed() {
        ImageInputs inputs = ImageInputs.builder().allowedHosts(Set.of("localhost")).allowPrivateAddresses(true).build();

        ApiError e = refused(inputs, url("/moved"));

        assertThat(e.code()).isEqualTo("image_fetch_failed");
        assertThat(e.getMessage()).contains("HTTP 302");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "169.254.1.1", "fe80::1", "fc00::1", "fd00:ec2::254", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254"})
    void should_classify_internal_addresses_as_private(String ip) throws IOException {
        assertThat(ImageInputs.privateKind(InetAddress.getByName(ip))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "2001:4860:4860::8888"})
    void should_classify_public_addresses_as_public(String ip) throws IOException {
        assertThat(ImageInputs.privateKind(InetAddress.getByName(ip))).isEmpty();
    }

    @Test
    void should_name_the_metadata_address_and_refuse_non_literal_allowed_addresses() throws IOException {
        assertThat(ImageInputs.privateKind(InetAddress.getByName("169.254.169.254"))).contains("the cloud metadata address");
        assertThatThrownBy(() -> ImageInputs.builder().allowedAddresses(Set.of("intranet.example"))).isInstanceOf(MaestroException.class)
                .hasMessageContaining("IP literal");
    }
}
