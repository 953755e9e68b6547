package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.io.FileFormatException;
import dev.myelin.onnx.proto.AttributeProto;
import dev.myelin.onnx.proto.GraphProto;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.onnx.proto.NodeProto;
import dev.myelin.onnx.proto.OperatorSetIdProto;
import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.onnx.proto.ValueInfoProto;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged and hostile ONNX files are refused with a clear {@link FileFormatException}, never an Error or a message-less exception. */
class OnnxImportBadInputTest {
    private static final List<Long> IMAGE = Arrays.asList(null, 1L, 4L, 4L);

    private static byte[] model(List<NodeProto> nodes, List<TensorProto> initializers, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
        GraphProto g = new GraphProto("g", nodes, initializers, inputs, outputs, List.of());
        return new ModelProto(8, List.of(new OperatorSetIdProto("", 17)), "test", "", g).toByteArray();
    }

    private static NodeProto node(String op, List<String> in, List<String> out, AttributeProto... attributes) {
        return new NodeProto(op + "_" + out.getFirst(), op, "", in, out, Arrays.asList(attributes));
    }

    private static String refused(byte[] bytes) {
        var e = assertThrows(FileFormatException.class, () -> OnnxImport.fromBytes(bytes, "bad.onnx", Map.of()));
        assertTrue(e.getMessage().startsWith("bad.onnx"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void nanInAWeightIsAWarningNamingTheInitializer() throws Exception {
        var model = SeedModels.byName("mlp");
        model.build();
        byte[] bytes = OnnxExport.toBytes(model);
        // the first kernel value's little-endian bytes, in the initializer's raw data, become a NaN
        int bits = Float.floatToIntBits(model.weights().getFirst().value().toFloatArray()[0]);
        byte[] le = {(byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24)};
        int at = -1;
        for (int i = 0; i + 4 <= bytes.length && at < 0; i++) {
            if (bytes[i] == le[0] && bytes[i + 1] == le[1] && bytes[i + 2] == le[2] && bytes[i + 3] == le[3]) at = i;
        }
        assertTrue(at >= 0, "the weight's bytes are in the file");
        int nan = Float.floatToIntBits(Float.NaN);
        for (int k = 0; k < 4; k++) bytes[at + k] = (byte) (nan >>> (8 * k));
        java.io.PrintStream old = System.err;
        var captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            OnnxImport.fromBytes(bytes, "nan.onnx", Map.of());
        } finally {
            System.setErr(old);
        }
        String err = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(err.contains("WARNING: nan.onnx: initializer '") && err.contains("holds NaN or infinite values"), err);
    }

    @Test
    void truncatedFilesAreRefusedAtEveryLength() {
        byte[] whole = OnnxExport.toBytes(SeedModels.mlp());
        for (int len : new int[] {1, 2, 10, 100, whole.length / 2, whole.length - 1}) {
            String m = refused(Arrays.copyOf(whole, len));
            assertTrue(m.contains("truncated") || m.contains("bytes are left") || m.contains("no graph") || m.contains("malformed"), len + ": " + m);
        }
        assertTrue(refused(new byte[0]).contains("empty"));
    }

    @Test
    void notAnOnnxFile() {
        String m = refused("this is a text file, not protobuf\n".getBytes());
        assertTrue(m.contains("malformed") || m.contains("not an ONNX model"), m);
    }

    @Test
    void unknownOperatorIsNamedWithTheSupportedList() {
        byte[] b = model(List.of(node("Celu", List.of("x"), List.of("y"))), List.of(),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        String m = refused(b);
        assertTrue(m.contains("'Celu'") && m.contains("Myelin imports Conv, Gemm"), m);
    }

    @Test
    void operatorOfAnotherDomainIsNamed() {
        NodeProto custom = new NodeProto("n", "FusedGemm", "com.microsoft", List.of("x"), List.of("y"), List.of());
        byte[] b = model(List.of(custom), List.of(), List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))),
                List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(b).contains("com.microsoft:FusedGemm"));
    }

