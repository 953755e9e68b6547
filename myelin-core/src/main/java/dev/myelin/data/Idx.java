package dev.myelin.data;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.io.AtomicFiles;
import dev.myelin.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed.
 *
 * <p>Format: a 4-byte magic number {@code 0x00 0x00 type rank}, then {@code rank} big-endian int32
 * dimensions, then the elements in row-major order, big-endian. Types: {@code 0x08} unsigned byte (what
 * MNIST uses), {@code 0x09} signed byte, {@code 0x0B} int16, {@code 0x0C} int32, {@code 0x0D} float32,
 * {@code 0x0E} float64. All are read, into float32 (int32 and float64 values lose precision beyond
 * float's 24-bit mantissa); only unsigned bytes are written.
 *
 * <p>Compression is recognized by the gzip magic bytes {@code 0x1f 0x8b}, never by the file name.
 * Malformed input — a wrong magic number, an unknown type, a length that does not match the header,
 * truncated gzip data — gives an {@link IOException} whose message names the file and what was expected
 * and found.
 *
 * <p>Values are returned raw: MNIST pixels are 0..255 (scale them with {@link Normalization#scale}).
 *
 * <p>Example:
 * <pre>{@code
 * Tensor images = Idx.readImages(dir.resolve("train-images-idx3-ubyte.gz")); // [60000, 28, 28, 1]
 * Tensor labels = Idx.readLabels(dir.resolve("train-labels-idx1-ubyte.gz")); // [60000]
 * Idx.write(Path.of("small-labels-idx1-ubyte.gz"), labels.slice(0, 0, 100), true);
 * }</pre>
 */
public final class Idx {
    /** IDX type code of unsigned bytes, the only type {@link #write} produces. */
    public static final int UNSIGNED_BYTE = 0x08;

    private Idx() {}

    /** A parsed IDX file: its type code, its dimensions and its elements as float32 (package use). */
    record Content(int type, int[] dims, float[] data) {}

    /** The file as a float32 tensor whose shape is the header's dimensions. */
    public static Tensor read(Path file) throws IOException {
        Content c = readContent(file);
        return Tensor.of(c.data, c.dims);
    }

    /**
     * An image file {@code [n, rows, cols]} as {@code [n, rows, cols, 1]} (a channel axis added); a 4-D
     * file {@code [n, rows, cols, channels]} is returned as it is.
     */
    public static Tensor readImages(Path file) throws IOException {
        Content c = readImagesContent(file);
        return Tensor.of(c.data, c.dims);
    }

    /** A label file {@code [n]} as a float32 tensor {@code [n]}. */
    public static Tensor readLabels(Path file) throws IOException {
        Content c = readLabelsContent(file);
        return Tensor.of(c.data, c.dims);
    }

    static Content readImagesContent(Path file) throws IOException {
        Content c = readContent(file);
        if (c.dims.length == 3) return new Content(c.type, new int[] {c.dims[0], c.dims[1], c.dims[2], 1}, c.data);
        if (c.dims.length == 4) return c;
        throw new IOException(file + ": expected an IDX image file with 3 dimensions [n, rows, cols] (or 4 with channels), found "
                + c.dims.length + ": " + Arrays.toString(c.dims));
    }

    static Content readLabelsContent(Path file) throws IOException {
        Content c = readContent(file);
        if (c.dims.length != 1) {
            throw new IOException(file + ": expected an IDX label file with 1 dimension [n], found " + c.dims.length + ": " + Arrays.toString(c.dims));
        }
        return c;
    }

    /**
     * Reads and validates the file, streaming: the header is read and checked first (decompressing only as
     * far as needed), so a small gzip file that would inflate to gigabytes, or a header that declares more
     * elements than fit in memory, is refused before anything large is allocated.
     */
    static Content readContent(Path file) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            String note = gzip ? " (after gzip decompression)" : "";
            InputStream in = raw;
            if (gzip) {
                try {
                    in = new GZIPInputStream(raw, 1 << 16);
                } catch (IOException ex) {
                    throw new IOException(file + ": corrupt or truncated gzip data (" + ex.getMessage() + ")", ex);
                }
            }
            try {
                return parse(file, in, gzip ? -1 : fileSize, note);
            } catch (java.util.zip.ZipException | java.io.EOFException ex) {
                if (!gzip) throw ex;
                throw new IOException(file + ": corrupt or truncated gzip data (" + ex.getMessage() + ")", ex);
            }
        }
    }

    /**
     * Parses an IDX stream. {@code knownSize} is the byte count of an uncompressed file (checked against the
     * header before the elements are read), or -1 for a gzip stream, whose length shows only while reading.
     */
    private static Content parse(Path file, InputStream in, long knownSize, String note) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IOException(file + ": not an IDX file: " + magic.length + " bytes" + note + ", expected at least the 4-byte magic number 0x00 0x00 type rank");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IOException(file + ": not an IDX file: the magic number starts with " + hex(magic[0]) + " " + hex(magic[1]) + note
                    + ", expected 0x00 0x00 (or gzip's 0x1f 0x8b)");
        }
        int type = magic[2] & 0xFF;
        int size = elementSize(type);
        if (size == 0) {
            throw new IOException(file + ": unsupported IDX data type " + hex(magic[2])
                    + "; expected 0x08 (unsigned byte), 0x09 (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64)");
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0) throw new IOException(file + ": IDX header declares 0 dimensions; expected at least 1");
        int header = 4 + 4 * rank;
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new IOException(file + ": truncated IDX header: " + rank + " dimensions need " + header + " header bytes, the file has "
                    + (4 + dimBytes.length) + note);
        }
        ByteBuffer dimBuf = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = dimBuf.getInt(4 * i);
            if (dims[i] < 0) throw new IOException(file + ": IDX dimension " + i + " is negative (" + (dims[i] & 0xFFFFFFFFL) + " as unsigned)");
            count *= dims[i];
            if (count > MemoryCheck.MAX_ARRAY_LENGTH) {
                throw new IOException(file + ": IDX dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "... hold more than 2^31 elements");
            }
        }
        long expected = header + count * size;
        if (knownSize >= 0 && knownSize != expected) throw sizeMismatch(file, dims, type, header, expected, knownSize, note);
        String shortfall = MemoryCheck.shortfall(file + ": reading IDX " + Arrays.toString(dims) + " " + typeName(type),
                count * size + count * Float.BYTES);
        if (shortfall != null) throw new IOException(shortfall);
        int n = (int) count;
        // readNBytes grows its buffer as bytes arrive, so a header that promises more than the stream holds
        // costs only what the stream really has.
        byte[] body = in.readNBytes(n * size);
        if (body.length < n * size) throw sizeMismatch(file, dims, type, header, expected, header + body.length, note);
        if (in.read() != -1) throw sizeMismatch(file, dims, type, header, expected, -1, note); // not inflated further to count them
        ByteBuffer buf = ByteBuffer.wrap(body).order(ByteOrder.BIG_ENDIAN);
        float[] data = new float[n];
        switch (type) {
            case 0x08 -> { for (int i = 0; i < n; i++) data[i] = body[i] & 0xFF; }
            case 0x09 -> { for (int i = 0; i < n; i++) data[i] = body[i]; }
            case 0x0B -> { for (int i = 0; i < n; i++) data[i] = buf.getShort(2 * i); }
            case 0x0C -> { for (int i = 0; i < n; i++) data[i] = buf.getInt(4 * i); }
            case 0x0D -> { for (int i = 0; i < n; i++) data[i] = buf.getFloat(4 * i); }
            default -> { for (int i = 0; i < n; i++) data[i] = (float) buf.getDouble(8 * i); }
        }
        return new Content(type, dims, data);
    }

    private static IOException sizeMismatch(Path file, int[] dims, int type, int header, long expected, long actual, String note) {
        return new IOException(file + ": IDX header says " + Arrays.toString(dims) + " " + typeName(type) + " = " + expected
                + " bytes with the " + header + "-byte header, but the file has " + (actual < 0 ? "more" : actual) + note
                + (actual >= 0 && actual < expected ? " (truncated)" : " (extra bytes at the end)"));
    }

    private static int elementSize(int type) {
        return switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> 0;
        };
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned bytes";
            case 0x09 -> "signed bytes";
            case 0x0B -> "int16 values";
            case 0x0C -> "int32 values";
            case 0x0D -> "float32 values";
            default -> "float64 values";
        };
    }

    private static String hex(byte v) {
        return String.format("0x%02x", v & 0xFF);
    }

    /**
     * Writes {@code values} as an unsigned-byte IDX file whose dimensions are the tensor's shape, gzip-compressed
     * when the file name ends in {@code .gz}. See {@link #write(Path, Tensor, boolean)}.
     */
    public static void write(Path file, Tensor values) throws IOException {
        write(file, values, file.getFileName().toString().endsWith(".gz"));
    }

    /**
     * Writes {@code values} (rank 1 to 255, every element a whole number in 0..255) as an unsigned-byte IDX
     * file whose dimensions are the tensor's shape; images {@code [n, rows, cols, 1]} should be reshaped to
     * {@code [n, rows, cols]} first for the MNIST layout. The write is atomic: the bytes go to a temporary
     * file in the same directory, which then replaces {@code file}.
     */
    public static void write(Path file, Tensor values, boolean gzip) throws IOException {
        if (values.rank() == 0 || values.rank() > 255) {
            throw new IllegalArgumentException("Idx.write: IDX needs 1 to 255 dimensions, got shape " + values.shape());
        }
        float[] v = values.toFloatArray();
        int[] dims = values.shape().toArray();
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * dims.length + v.length).order(ByteOrder.BIG_ENDIAN);
        out.put((byte) 0).put((byte) 0).put((byte) UNSIGNED_BYTE).put((byte) dims.length);
        for (int d : dims) out.putInt(d);
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (!(x >= 0 && x <= 255 && x == Math.rint(x))) {
                throw new IllegalArgumentException("Idx.write: value " + x + " at flat index " + i + " of shape " + values.shape()
                        + " is not a whole number in [0, 255] (IDX unsigned byte)");
            }
            out.put((byte) (int) x);
        }
        writeAtomically(file, out.array(), gzip);
    }

    /** Writes {@code bytes} (gzip-compressed if asked) to {@code file} atomically ({@link AtomicFiles}). */
    static void writeAtomically(Path file, byte[] bytes, boolean gzip) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!gzip) {
                out.write(bytes);
                return;
            }
            GZIPOutputStream z = new GZIPOutputStream(out, 1 << 16);
            z.write(bytes);
            z.finish();
        });
    }
}
