package dev.myelin.keras;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shared interop fixtures ({@code shared/fixtures/interop}, found above the working directory) and a tiny .npy reader. */
final class Fixtures {
    private Fixtures() {}

    /** The fixtures folder; skips the calling test, saying why, when there is none. */
    static Path interop() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/fixtures/interop");
            if (Files.isDirectory(candidate)) return candidate;
        }
        assumeTrue(false, "skipped: no shared/fixtures/interop folder above " + dir + " (the interop fixtures are not in the repository)");
        return null;
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<|>])([fi])(\\d)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** A float32 tensor from a .npy file of little-endian f4 or f8 in C order. */
    static Tensor npy(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (b.length < 10 || b[0] != (byte) 0x93 || b[1] != 'N') throw new IOException(file + ": not a .npy file");
        int major = b[6];
        int headerLen = major == 1 ? (b[8] & 0xff) | (b[9] & 0xff) << 8 : ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = major == 1 ? 10 : 12;
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) throw new IOException(file + ": unreadable header " + header);
        if (d.group(1).equals(">") || !d.group(2).equals("f") || o.group(1).equals("True")) throw new IOException(file + ": only little-endian C-order floats, got " + header);
        int[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        ByteBuffer data = ByteBuffer.wrap(b, start + headerLen, b.length - start - headerLen).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = d.group(3).equals("8") ? (float) data.getDouble() : data.getFloat();
        return Tensor.of(out, shape);
    }

    /** The largest absolute difference between two tensors of the same shape. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) throw new AssertionError("shapes differ: " + a.shape() + " vs " + b.shape());
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
        return m;
    }
}
