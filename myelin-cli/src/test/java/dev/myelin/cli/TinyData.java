package dev.myelin.cli;

import dev.myelin.data.Dataset;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers: a tiny Fashion-MNIST folder cut from the bundled subset, and commands run in-process. */
final class TinyData {
    private static TrainTest subset;

    private TinyData() {}

    /** The bundled subset, found from the working folder up. */
    static Path subsetDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/fashion-mnist-subset");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("data/fashion-mnist-subset not found");
    }

    /**
     * The first {@code train} training and {@code test} test samples of the bundled subset, as IDX files in
     * {@code dir/fashion-tiny} (the name says Fashion-MNIST, so models trained on it get its class names).
     */
    static synchronized Path fashion(Path dir, int train, int test) throws IOException {
        if (subset == null) subset = FashionMnist.load(subsetDir());
        Path out = Files.createDirectories(dir.resolve("fashion-tiny"));
        write(out, "train", subset.train().slice(0, train));
        write(out, "t10k", subset.test().slice(0, test));
        return out;
    }

    private static void write(Path dir, String prefix, Dataset d) throws IOException {
        float[] x = d.x().toFloatArray(), y = d.y().toFloatArray();
        int n = d.size(), h = d.x().dim(1), w = d.x().dim(2);
        idx(dir.resolve(prefix + "-images-idx3-ubyte"), 0x803, new int[] {n, h, w}, x);
        idx(dir.resolve(prefix + "-labels-idx1-ubyte"), 0x801, new int[] {n}, y);
    }

    private static void idx(Path file, int magic, int[] dims, float[] values) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
            for (float v : values) out.writeByte((int) v);
        }
        Files.write(file, bytes.toByteArray());
    }

    /** What a command printed and returned. */
    record Result(int status, String out, String err) {}

    /** Runs {@code myelin ARGS} through {@link Main#run} (its one error path), capturing stdout and stderr. */
    static synchronized Result run(String... args) {
        PrintStream old = System.out;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
