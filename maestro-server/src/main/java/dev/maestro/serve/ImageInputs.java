package dev.maestro.serve;

import dev.maestro.MaestroException;
import dev.maestro.io.BoundedHttp;
import dev.maestro.io.LimitExceededException;
import dev.maestro.io.ScratchFolder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns request images into files the experts can read: {@code data:image/...;base64,...} URLs are decoded;
 * remote {@code http(s)} URLs are refused (400) unless their host is allow-listed, because fetching arbitrary URLs
 * from the server would let any client make it reach internal hosts. Even an allow-listed host name is refused when
 * it resolves to a loopback, private, link-local, unique-local, multicast or wildcard address (or the cloud
 * metadata address), unless that address is configured or private addresses are explicitly allowed; redirects are
 * never followed. Every image is checked from its header alone (width x height, for GIF also the logical screen)
 * before it is written, so a small file that would inflate to a huge raster is refused at the door (400
 * {@code image_too_large}). A fetch has one deadline for connect, headers and body ({@link Builder#fetchTimeout},
 * default 20 s) and its body is counted as it arrives, so a server that trickles or holds the connection, or sends
 * more than the byte limit, costs at most the deadline and the limit. Files live in a per-request temp folder that
 * {@link Batch#close} deletes.
 */
public final class ImageInputs {
    private static final Map<String, String> EXT = Map.of("image/png", "png", "image/jpeg", "jpg", "image/jpg", "jpg",
            "image/gif", "gif", "image/webp", "webp", "image/bmp", "bmp");
    /** Default largest image accepted: 40 MP, the same limit the image tools decode. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private final Set<String> allowedHosts;
    private final long maxImageBytes;
    private final long maxPixels;
    private final boolean allowPrivateAddresses;
    private final Set<InetAddress> allowedAddresses;
    private final Duration fetchTimeout;
    private volatile HttpClient http;

    /** Allow-listed hosts must resolve to public addresses; images up to {@link #DEFAULT_MAX_PIXELS}. */
    public ImageInputs(Set<String> allowedHosts, long maxImageBytes) {
        this(builder().allowedHosts(allowedHosts).maxImageBytes(maxImageBytes));
    }

    private ImageInputs(Builder b) {
        this.allowedHosts = Set.copyOf(b.allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        this.maxImageBytes = b.maxImageBytes;
        this.maxPixels = b.maxPixels;
        this.allowPrivateAddresses = b.allowPrivateAddresses;
        this.allowedAddresses = Set.copyOf(b.allowedAddresses);
        this.fetchTimeout = b.fetchTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings; defaults: no remote hosts, 20 MB, 40 MP, private addresses refused, 20 s per fetch. */
    public static final class Builder {
        private Set<String> allowedHosts = Set.of();
        private long maxImageBytes = 20L << 20;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private boolean allowPrivateAddresses;
        private Set<InetAddress> allowedAddresses = Set.of();
        private Duration fetchTimeout = Duration.ofSeconds(20);

        private Builder() {
        }

        /** One deadline for a remote image fetch: connect, headers and body. */
        public Builder fetchTimeout(Duration v) {
            if (v.isZero() || v.isNegative()) {
                throw new MaestroException("fetchTimeout must be > 0, got " + v);
            }
            this.fetchTimeout = v;
            return this;
        }

        /** Host names whose http(s) image URLs may be fetched. */
        public Builder allowedHosts(Set<String> v) { this.allowedHosts = Set.copyOf(v); return this; }
        public Builder maxImageBytes(long v) { this.maxImageBytes = positive(v, "maxImageBytes"); return this; }
        /** Largest width x height accepted, checked from the image header before anything is decoded. */
        public Builder maxPixels(long v) { this.maxPixels = positive(v, "maxPixels"); return this; }
        /**
         * Fetch allow-listed hosts even when they resolve to loopback, private, link-local or unique-local
         * addresses (an image server on the internal network); off by default.
         */
        public Builder allowPrivateAddresses(boolean v) { this.allowPrivateAddresses = v; return this; }
        /**
         * IP literals that may be reached even though they are private (e.g. {@code 10.0.0.7}); anything that is
         * not an IP literal is refused here, so no name is resolved while configuring.
         */
        public Builder allowedAddresses(Set<String> ips) {
            Set<InetAddress> out = new HashSet<>();
            for (String ip : ips) {
                String t = ip.strip();
                if (!t.matches("[0-9.]+|\\[?[0-9A-Fa-f:.]+]?")) {
                    throw new MaestroException("allowed image address must be an IP literal, got '" + abbreviate(t) + "'");
                }
                try {
                    out.add(InetAddress.getByName(t.replace("[", "").replace("]", "")));
                } catch (UnknownHostException e) {
                    throw new MaestroException("not an IP address: '" + abbreviate(t) + "'");
                }
            }
            this.allowedAddresses = Set.copyOf(out);
            return this;
        }

        public ImageInputs build() {
            return new ImageInputs(this);
        }

        private static long positive(long v, String name) {
            if (v <= 0) {
                throw new MaestroException(name + " must be > 0, got " + v);
            }
            return v;
        }
    }

    /**
     * Why {@code a} must not be fetched without explicit permission, or empty when it is a public address.
     * IPv4-mapped IPv6 addresses arrive here as {@link java.net.Inet4Address} (the JDK unwraps them).
     */
    static Optional<String> privateKind(InetAddress a) {
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress()) {
            return Optional.of("a wildcard address");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (b.length == 4 && (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
            return Optional.of("the cloud metadata address");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("a private (site-local) address");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        if (b.length == 16 && (b[0] & 0xfe) == 0xfc) {
            return Optional.of("a unique-local IPv6 address (fc00::/7)");
        }
        if (b.length == 4 && b[0] == 0) {
            return Optional.of("an address in 0.0.0.0/8");
        }
        return Optional.empty();
    }

    public Batch batch() {
        return new Batch();
    }

    /** The images of one request. */
    public final class Batch implements AutoCloseable {
        private final ScratchFolder dir = new ScratchFolder("maestro-img-");
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
                        + "'; supported: " + String.join(", ", new TreeSet<>(EXT.keySet())));
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
            checkAddresses(host, field);
            try {
                BoundedHttp.Response r = BoundedHttp.send(client(), HttpRequest.newBuilder(uri).timeout(fetchTimeout).GET().build(),
                        fetchTimeout, maxImageBytes, cap -> field + ": image exceeds " + cap + " bytes");
                if (r.status() != 200) {
                    throw ApiError.badRequest("image_fetch_failed", field + ": fetching the image returned HTTP " + r.status());
                }
                String mime = r.headers().firstValue("content-type").orElse("image/png").split(";")[0].strip().toLowerCase(Locale.ROOT);
                write(r.body(), EXT.getOrDefault(mime, "png"));
            } catch (LimitExceededException e) {
                throw ApiError.badRequest("image_too_large", e.getMessage());
            } catch (HttpTimeoutException e) {
                throw ApiError.badRequest("image_fetch_failed", field + ": the image did not arrive within "
                        + fetchTimeout.toMillis() + " ms");
            } catch (IOException e) {
                throw ApiError.badRequest("image_fetch_failed", field + ": fetching the image failed: " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiError.badRequest("image_fetch_failed", field + ": interrupted");
            }
        }

        /**
         * An allow-listed name is still refused when it resolves to an internal address: DNS is not ours, and a
         * name pointing at 127.0.0.1 or 169.254.169.254 would turn the server into a proxy to its own network.
         * The HTTP client resolves the name again when connecting, so a DNS answer that changes between the two
         * lookups is not covered; pin such hosts with an IP literal instead.
         */
        private void checkAddresses(String host, String field) {
            InetAddress[] all;
            try {
                all = InetAddress.getAllByName(host);
            } catch (UnknownHostException | SecurityException e) {
                throw ApiError.badRequest("image_fetch_failed", field + ": host '" + abbreviate(host) + "' does not resolve");
            }
            if (allowPrivateAddresses) {
                return;
            }
            for (InetAddress a : all) {
                Optional<String> kind = privateKind(a);
                if (kind.isPresent() && !allowedAddresses.contains(a)) {
                    throw ApiError.badRequest("remote_image_private_address", field + ": host '" + abbreviate(host)
                            + "' resolves to " + kind.get() + " (" + a.getHostAddress() + "), which is not fetched; "
                            + "allow that address or private addresses explicitly in the server configuration");
                }
            }
        }

        private void write(byte[] bytes, String ext) {
            if (bytes.length > maxImageBytes) {
                throw ApiError.badRequest("image_too_large", "image exceeds " + maxImageBytes + " bytes");
            }
            checkHeader(bytes);
            files.add(dir.write(ext, bytes));
        }

        @Override
        public void close() {
            dir.close();
        }
    }

    /**
     * Refuses an image whose header is unreadable or claims more than {@link #maxPixels} pixels, reading only the
     * header: a few-kilobyte PNG of zero rows can claim 100 MP and would take gigabytes to decode in an expert.
     */
    private void checkHeader(byte[] bytes) {
        ImageHeader.Size size;
        try {
            size = ImageHeader.size(bytes);
        } catch (ImageHeader.Unreadable e) {
            throw ApiError.badRequest("invalid_image", "image is not readable: " + e.getMessage()
                    + " (send a PNG, JPEG, GIF, BMP or WebP)");
        }
        if (size.pixels() > maxPixels) {
            throw ApiError.badRequest("image_too_large", "image is " + size + " = " + size.pixels() / 1_000_000
                    + " MP; the limit is " + maxPixels / 1_000_000 + " MP (" + maxPixels + " pixels)");
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
