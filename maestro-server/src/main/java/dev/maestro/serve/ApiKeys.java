package dev.maestro.serve;

import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Bearer keys accepted by the server. Only SHA-256 digests are kept, so a heap dump or a log of this object
 * shows no key; {@link #check} compares digests in constant time and returns a short key id (digest prefix)
 * usable for rate limiting and metrics.
 */
public final class ApiKeys {
    private final List<byte[]> digests;

    private ApiKeys(List<byte[]> digests) {
        this.digests = List.copyOf(digests);
    }

    public static ApiKeys none() {
        return new ApiKeys(List.of());
    }

    public static ApiKeys of(List<String> keys) {
        List<byte[]> d = new ArrayList<>();
        for (String k : keys) {
            String t = k.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                d.add(sha256(t));
            }
        }
        return new ApiKeys(d);
    }

    /** Keys from the value of an environment variable: separated by newlines, commas or whitespace. */
    public static ApiKeys fromEnvValue(String value) {
        return of(List.of(value.split("[,\\s]+")));
    }

    /** Keys from a file, one per line; blank lines and lines starting with {@code #} are skipped. */
    public static ApiKeys fromFile(Path file) {
        try {
            return of(BoundedFiles.readString(file, Limit.CONFIG_FILE).lines().toList());
        } catch (LimitExceededException e) { // the message names the file and its size, never its content
            throw new MaestroException("API keys file: " + e.getMessage());
        } catch (IOException e) {
            throw new MaestroException("cannot read API keys file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    public ApiKeys plus(ApiKeys other) {
        List<byte[]> d = new ArrayList<>(digests);
        d.addAll(other.digests);
        return new ApiKeys(d);
    }

    public boolean isEmpty() {
        return digests.isEmpty();
    }

    public int size() {
        return digests.size();
    }

    /** The key's id (first 12 hex chars of its digest) if the key is accepted. */
    public Optional<String> check(String key) {
        byte[] d = sha256(key);
        boolean ok = false;
        for (byte[] k : digests) {
            ok |= MessageDigest.isEqual(k, d); // no early exit: timing does not tell which key matched
        }
        return ok ? Optional.of(HexFormat.of().formatHex(d, 0, 6)) : Optional.empty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ApiKeys[" + digests.size() + " keys]";
    }
}
