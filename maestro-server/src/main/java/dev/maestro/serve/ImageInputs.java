package dev.maestro.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns request images into files the experts can read: {@code data:image/...;base64,...} URLs are decoded;
 * remote {@code http(s)} URLs are refused (400) unless their host is allow-listed, because fetching arbitrary URLs
 * from the server would let any client make it reach internal hosts. Files live in a per-request temp folder
 * that {@link Batch#close} deletes.
 */
public final class ImageInputs {
    private static final Map<String, String> EXT = Map.of("image/png", "png", "image/jpeg", "jpg", "image/jpg", "jpg",
            "image/gif", "gif", "image/webp", "webp", "image/bmp", "bmp");

    private final Set<String> allowedHosts;
    private final long maxImageBytes;
    private volatile HttpClient http;

    public ImageInputs(Set<String> allowedHosts, long maxImageBytes) {
        this.allowedHosts = Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        this.maxImageBytes = maxImageBytes;
    }

    public Batch batch() {
        return new Batch();
    }

    /** The images of one request. */
    public final class Batch implements AutoCloseable {
        private Path dir;
        private final List<Path> files = new ArrayList<>();

        public List<Path> files() {
            return List.copyOf(files);
        }

        /** Adds one image given as a URL; {@code field} names it in error messages (e.g. {@code messages[1].content[2]}). */
        public void add(String url, String field) {
            String u = url.strip();
            if (u.regionMatches(true, 0, "data:", 0, 5)) {
                addDataUrl(u, field);
            } else if (u.regionMatches(true, 0, "http://", 0, 7) || u.regionMatches(true, 0, "https://", 0, 8)) {
                addRemote(u, field);
            } else {
                throw ApiError.badRequest("invalid_image_url", field + ": image_url must be a data: URL (data:image/png;base64,...)"
                        + (allowedHosts.isEmpty() ? "" : " or an http(s) URL on an allowed host"));
            }
        }

        private void addDataUrl(String u, String field) {
            int comma = u.indexOf(',');
            String meta = comma < 0 ? "" : u.substring(5, comma).toLowerCase(Locale.ROOT);
            if (comma < 0 || !meta.endsWith(";base64")) {
                throw ApiError.badRequest("invalid_image_url", field + ": data URL must look like data:image/png;base64,<data>");
            }
            String mime = meta.substring(0, meta.length() - ";base64".length());
            String ext = EXT.get(mime);
            if (ext == null) {
                throw ApiError.badRequest("invalid_image_url", field + ": unsupported image type '" + abbreviate(mime)
                        + "'; supported: " + String.join(", ", new java.util.TreeSet<>(EXT.keySet())));
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(u.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("invalid_image_url", field + ": data URL is not valid base64");
            }
            if (bytes.length == 0) {
                throw ApiError.badRequest("invalid_image_url", field + ": data URL holds no bytes");
            }
            write(bytes, ext);
        }

        private void addRemote(String u, String field) {
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("invalid_image_url", field + ": not a valid URL");
            }
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            if (!allowedHosts.contains(host)) {
                throw ApiError.badRequest("remote_image_not_allowed", field + ": remote image URLs are not fetched"
                        + " (host '" + abbreviate(host) + "' is not in the allowlist); send the image as a data: URL");
            }
            try {
                HttpResponse<InputStream> r = client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    if (r.statusCode() != 200) {
                        throw ApiError.badRequest("image_fetch_failed", field + ": fetching the image returned HTTP " + r.statusCode());
                    }
                    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxImageBytes + 1));
                    if (bytes.length > maxImageBytes) {
                        throw ApiError.badRequest("image_too_large", field + ": image exceeds " + maxImageBytes + " bytes");
                    }
                    String mime = r.headers().firstValue("content-type").orElse("image/png").split(";")[0].strip().toLowerCase(Locale.ROOT);
                    write(bytes, EXT.getOrDefault(mime, "png"));
                }
            } catch (IOException e) {
                throw ApiError.badRequest("image_fetch_failed", field + ": fetching the image failed: " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiError.badRequest("image_fetch_failed", field + ": interrupted");
            }
        }

        private void write(byte[] bytes, String ext) {
            if (bytes.length > maxImageBytes) {
                throw ApiError.badRequest("image_too_large", "image exceeds " + maxImageBytes + " bytes");
            }
            try {
                if (dir == null) {
                    dir = Files.createTempDirectory("maestro-img-");
                }
                Path f = dir.resolve("image-" + files.size() + "." + ext);
                Files.write(f, bytes);
                files.add(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (dir == null) {
                return;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: the OS cleans temp folders too
            }
        }
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                            .followRedirects(HttpClient.Redirect.NEVER).build(); // a redirect could leave the allowlist
                }
                c = http;
            }
        }
        return c;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}