    @Test
    void cyclicGraphIsRefused() {
        List<NodeProto> nodes = List.of(node("Relu", List.of("b"), List.of("a")), node("Add", List.of("a", "x"), List.of("b")));
        byte[] b = model(nodes, List.of(), List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))),
                List.of(ValueInfoProto.floatTensor("b", Arrays.asList(null, 4L))));
        assertTrue(refused(b).contains("cycle"));
    }

    @Test
    void undefinedAndTwiceDefinedValuesAreRefused() {
        byte[] undefined = model(List.of(node("Relu", List.of("nowhere"), List.of("y"))), List.of(),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(undefined).contains("'nowhere'"));
        byte[] twice = model(List.of(node("Relu", List.of("x"), List.of("y")), node("Tanh", List.of("x"), List.of("y"))), List.of(),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(twice).contains("defined twice"));
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAllocation() {
        byte[] hugeInput = model(List.of(node("Relu", List.of("x"), List.of("y"))), List.of(),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 1L << 40))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(hugeInput).contains("dimension 1 of size 1099511627776"));
        // a weight claiming 2^31 × 2^31 elements with 4 bytes of data: refused, never allocated
        TensorProto bomb = new TensorProto("w", new long[] {1L << 31, 1L << 31}, TensorProto.FLOAT, new byte[4], null, null, null, null, false);
        byte[] b = model(List.of(node("Gemm", List.of("x", "w"), List.of("y"))), List.of(bomb),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(b).contains("too large"));
        TensorProto lying = new TensorProto("w", new long[] {1000, 1000}, TensorProto.FLOAT, new byte[16], null, null, null, null, false);
        byte[] c = model(List.of(node("Gemm", List.of("x", "w"), List.of("y"))), List.of(lying),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(c).contains("needs 4000000 bytes of raw_data but has 16"));
        TensorProto negative = new TensorProto("w", new long[] {-1, 4}, TensorProto.FLOAT, new byte[16], null, null, null, null, false);
        byte[] d = model(List.of(node("Gemm", List.of("x", "w"), List.of("y"))), List.of(negative),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(d).contains("negative dimension"));
    }

    @Test
    void wrongDtypesAreRefused() {
        ValueInfoProto intInput = new ValueInfoProto("x", TensorProto.INT64, Arrays.asList(null, 4L), Arrays.asList("N", null));
        byte[] b = model(List.of(node("Relu", List.of("x"), List.of("y"))), List.of(), List.of(intInput),
                List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(b).contains("has type INT64; Myelin models take float32 inputs"));
        TensorProto strings = new TensorProto("w", new long[] {4, 4}, 8, new byte[16], null, null, null, null, false);
        byte[] c = model(List.of(node("Gemm", List.of("x", "w"), List.of("y"))), List.of(strings),
                List.of(ValueInfoProto.floatTensor("x", Arrays.asList(null, 4L))), List.of(ValueInfoProto.floatTensor("y", Arrays.asList(null, 4L))));
        assertTrue(refused(c).contains("data type STRING"));
    }

    @Test
    void unsupportedSettingsOfSupportedOperatorsAreNamed() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {2, 1, 3, 3}, new float[18]);
        byte[] b = model(List.of(node("Conv", List.of("x", "w"), List.of("y"), AttributeProto.ofInts("pads", 2, 0, 0, 1))), List.of(w),
                List.of(ValueInfoProto.floatTensor("x", IMAGE)), List.of(ValueInfoProto.floatTensor("y", IMAGE)));
        assertTrue(refused(b).contains("pads [2, 0, 0, 1]"));
    }

    @Test
    void missingAndFolderPathsAreIoErrors(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> OnnxImport.load(dir.resolve("none.onnx")));
        var e = assertThrows(java.io.IOException.class, () -> OnnxImport.load(dir));
        assertTrue(e.getMessage().contains("not a regular file"));
    }

    @Test
    void deeplyNestedMessagesAreRefused() {
        // If nodes hold graph attributes holding nodes...: three message levels per turn, 40 turns
        GraphProto g = new GraphProto("leaf", List.of(), List.of(), List.of(), List.of(), List.of());
        for (int i = 0; i < 40; i++) {
            AttributeProto branch = new AttributeProto("then_branch", AttributeProto.GRAPH, 0, 0, null, null, g, null, null, null);
            g = new GraphProto("g" + i, List.of(new NodeProto("if" + i, "If", "", List.of("c"), List.of("y"), List.of(branch))), List.of(), List.of(), List.of(), List.of());
        }
        byte[] b = new ModelProto(8, List.of(new OperatorSetIdProto("", 17)), "test", "", g).toByteArray();
        assertTrue(refused(b).contains("nested deeper than 64"));
    }

    /**
     * Mutated bytes of exported models (random byte changes, insertions, deletions, truncations): each
     * either loads or is refused with a FileFormatException or IllegalArgumentException that has a
     * message; never an Error (such as OutOfMemoryError) or another exception.
     */
    @Test
    void fuzzedFilesFailCleanly(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(OnnxExport.toBytes(SeedModels.mlp()));
        seeds.add(OnnxExport.toBytes(new dev.myelin.models.Sequential(new dev.myelin.nn.layers.Conv2D(2, 3).inputShape(6, 6, 1),
                new dev.myelin.nn.layers.BatchNormalization(), new dev.myelin.nn.layers.MaxPooling2D(2), new dev.myelin.nn.layers.Flatten(),
                new dev.myelin.nn.layers.Dense(3))));
        seeds.add(OnnxExport.toBytes(new dev.myelin.models.Sequential(new dev.myelin.nn.recurrent.LSTM(3).inputShape(4, 2), new dev.myelin.nn.layers.Dense(2))));
        seeds.add(Files.readAllBytes(fixtureOrFirst(seeds)));
        SplittableRandom rng = new SplittableRandom(42);
        int loaded = 0;
        for (int i = 0; i < 600; i++) {
            byte[] b = mutate(seeds.get(i % seeds.size()), rng);
            try {
                OnnxImport.fromBytes(b, "fuzz-" + i, Map.of());
                loaded++;
            } catch (FileFormatException | IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) fail("case " + i + ": " + e.getClass().getName() + " without a message", e);
            } catch (RuntimeException e) {
                fail("case " + i + ": unexpected " + e, e);
            }
        }
        System.out.println("fuzz: 600 mutated files, " + loaded + " loaded, the others refused with a message");
    }

    private static Path fixtureOrFirst(List<byte[]> seeds) throws java.io.IOException {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path f = p.resolve("shared/fixtures/interop/onnx/test_Conv2d/model.onnx");
            if (Files.isRegularFile(f)) return f;
        }
        Path tmp = Files.createTempFile("seed", ".onnx");
        Files.write(tmp, seeds.getFirst());
        tmp.toFile().deleteOnExit();
        return tmp;
    }

    private static byte[] mutate(byte[] seed, SplittableRandom rng) {
        byte[] b = seed.clone();
        int kind = rng.nextInt(4);
        switch (kind) {
            case 0 -> { // flip a few bytes, biased towards the start where the structure is
                for (int k = 0, n = 1 + rng.nextInt(4); k < n; k++) {
                    int at = rng.nextBoolean() ? rng.nextInt(Math.min(b.length, 400)) : rng.nextInt(b.length);
                    b[at] = (byte) rng.nextInt(256);
                }
            }
            case 1 -> b = Arrays.copyOf(b, rng.nextInt(b.length)); // truncate
            case 2 -> { // insert a byte
                int at = rng.nextInt(b.length);
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                c[at] = (byte) rng.nextInt(256);
                System.arraycopy(b, at, c, at + 1, b.length - at);
                b = c;
            }
            default -> { // set a byte to a large varint continuation
                int at = rng.nextInt(Math.min(b.length, 400));
                b[at] = (byte) 0xFF;
            }
        }
        return b;
    }
}
