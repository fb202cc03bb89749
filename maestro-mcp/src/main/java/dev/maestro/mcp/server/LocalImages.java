package dev.maestro.mcp.server;

import dev.maestro.MaestroException;
import dev.maestro.io.Limit;
import dev.maestro.io.ScratchFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

/**
 * Images of a local MCP client (stdio): {@code data:image/...;base64,...} URLs, decoded into a per-call temporary
 * folder, and, when allowed, paths of image files on this machine (the client runs here as the same user). Each image
 * is at most {@link Limit#IMAGE} bytes and must start like a PNG, JPEG, GIF, WebP or BMP file.
 */
public final class LocalImages implements ImageResolver {
    private final boolean paths;
    private final long maxBytes;

    private LocalImages(boolean paths, long maxBytes) {
        this.paths = paths;
        this.maxBytes = maxBytes;
    }

    /** Data URLs and, if {@code paths}, local files. */
    public static LocalImages create(boolean paths) {
        return new LocalImages(paths, Limit.IMAGE.bytes());
    }

    @Override
    public Scope open() {
        return new Scope() {
            private final ScratchFolder dir = new ScratchFolder("maestro-mcp-images");

            @Override
            public Path add(String image, String field) {
                String s = image.strip();
                if (s.regionMatches(true, 0, "data:", 0, 5)) {
                    return decode(s, field);
                }
                if (!paths) {
                    throw new MaestroException(field + ": an image must be a data URL (data:image/png;base64,...)");
                }
                Path p = Path.of(s.startsWith("file://") ? s.substring(7) : s).toAbsolutePath().normalize();
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    throw new MaestroException(field + ": no readable image file at " + p + " (give a data URL "
                            + "data:image/png;base64,... or the path of a PNG, JPEG, GIF, WebP or BMP file)");
                }
                try {
                    if (Files.size(p) > maxBytes) {
                        throw new MaestroException(field + ": " + p + " is larger than the " + Limit.human(maxBytes)
                                + " allowed for an image; " + Limit.IMAGE.raiseHint(maxBytes));
                    }
                    byte[] head;
                    try (var in = Files.newInputStream(p)) {
                        head = in.readNBytes(16);
                    }
                    kind(head, field);
                } catch (IOException e) {
                    throw new MaestroException(field + ": cannot read " + p + ": " + e.getMessage());
                }
                return p;
            }

            private Path decode(String url, String field) {
                int comma = url.indexOf(',');
                String meta = comma < 0 ? "" : url.substring(5, comma).toLowerCase(Locale.ROOT);
                if (comma < 0 || !meta.startsWith("image/") || !meta.endsWith(";base64")) {
                    throw new MaestroException(field + ": a data URL must look like data:image/png;base64,<data>");
                }
                long approx = (long) (url.length() - comma - 1) * 3 / 4;
                if (approx > maxBytes) {
                    throw new MaestroException(field + ": the image is larger than the " + Limit.human(maxBytes)
                            + " allowed; " + Limit.IMAGE.raiseHint(maxBytes));
                }
                byte[] bytes;
                try {
                    bytes = Base64.getMimeDecoder().decode(url.substring(comma + 1));
                } catch (IllegalArgumentException e) {
                    throw new MaestroException(field + ": the data URL is not valid base64");
                }
                return dir.write(kind(bytes, field), bytes);
            }

            @Override
            public void close() {
                dir.close();
            }
        };
    }

    /** The file type from the first bytes, or a MaestroException naming the accepted types. */
    static String kind(byte[] b, String field) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "jpg";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "gif";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "webp";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "bmp";
        }
        throw new MaestroException(field + ": not an image (PNG, JPEG, GIF, WebP or BMP expected)");
    }
}
