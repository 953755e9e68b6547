package dev.myelin.onnx;


import dev.myelin.io.AtomicFiles;
import dev.myelin.io.MyelinVersion;
import dev.myelin.models.Model;
import dev.myelin.models.ModelLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.onnx.proto.GraphProto;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.onnx.proto.OperatorSetIdProto;
import dev.myelin.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a Myelin model as an ONNX file (IR version 8, opset 17) that ONNX Runtime and other ONNX tools
 * run for inference: the same outputs as {@link Model#predict} within float32 rounding.
 *
 * <p>The graph keeps Myelin's interface: inputs and outputs are channels-last ({@code [N, H, W, C]}
 * images, {@code [N, T, F]} sequences) with a symbolic batch dimension {@code N}, float32, named after the
 * model's inputs and its output layers. Inside, images are transposed once to ONNX's channels-first order
 * and kept so through convolutions, pooling and batch normalization; kernels are stored OIHW, recurrent
 * weights in ONNX's gate order, and Keras's constants (batch normalization's epsilon, the hard sigmoid's
 * slope) are written explicitly. Dropout is left out (inference). Embedding ids arrive as floats, as in
 * Myelin, and are cast to integers. Attention is composed of MatMul, Reshape, Transpose and Softmax (a
 * causal mask is a constant lower triangle applied with Where), LayerNormalization is ONNX's operator, a
 * Bidirectional layer is two recurrent nodes merged, TimeDistributed folds time into the batch with Reshape.
 * An implicit padding mask (Masking, Embedding's {@code mask_zero}) cannot travel with an ONNX tensor: a
 * layer that would apply one (a recurrent or attention layer, GlobalAveragePooling1D) is refused; Masking's
 * zeroing itself is exported.
 *
 * <p>Layers: {@value LayerExport#SUPPORTED}. Any other layer is refused with its name and this list,
 * before anything is written.
 *
 * <p>Example: {@code OnnxExport.save(model, Path.of("cnn.onnx"));} then, in Python,
 * {@code onnxruntime.InferenceSession("cnn.onnx").run(None, {"input": x})}.
 */
public final class OnnxExport {
    /** The ONNX IR version written (ONNX 1.10 and later read it). */
    public static final long IR_VERSION = 8;
    /** The operator set version written. */
    public static final long OPSET = 17;

    private OnnxExport() {}

    /**
     * Writes {@code model} to {@code file} atomically (a reader never sees half a file).
     *
     * @throws UnsupportedOperationException when the model holds a layer, or a setting of one, that is not
     *     exported (the message names the layer and lists the supported ones)
     * @throws IllegalStateException when the model has no input shape yet
     * @throws IOException when the file cannot be written
     */
    public static void save(Model model, Path file) throws IOException {
        byte[] bytes = toBytes(model);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The ONNX file's bytes for {@code model}. */
    public static byte[] toBytes(Model model) {
        return toProto(model).toByteArray();
    }

    /** The ONNX model message for {@code model}. */
    public static ModelProto toProto(Model model) {
        if (model.inputs().isEmpty()) {
            throw new IllegalStateException("model '" + model.name() + "' has no input shape yet: declare one (layer.inputShape(...)) or call it on data before exporting");
        }
        model.build();
        GraphBuilder g = new GraphBuilder();
        LayerExport layers = new LayerExport(g);
        Map<SymbolicTensor, Value> values = new IdentityHashMap<>();
        for (SymbolicTensor in : model.inputs()) {
            String name = g.fresh(in.inputName() == null ? "input" : in.inputName());
            g.inputs.add(ValueInfoProto.floatTensor(name, batchDims(in.shape().toArray())));
            values.put(in, new Value(name, in.shape().toArray(), false));
        }
        walk(model, values, layers);
        Set<String> usedOutputNames = new HashSet<>();
        for (SymbolicTensor out : model.outputs()) {
            Value v = layers.channelsLast(values.get(out));
            String base = out.layer() == null ? "output" : out.layer().name();
            String name = g.fresh(usedOutputNames.add(base) ? base : base + "_output");
            g.nodes.add(new dev.myelin.onnx.proto.NodeProto(g.fresh(name + "/Identity"), "Identity", "", List.of(v.name()), List.of(name), List.of()));
            g.outputs.add(ValueInfoProto.floatTensor(name, batchDims(v.shape())));
        }
        GraphProto graph = new GraphProto(model.name(), g.nodes, g.initializers, g.inputs, g.outputs, List.of());
        return new ModelProto(IR_VERSION, List.of(new OperatorSetIdProto("", OPSET)), "myelin", MyelinVersion.get(), graph);
    }

    /** Exports the layer calls of {@code model} whose inputs are in {@code values}, nested models inlined. */
    private static void walk(Model model, Map<SymbolicTensor, Value> values, LayerExport layers) {
        for (SymbolicTensor t : model.steps()) {
            List<Value> in = new ArrayList<>();
            for (SymbolicTensor s : t.inputs()) in.add(values.get(s));
            if (t.layer() instanceof ModelLayer nested) {
                Model inner = nested.model();
                if (inner.inputs().size() != 1 || inner.outputs().size() != 1) {
                    throw LayerExport.refuse(nested, "a nested model with several inputs or outputs");
                }
                Map<SymbolicTensor, Value> innerValues = new IdentityHashMap<>();
                innerValues.put(inner.inputs().getFirst(), in.getFirst());
                walk(inner, innerValues, layers);
                values.put(t, innerValues.get(inner.outputs().getFirst()));
            } else {
                Map<String, Value> keywordValues = new java.util.LinkedHashMap<>(); // attention_mask: read like an input
                t.keywordTensors().forEach((keyword, s) -> keywordValues.put(keyword, values.get(s)));
                values.put(t, layers.export(t.layer(), in, t.shape().toArray(), t.callOptions(), keywordValues));
            }
        }
    }


    private static List<Long> batchDims(int[] shape) {
        List<Long> dims = new ArrayList<>();
        dims.add(null);
        for (int d : shape) dims.add((long) d);
        return dims;
    }

}
