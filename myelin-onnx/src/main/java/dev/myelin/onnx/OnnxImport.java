package dev.myelin.onnx;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.onnx.ImportedValue.Computed;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.ImportedValue.Layout;
import dev.myelin.onnx.proto.GraphProto;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.onnx.proto.NodeProto;
import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.onnx.proto.ValueInfoProto;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX file into a Myelin {@link Model} that predicts what the file computes, for the operators
 * Myelin has layers for ({@value NodeImport#SUPPORTED}).
 *
 * <p>Channels-first graphs (PyTorch's {@code torch.onnx.export}) become channels-last models: an input
 * {@code [N, C, H, W]} becomes a Myelin input {@code [H, W, C]} (feed it {@code [N, H, W, C]}), an image
 * output comes out channels-last, kernels are converted and a Gemm after a channels-first Flatten gets its
 * rows permuted, so the model is Myelin's own layers with Myelin's layout. A time-major input
 * {@code [T, N, F]} read by a recurrent operator becomes {@code [N, T, F]}; a recurrent layer's
 * {@code Y_h [1, N, U]} output becomes {@code [N, U]}. Files exported by {@link OnnxExport} read back as
 * the model they came from (the Transpose nodes around channels-first sections are recognised).
 *
 * <p>Inputs are float32. A {@code bool} input is read as an attention mask only (the {@code Where} of a
 * multi-head attention's scores, directly or through {@code Unsqueeze} and {@code And}, as {@link OnnxExport}
 * writes a masked call after its {@code Greater(mask, 0.5)}): it becomes a float input, fed 1 for true and 0 for
 * false (Myelin has no bool tensors; values above 0.5 attend). A bool input read by any other node is refused,
 * naming it.
 *
 * <p>Untrusted input: every length and dimension is checked before allocation, a graph with a cycle or an
 * undefined value is refused, and every problem is a {@link FileFormatException} naming the file and the
 * node, and for an unsupported operator its name and the supported list. Nothing in the file is run.
 *
 * <p>Example: {@code Model m = OnnxImport.load(Path.of("cnn.onnx")); Tensor y = m.predict(xNhwc);}
 */
public final class OnnxImport {
    /** The largest ONNX file read (protobuf's own limit is 2 GB). */
    public static final long MAX_FILE_BYTES = MemoryCheck.MAX_ARRAY_LENGTH;
    /** The largest size of one input dimension accepted. */
    public static final int MAX_DIMENSION = 1 << 24;

    /** Operators that read a 4-D input as {@code [N, C, H, W]}: an input they read directly is a channels-first image. */
    private static final Set<String> SPATIAL = Set.of("Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization");

    private OnnxImport() {}

    /** The model in an ONNX file. */
    public static Model load(Path file) throws IOException {
        return load(file, Map.of());
    }

    /**
     * The model in an ONNX file, with the graph inputs named in {@code constants} fixed to those values
     * (files that pass weights as inputs, as ONNX's operator tests do).
     *
     * @throws FileFormatException when the file is not ONNX, is damaged, or holds an operator or setting Myelin has no layer for
     * @throws IOException when the file cannot be read
     */
    public static Model load(Path file, Map<String, Tensor> constants) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
            throw new IOException(file + " is not a regular file (a folder?)");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw new FileFormatException(file + ": " + size + " bytes, more than an ONNX file can hold (2 GB; weights stored outside the file are not read)");
        return fromBytes(Files.readAllBytes(file), file.toString(), constants);
    }

    /** The model in the bytes of an ONNX file; {@code source} names it in messages. */
    public static Model fromBytes(byte[] bytes, String source, Map<String, Tensor> constants) throws FileFormatException {
        if (bytes.length == 0) throw new FileFormatException(source + ": empty file, not an ONNX model");
        ModelProto proto = ModelProto.parse(bytes, source);
        GraphProto graph = proto.graph();
        Map<String, ImportedValue> values = new HashMap<>();
        for (TensorProto t : graph.initializers()) {
            try {
                float[] data = t.floats();
                for (float v : data) {
                    if (!Float.isFinite(v)) { // a model may hold -inf on purpose (a mask), so a warning, as the Keras importer
                        System.err.println("myelin: WARNING: " + source + ": initializer '" + t.name() + "' holds NaN or infinite values");
                        break;
                    }
                }
                values.put(t.name(), new Constant(data, t.dims()));
            } catch (FileFormatException e) {
                throw new FileFormatException(source + ": initializer " + e.getMessage(), e);
            }
        }
        for (var e : constants.entrySet()) {
            Tensor t = e.getValue();
            values.put(e.getKey(), new Constant(t.toFloatArray(), Arrays.stream(t.shape().toArray()).asLongStream().toArray()));
        }
        List<ValueInfoProto> realInputs = graph.inputs().stream().filter(v -> !values.containsKey(v.name())).toList();
        if (realInputs.isEmpty()) throw new FileFormatException(source + ": the graph has no inputs that are not constants");
        Set<String> defined = new HashSet<>(values.keySet());
        realInputs.forEach(v -> defined.add(v.name()));
        List<NodeProto> order = GraphOrder.neededInOrder(graph, defined, source);
        Set<String> needed = new HashSet<>();
        order.forEach(n -> needed.addAll(n.inputs()));
        graph.outputs().forEach(o -> needed.add(o.name()));

        List<SymbolicTensor> inputs = new ArrayList<>();
        Set<String> inputNames = new HashSet<>();
        for (ValueInfoProto in : realInputs) {
            Computed c = input(in, consumers(order, in.name()), source, inputNames);
            values.put(in.name(), c);
            inputs.add(c.tensor());
        }
        NodeImport nodes = new NodeImport(source, values, order);
        for (NodeProto n : order) nodes.importNode(n, needed);
        List<SymbolicTensor> outputs = new ArrayList<>();
        for (ValueInfoProto out : graph.outputs()) {
            ImportedValue v = values.get(out.name());
            if (!(v instanceof Computed c) || c.tensor().isInput()) {
                throw new FileFormatException(source + ": output '" + out.name() + "' is " + (v == null ? "never computed" : "not computed by any layer") + "; nothing to import");
            }
            outputs.add(c.tensor());
        }
        Model model;
        try {
            model = new Model(inputs, outputs);
            model.build();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(source + ": " + e.getMessage(), e);
        }
        nodes.assignWeights();
        return model;
    }

    private static List<NodeProto> consumers(List<NodeProto> order, String name) {
        return order.stream().filter(n -> n.inputs().contains(name)).toList();
    }

    /** A graph input as a Myelin input, its layout told by what reads it. */
    private static Computed input(ValueInfoProto in, List<NodeProto> readers, String source, Set<String> usedNames) throws FileFormatException {
        String what = source + ": input '" + in.name() + "'";
        boolean bool = in.elemType() == TensorProto.BOOL; // an attention mask, fed as 0/1 floats (Myelin has no bool tensors)
        if (in.elemType() != TensorProto.FLOAT && !bool) {
            throw new FileFormatException(what + " has type " + TensorProto.typeName(in.elemType())
                    + "; Myelin models take float32 inputs (and bool attention masks, fed as 0/1 floats)");
        }
        if (in.dims() == null || in.dims().size() < 2) throw new FileFormatException(what + " has no shape or no batch dimension: " + in.dims());
        int rank = in.dims().size();
        Layout layout = bool ? Layout.MASK : Layout.PLAIN;
        if (!bool && rank == 4 && readers.stream().anyMatch(n -> SPATIAL.contains(n.opType()))) layout = Layout.CHANNELS_FIRST;
        if (!bool && rank == 3 && readers.stream().anyMatch(n -> List.of("LSTM", "GRU", "RNN").contains(n.opType()))) layout = Layout.TIME_MAJOR;
        if (!bool && rank == 3 && readers.stream().anyMatch(n -> n.opType().equals("Conv"))) layout = Layout.CHANNELS_FIRST_1D;
        int batchAxis = layout == Layout.TIME_MAJOR ? 1 : 0;
        long[] dims = new long[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i == batchAxis) continue;
            Long d = in.dims().get(i);
            if (d == null) throw new FileFormatException(what + " has a symbolic dimension " + i + " (" + in.dimParams().get(i) + "); only the batch may vary");
            if (d < 1 || d > MAX_DIMENSION) throw new FileFormatException(what + " has dimension " + i + " of size " + d + "; expected 1 to " + MAX_DIMENSION);
            dims[j++] = d;
        }
        try {
            MemoryCheck.elementCount(what, dims);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(e.getMessage(), e);
        }
        int[] shape = Arrays.stream(dims).mapToInt(Math::toIntExact).toArray();
        if (layout == Layout.CHANNELS_FIRST) shape = new int[] {shape[1], shape[2], shape[0]};
        if (layout == Layout.CHANNELS_FIRST_1D) shape = new int[] {shape[1], shape[0]};
        String name = in.name().replaceAll("[^A-Za-z0-9_]", "_");
        if (name.isEmpty() || !Character.isLetter(name.charAt(0))) name = "input_" + name;
        while (!usedNames.add(name)) name = name + "_";
        return new Computed(Input.named(name, shape), layout);
    }
}
