package dev.maestro.policy.nn;

import dev.maestro.MaestroException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * All trainable numbers of a network in one flat {@code double[]}, with a gradient array of the same
 * length and named views (matrices or vectors) into both.
 *
 * <p>One flat array (rather than one array per layer) is what lets optimisers, gradient clipping,
 * copying and serialisation be single loops, and keeps a small network in a few cache lines.
 *
 * <p>{@link #version()} identifies the current values: it changes (to a process-wide fresh number)
 * whenever the values are changed through this class or an {@link Optimizer}. Caches of derived
 * quantities (e.g. precomputed first-layer projections of static candidate features) key on it.
 * Code that writes into {@link #values()} directly must call {@link #markChanged()}.
 *
 * <p>Not thread-safe for writes; concurrent reads (forward passes) are fine while nobody writes.
 */
public final class Parameters {
    /** Serialised format: magic, then {@link #FORMAT_VERSION}. Bump the version on any layout change. */
    static final int MAGIC = 0x4D50524D; // "MPRM"

    static final int FORMAT_VERSION = 1;

    private static final AtomicLong VERSIONS = new AtomicLong();

    /**
     * A named block of the flat array: {@code rows × cols} values, row-major, starting at {@code offset}.
     * Vectors have {@code rows == 1}. {@code decayed} says whether weight decay applies (weights yes,
     * biases no: decaying a bias only shifts the operating point of the activation).
     */
    public record View(String name, int offset, int rows, int cols, boolean decayed) {
        public int size() {
            return rows * cols;
        }

        /** Index into {@link Parameters#values()} of element (r, c). */
        public int index(int r, int c) {
            return offset + r * cols + c;
        }
    }

    private final double[] values;
    private final double[] gradients;
    private final List<View> views;
    private final Map<String, View> byName;
    private volatile long version;

    private Parameters(List<View> views, double[] values) {
        this.views = Collections.unmodifiableList(new ArrayList<>(views));
        Map<String, View> map = new LinkedHashMap<>();
        for (View v : views) {
            map.put(v.name(), v);
        }
        this.byName = Collections.unmodifiableMap(map);
        this.values = values;
        this.gradients = new double[values.length];
        this.version = VERSIONS.incrementAndGet();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The values; writes must be followed by {@link #markChanged()}. */
    public double[] values() {
        return values;
    }

    /** Accumulated gradients, same layout as {@link #values()}. */
    public double[] gradients() {
        return gradients;
    }

    public int size() {
        return values.length;
    }

    public List<View> views() {
        return views;
    }

    public Optional<View> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The view called {@code name}; throws naming the views that exist. */
    public View view(String name) {
        View v = byName.get(name);
        if (v == null) {
            throw new MaestroException("no parameter view '" + name + "'; views are " + byName.keySet());
        }
        return v;
    }

    public long version() {
        return version;
    }

    /** Declares that {@link #values()} changed: caches keyed by {@link #version()} become stale. */
    public void markChanged() {
        version = VERSIONS.incrementAndGet();
    }

    public void zeroGradients() {
        Arrays.fill(gradients, 0.0);
    }

    /** Euclidean norm of the whole gradient vector. */
    public double gradientNorm() {
        double s = 0;
        for (double g : gradients) {
            s += g * g;
        }
        return Math.sqrt(s);
    }

    /** A deep copy (values; gradients zero) with the same views, e.g. the frozen "old policy" of PPO/GRPO. */
    public Parameters copy() {
        return new Parameters(views, values.clone());
    }

    /** Copies the values of {@code other}, which must have the same views. */
    public void copyFrom(Parameters other) {
        requireSameLayout(other);
        System.arraycopy(other.values, 0, values, 0, values.length);
        markChanged();
    }

    /** True if {@code other} has the same views (names, shapes, offsets, decay flags). */
    public boolean sameLayout(Parameters other) {
        return views.equals(other.views);
    }

    private void requireSameLayout(Parameters other) {
        if (!sameLayout(other)) {
            throw new MaestroException("parameter layouts differ: expected " + describe(views) + " but got " + describe(other.views));
        }
    }

    private static String describe(List<View> vs) {
        StringBuilder sb = new StringBuilder("[");
        for (View v : vs) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(v.name()).append(' ').append(v.rows()).append('x').append(v.cols());
        }
        return sb.append(']').toString();
    }

    /**
     * Writes the views and values: {@code int magic, int formatVersion, int viewCount,
     * (UTF name, int rows, int cols, boolean decayed)*, int valueCount, double* values, long crc32}.
     * The CRC covers the values, so a truncated or corrupted checkpoint is refused on read.
     */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(views.size());
        for (View v : views) {
            out.writeUTF(v.name());
            out.writeInt(v.rows());
            out.writeInt(v.cols());
            out.writeBoolean(v.decayed());
        }
        out.writeInt(values.length);
        CRC32 crc = new CRC32();
        byte[] buf = new byte[8];
        for (double d : values) {
            long bits = Double.doubleToRawLongBits(d);
            out.writeLong(bits);
            for (int i = 0; i < 8; i++) {
                buf[i] = (byte) (bits >>> (56 - 8 * i));
            }
            crc.update(buf, 0, 8);
        }
        out.writeLong(crc.getValue());
    }

    /**
     * Reads what {@link #write} wrote; {@code source} names the origin in error messages. {@code in} must be
     * backed by the whole remaining input (a byte array, as {@link dev.maestro.policy.Checkpoint} does): its
     * {@code available()} bounds what the declared shapes may allocate.
     */
    public static Parameters read(DataInputStream in, String source) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new MaestroException(source + ": not a parameters file (magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
        }
        int format = in.readInt();
        if (format != FORMAT_VERSION) {
            throw new MaestroException(source + ": parameters format version " + format + " is not supported (supported: "
                    + FORMAT_VERSION + ")");
        }
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new MaestroException(source + ": implausible view count " + n + " (expected 0..10000)");
        }
        Builder b = builder();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            int rows = in.readInt();
            int cols = in.readInt();
            boolean decayed = in.readBoolean();
            try {
                b.add(name, rows, cols, decayed);
            } catch (MaestroException e) {
                throw new MaestroException(source + ": " + e.getMessage(), e);
            }
        }
        // a forged shape must not allocate beyond the bytes that are there (8 per value plus the count and CRC);
        // parameters are read from a byte array, so available() is what remains
        if (8L * b.size + 12L > in.available()) {
            throw new MaestroException(source + ": views declare " + b.size + " values but only " + in.available()
                    + " bytes remain (truncated or corrupted)");
        }
        Parameters p = b.build();
        int count = in.readInt();
        if (count != p.size()) {
            throw new MaestroException(source + ": value count " + count + " does not match the views' total " + p.size());
        }
        CRC32 crc = new CRC32();
        byte[] buf = new byte[8];
        for (int i = 0; i < count; i++) {
            long bits = in.readLong();
            p.values[i] = Double.longBitsToDouble(bits);
            for (int j = 0; j < 8; j++) {
                buf[j] = (byte) (bits >>> (56 - 8 * j));
            }
            crc.update(buf, 0, 8);
        }
        long stored = in.readLong();
        if (stored != crc.getValue()) {
            throw new MaestroException(source + ": parameters checksum mismatch (file corrupted or truncated)");
        }
        p.markChanged();
        return p;
    }

    /** Declares views in order; each gets the next block of the flat array. */
    public static final class Builder {
        private final List<View> views = new ArrayList<>();
        private int size;

        private Builder() {
        }

        /** A matrix of weights (decayed). */
        public Builder matrix(String name, int rows, int cols) {
            return add(name, rows, cols, true);
        }

        /** A vector of biases (not decayed). */
        public Builder bias(String name, int length) {
            return add(name, 1, length, false);
        }

        public Builder add(String name, int rows, int cols, boolean decayed) {
            if (name.isBlank()) {
                throw new MaestroException("parameter view name must not be blank");
            }
            if (rows < 0 || cols < 0) {
                throw new MaestroException("parameter view '" + name + "' has negative shape " + rows + "x" + cols);
            }
            for (View v : views) {
                if (v.name().equals(name)) {
                    throw new MaestroException("duplicate parameter view '" + name + "'");
                }
            }
            long end = (long) size + (long) rows * cols;
            if (end > Integer.MAX_VALUE - 8) {
                throw new MaestroException("parameters too large at view '" + name + "': " + end + " values");
            }
            views.add(new View(name, size, rows, cols, decayed));
            size = (int) end;
            return this;
        }

        public Parameters build() {
            return new Parameters(views, new double[size]);
        }
    }
}
