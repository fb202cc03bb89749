package dev.maestro.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.policy.nn.Adam;
import dev.maestro.policy.nn.Parameters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A versioned, checksummed policy checkpoint, written atomically.
 *
 * <pre>
 *   "MAESTROCKPT" (11 bytes) · int format · int headerLength · header JSON (UTF-8)
 *   · parameters block ({@link Parameters#write}) · int length + Adam state (−1 if absent)
 *   · int length + training-split pair history (−1 if absent)
 *   · 32-byte SHA-256 of everything before it
 * </pre>
 * The header names the format version, the registry fingerprint the policy was trained on, the full
 * config, the seed and the step, so a run can be resumed and a reader can tell what it holds.
 */
public final class Checkpoint {
    /**
     * 2: the policy reads the cost weight and composes (more candidate features); costs and cost weight in the header.
     * 3: three look-ahead inputs per call candidate (a format-2 network has 39 candidate inputs, this one 42).
     */
    public static final int FORMAT = 3;
    static final byte[] MAGIC = "MAESTROCKPT".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /**
     * @param format              checkpoint format version
     * @param registryName        registry trained on
     * @param registryFingerprint its fingerprint (evaluation on another registry is allowed and reported)
     * @param embedder            text embedder name ({@code bge-small-en-v1.5-q} or {@code hashing-384})
     * @param projectionSeed      seed of the question projection
     * @param config              the training config as the trainer wrote it (a JSON object; loading a policy reads
     *                            only its network shape, {@link #architecture()})
     * @param step                optimisation steps done
     * @param priors              per-pair training accuracy (pair id → accuracy)
     * @param costs               per-pair mean cost per training task (pair id → US$)
     * @param costReference       the unit of the cost weight: the best training pair's mean cost per task (US$)
     * @param costWeight          the cost weight chosen on the validation split (the policy's default)
     * @param notes               anything else worth keeping (validation scores, gate decision)
     */
    public record Header(int format, String registryName, String registryFingerprint, String embedder, long projectionSeed,
                         Map<String, Object> config, long step, Map<String, Double> priors, Map<String, Double> costs,
                         double costReference, double costWeight, Map<String, Object> notes) {

        /** The network shape recorded in {@link #config}: {@code hidden}, {@code projection} and {@code seed}. */
        public PolicyArchitecture architecture() {
            Object hidden = config.get("hidden");
            Object projection = config.get("projection");
            Object seed = config.get("seed");
            if (!(hidden instanceof List<?> h) || !(projection instanceof Number p) || !(seed instanceof Number sd)) {
                throw new MaestroException("malformed checkpoint: its config lacks hidden, projection or seed");
            }
            List<Integer> sizes = new ArrayList<>();
            for (Object x : h) {
                if (!(x instanceof Number n)) {
                    throw new MaestroException("malformed checkpoint: config.hidden holds " + x + ", not a number");
                }
                sizes.add(n.intValue());
            }
            return new PolicyArchitecture(sizes, p.intValue(), sd.longValue());
        }

        /**
         * {@code base} with the turn and call limits the policy was trained and validated with ({@code maxTurns},
         * {@code maxCalls} of {@link #config}), or {@code base} unchanged where the config lacks them. The policy reads
         * the share of calls left, so under other limits it would decide on inputs validation never saw.
         */
        public EpisodeConfig trainedLimits(EpisodeConfig base) {
            EpisodeConfig c = base;
            if (config.get("maxTurns") instanceof Number t && t.intValue() >= 1) {
                c = c.withMaxTurns(t.intValue());
            }
            if (config.get("maxCalls") instanceof Number n && n.intValue() >= 0) {
                c = c.withMaxCalls(n.intValue());
            }
            return c;
        }
    }

    /** What a checkpoint holds. */
    public record Contents(Header header, Parameters parameters, Optional<byte[]> optimizerState,
                           Optional<PairHistory> history) {
        public void restoreOptimizer(Adam adam, String source) {
            if (optimizerState.isPresent()) {
                try {
                    adam.readState(new DataInputStream(new ByteArrayInputStream(optimizerState.get())), source);
                } catch (IOException e) {
                    throw new MaestroException(source + ": cannot read optimizer state: " + e.getMessage(), e);
                }
            }
        }
    }

    private Checkpoint() {
    }

    public static byte[] encode(Header header, Parameters params, Optional<Adam> optimizer) {
        return encode(header, params, optimizer, Optional.empty());
    }

    public static byte[] encode(Header header, Parameters params, Optional<Adam> optimizer,
                                Optional<PairHistory> history) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(header.format());
            byte[] h = JSON.writeValueAsBytes(header);
            out.writeInt(h.length);
            out.write(h);
            params.write(out);
            writeBlock(out, optimizer.map(o -> (IoWriter) o::writeState));
            writeBlock(out, history.map(ph -> (IoWriter) ph::write));
            out.flush();
            byte[] body = bytes.toByteArray();
            byte[] digest = sha256(body);
            byte[] all = Arrays.copyOf(body, body.length + digest.length);
            System.arraycopy(digest, 0, all, body.length, digest.length);
            return all;
        } catch (IOException e) {
            throw new MaestroException("cannot encode checkpoint: " + e.getMessage(), e);
        }
    }

    public static void write(Path file, Header header, Parameters params, Optional<Adam> optimizer) {
        AtomicFiles.write(file, encode(header, params, optimizer));
    }

    public static void write(Path file, Header header, Parameters params, Optional<Adam> optimizer,
                             Optional<PairHistory> history) {
        AtomicFiles.write(file, encode(header, params, optimizer, history));
    }

    private interface IoWriter {
        void write(DataOutputStream out) throws IOException;
    }

    /** A length-prefixed optional block (-1 = absent), so readers can skip what they do not need. */
    private static void writeBlock(DataOutputStream out, Optional<IoWriter> w) throws IOException {
        if (w.isEmpty()) {
            out.writeInt(-1);
            return;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        w.get().write(d);
        d.flush();
        out.writeInt(b.size());
        b.writeTo(out);
    }

    private static Optional<byte[]> readBlock(DataInputStream in, String source) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return Optional.empty();
        }
        if (n < 0 || n > in.available()) {
            throw new MaestroException(source + ": malformed checkpoint: block length " + n);
        }
        return Optional.of(in.readNBytes(n));
    }

    public static Contents read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new MaestroException("no checkpoint at " + file);
        } catch (IOException e) {
            throw new MaestroException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        return decode(all, file.toString());
    }

    public static Contents decode(byte[] all, String source) {
        if (all.length < MAGIC.length + 8 + 32 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new MaestroException(source + ": not a Maestro checkpoint (missing MAESTROCKPT header)");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, MAGIC.length, all.length - MAGIC.length));
            int format = in.readInt();
            if (format != FORMAT) {
                throw new MaestroException(source + ": checkpoint format version " + format + " is not supported by this "
                        + "version of Maestro (it reads format " + FORMAT + "); retrain with `maestro train`, or use the "
                        + "Maestro release that wrote it");
            }
            byte[] body = Arrays.copyOf(all, all.length - 32);
            byte[] stored = Arrays.copyOfRange(all, all.length - 32, all.length);
            if (!MessageDigest.isEqual(sha256(body), stored)) {
                throw new MaestroException(source + ": checkpoint checksum mismatch (file corrupted or truncated); "
                        + "use an earlier checkpoint or retrain");
            }
            int hl = in.readInt();
            if (hl < 0 || hl > all.length) {
                throw new MaestroException(source + ": implausible header length " + hl);
            }
            byte[] h = in.readNBytes(hl);
            Header header = checked(JSON.readValue(h, Header.class), source);
            Parameters params = Parameters.read(in, source);
            Optional<byte[]> opt = readBlock(in, source);
            Optional<byte[]> hist = readBlock(in, source);
            Optional<PairHistory> history = hist.isEmpty() ? Optional.empty()
                    : Optional.of(PairHistory.read(new DataInputStream(new ByteArrayInputStream(hist.get())), source));
            return new Contents(header, params, opt, history);
        } catch (IOException e) {
            throw new MaestroException(source + ": malformed checkpoint: " + e.getMessage(), e);
        }
    }

    /** A header JSON may parse yet lack fields every reader relies on; refuse it here, not with a later NPE. */
    private static Header checked(Header h, String source) {
        if (h == null || h.registryName() == null || h.registryFingerprint() == null || h.embedder() == null
                || h.config() == null) {
            throw new MaestroException(source + ": malformed checkpoint: the header must hold registryName, "
                    + "registryFingerprint, embedder and config");
        }
        if (!(h.costReference() >= 0) || !(h.costWeight() >= 0) || Double.isInfinite(h.costWeight())) {
            throw new MaestroException(source + ": malformed checkpoint: costReference and costWeight must be numbers >= 0");
        }
        if (h.priors() != null && h.notes() != null && h.costs() != null) {
            return h;
        }
        return new Header(h.format(), h.registryName(), h.registryFingerprint(), h.embedder(), h.projectionSeed(),
                h.config(), h.step(), h.priors() == null ? Map.of() : h.priors(), h.costs() == null ? Map.of() : h.costs(),
                h.costReference(), h.costWeight(), h.notes() == null ? Map.of() : h.notes());
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    public static String digest(Path file) {
        try {
            return hex(sha256(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new MaestroException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
