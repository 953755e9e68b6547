package dev.myelin.onnx;

import dev.myelin.io.FileFormatException;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.onnx.ImportedValue.Computed;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.ImportedValue.Layout;
import dev.myelin.onnx.ImportedValue.Zeros;
import dev.myelin.onnx.proto.AttributeProto;
import dev.myelin.onnx.proto.NodeProto;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX node as Myelin layers. Images from channels-first graphs (PyTorch's) are held channels-last
 * and the node's meaning is mapped onto that ({@link Layout}): a Conv's OIHW kernel becomes HWIO, and a
 * Gemm after a channels-first Flatten gets its rows permuted to Myelin's channels-last order. Weights are
 * recorded and written once the model is built ({@link #assignWeights()}).
 */
final class NodeImport {
    /** The operators {@link OnnxImport} reads, as named in its refusal. */
    static final String SUPPORTED = "Conv, Gemm, MatMul (+ Add of a bias), MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, "
            + "BatchNormalization, Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, HardSigmoid, Softmax, Flatten, Reshape (to flatten or "
            + "of channels-last tensors), Transpose (layout changes), Add, Sum, Concat, Identity, Dropout, Cast + Gather (Embedding), "
            + "LSTM, GRU, RNN (with Squeeze/Gather of their outputs), Constant, ConstantOfShape (zero initial states), ConvTranspose, "
            + "Resize (nearest, integer scales), LayerNormalization (last axis), ReduceMean/ReduceMax (over time, as the 1-D global poolings), "
            + "Expand of a [T, D] table (or its first T rows: Slice) to Shape(x) (the position layers), "
            + "multi-head attention as OnnxExport writes it (MatMul, Reshape, Transpose, Softmax; its causal mask and attention_mask: "
            + "Where of the scores, And, Unsqueeze, Greater(mask, 0.5) or a bool graph input), "
            + "PyTorch's nn.MultiheadAttention exported with batch_first=True and no mask (as in TransformerEncoderLayer)";

    private final String source;
    private final Map<String, ImportedValue> values;
    private final List<Runnable> assignments = new ArrayList<>();
    /** Relu nodes a Dense layer applies (see {@link #dense}). */
    private final Set<NodeProto> fusedRelus = new java.util.HashSet<>();
    /** Dense layers from MatMul whose bias an Add may still fill, by the MatMul's output name. */
    private final Map<String, Dense> openBias = new HashMap<>();
    private final RecurrentImport recurrent;
    private final LayerOpImport layerOps;
    private final AttentionImport attention;

    /** The needed nodes that read each value. */
    private final Map<String, List<NodeProto>> readers = new HashMap<>();

    NodeImport(String source, Map<String, ImportedValue> values, List<NodeProto> order) {
        this.source = source;
        this.values = values;
        for (NodeProto n : order) for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        this.recurrent = new RecurrentImport(this);
        this.layerOps = new LayerOpImport(this);
        this.attention = new AttentionImport(order, readers, values);
    }

    void importNode(NodeProto n, Set<String> neededValues) throws FileFormatException {
        if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
            throw refuse(n, "operator '" + n.domain() + ":" + n.opType() + "' of a domain other than ONNX's default is not supported");
        }
        if (attention.skips(n)) return; // inside an attention that its last node imports as one layer
        for (String in : n.inputs()) {
            if (values.get(in) instanceof Computed c && c.layout() == Layout.MASK) {
                throw refuse(n, "it reads the bool graph input '" + in + "', which Myelin imports only as the attention mask of a multi-head "
                        + "attention (the Where of its scores, directly or through Unsqueeze and And), fed as 0/1 floats");
            }
        }
        try {
            if (attention.ends(n)) {
                define(n, attention.layer(n, this));
                return;
            }
            switch (n.opType()) {
                case "Constant" -> define(n, constantAttribute(n));
                case "ConstantOfShape" -> define(n, constantOfShape(n));
                case "Identity", "Dropout" -> define(n, value(n, 0));
                case "Conv" -> define(n, conv(n));
                case "Gemm" -> define(n, gemm(n));
                case "MatMul" -> define(n, matmul(n));
                case "Add", "Sum" -> define(n, add(n));
                case "MaxPool", "AveragePool" -> define(n, pool(n));
                case "GlobalAveragePool" -> define(n, image(n, layer(n, new GlobalAveragePooling2D().keepDims(true), 0)));
                case "GlobalMaxPool" -> define(n, image(n, layer(n, new GlobalMaxPooling2D().keepDims(true), 0)));
                case "BatchNormalization" -> define(n, batchNorm(n));
                case "Relu" -> define(n, fusedRelus.contains(n) ? value(n, 0) : activation(n, Activation.RELU));
                case "Sigmoid" -> define(n, activation(n, Activation.SIGMOID));
                case "Tanh" -> define(n, activation(n, Activation.TANH));
                case "Softplus" -> define(n, activation(n, Activation.SOFTPLUS));
                case "Elu" -> {
                    if (floatAttr(n, "alpha", 1f) != 1f) throw refuse(n, "Elu with alpha " + floatAttr(n, "alpha", 1f) + " (Myelin's ELU has alpha 1)");
                    define(n, activation(n, Activation.ELU));
                }
                case "LeakyRelu" -> define(n, same(n, layer(n, new LeakyReLU(floatAttr(n, "alpha", 0.01f)), 0)));
                case "HardSigmoid" -> define(n, activation(n, hardSigmoid(n)));
                case "Softmax" -> define(n, softmax(n));
                case "Flatten" -> define(n, flatten(n));
                case "Reshape" -> define(n, reshape(n));
                case "Transpose" -> define(n, transpose(n));
                case "Concat" -> define(n, concat(n));
                case "Cast" -> define(n, cast(n));
                case "Gather" -> define(n, gather(n));
                case "Squeeze" -> define(n, squeeze(n));
                case "LSTM", "GRU", "RNN" -> recurrent.importNode(n, neededValues);
                case "ConvTranspose" -> define(n, layerOps.convTranspose(n));
                case "Resize" -> define(n, layerOps.resize(n));
                case "LayerNormalization" -> define(n, layerOps.layerNorm(n));
                case "ReduceMean", "ReduceMax" -> define(n, layerOps.reduceOverTime(n));
                case "Shape" -> define(n, new ImportedValue.ShapeOf(computed(n, 0)));
                case "Expand" -> define(n, layerOps.positions(n));
                case "Slice" -> define(n, layerOps.firstRows(n));
                default -> throw refuse(n, "operator '" + n.opType() + "' is not supported");
            }
        } catch (IllegalArgumentException e) { // a Myelin layer refusing its input shape or arguments
            throw new FileFormatException(source + ": node " + GraphOrder.describe(n) + ": " + e.getMessage(), e);
        } catch (FileFormatException e) {
            if (e.getMessage().startsWith(source)) throw e;
            throw new FileFormatException(source + ": node " + GraphOrder.describe(n) + ": " + e.getMessage(), e); // a damaged constant tensor
        }
    }

    /** Writes the imported weights into the built model's layers (with gradient recording off). */
    void assignWeights() {
        try (var scope = dev.myelin.autograd.NoGrad.scope()) {
            assert scope != null;
            assignments.forEach(Runnable::run);
        }
    }

    // ---- plumbing ----

    FileFormatException refuse(NodeProto n, String why) {
        return new FileFormatException(source + ": node " + GraphOrder.describe(n) + ": " + why + "; Myelin imports " + SUPPORTED);
    }

    void define(NodeProto n, ImportedValue v) {
        values.put(n.outputs().getFirst(), v);
    }

    void define(String name, ImportedValue v) {
        values.put(name, v);
    }

    ImportedValue value(NodeProto n, int index) throws FileFormatException {
        if (index >= n.inputs().size() || n.inputs().get(index).isEmpty()) throw refuse(n, "input " + index + " is missing");
        ImportedValue v = values.get(n.inputs().get(index));
        if (v == null) throw new FileFormatException(source + ": node " + GraphOrder.describe(n) + " reads '" + n.inputs().get(index) + "', which is not defined before it");
        return v;
    }

    boolean hasInput(NodeProto n, int index) {
        return index < n.inputs().size() && !n.inputs().get(index).isEmpty();
    }

    Constant constant(NodeProto n, int index) throws FileFormatException {
        if (value(n, index) instanceof Constant c) return c;
        throw refuse(n, "input " + index + " ('" + n.inputs().get(index) + "') must be a constant (an initializer); Myelin imports fixed weights "
                + "(weights passed as graph inputs can be bound with OnnxImport.load(file, constants))");
    }

    /** The computed value named {@code name}, read by node {@code n}. */
    Computed computedValue(NodeProto n, String name) throws FileFormatException {
        ImportedValue v = values.get(name);
        if (v instanceof Computed c) return c;
        throw refuse(n, "'" + name + "' is " + (v == null ? "not defined before it" : "a constant") + "; attention over computed tensors is imported");
    }

    Computed computed(NodeProto n, int index) throws FileFormatException {
        ImportedValue v = value(n, index);
        if (v instanceof Computed c) return c;
        throw refuse(n, "input " + index + " ('" + n.inputs().get(index) + "') is a constant; operations on constants alone are not imported");
    }

    /** Calls {@code layer} on input {@code index} and records nothing else. */
    SymbolicTensor layer(NodeProto n, Layer layer, int index) throws FileFormatException {
        return layer.apply(computed(n, index).tensor());
    }

    /** The output of a layer on an image input (layout kept channels-first). */
    private Computed image(NodeProto n, SymbolicTensor t) throws FileFormatException {
        requireLayout(n, computed(n, 0), Layout.CHANNELS_FIRST);
        return new Computed(t, Layout.CHANNELS_FIRST);
    }

    /** The output of an element-wise layer: the input's layout. */
    private Computed same(NodeProto n, SymbolicTensor t) throws FileFormatException {
        Computed in = computed(n, 0);
        return new Computed(t, in.layout(), in.chw());
    }

    private void requireLayout(NodeProto n, Computed v, Layout... allowed) throws FileFormatException {
        if (!Arrays.asList(allowed).contains(v.layout())) {
            throw refuse(n, "its input is " + describe(v) + ", expected " + Arrays.toString(allowed).toLowerCase(java.util.Locale.ROOT));
        }
    }

    static String describe(Computed v) {
        return v.layout().name().toLowerCase(java.util.Locale.ROOT) + " of Myelin shape " + v.tensor().shape();
    }

    /** Records a weight to write after the build, where the parameter exists. */
    void assignLater(java.util.function.Supplier<Parameter> p, float[] data) {
        assignments.add(() -> p.get().value().assign(Tensor.of(data, p.get().value().shape().toArray())));
    }

    static long intAttr(NodeProto n, String name, long fallback) {
        AttributeProto a = n.attribute(name);
        return a == null ? fallback : a.i();
    }

    static float floatAttr(NodeProto n, String name, float fallback) {
        AttributeProto a = n.attribute(name);
        return a == null ? fallback : a.f();
    }

    static long[] intsAttr(NodeProto n, String name) {
        AttributeProto a = n.attribute(name);
        return a == null ? null : a.ints();
    }

    static String stringAttr(NodeProto n, String name, String fallback) {
        AttributeProto a = n.attribute(name);
        return a == null ? fallback : a.text();
    }

    // ---- constants ----

    private ImportedValue constantAttribute(NodeProto n) throws FileFormatException {
        Constant c = GraphQuery.constantNode(n);
        if (c == null) throw refuse(n, "a Constant without a tensor, float or int value");
        return c;
    }

    private ImportedValue constantOfShape(NodeProto n) throws FileFormatException {
        AttributeProto a = n.attribute("value");
        if (a != null && a.t() != null) {
            for (float f : a.t().floats()) if (f != 0f) throw refuse(n, "ConstantOfShape of a value other than 0");
        }
        return new Zeros();
    }

    // ---- layers ----

    /** Keras's SAME pads {@code [top, left, bottom, right]} for a window over {@code in}. */
    private static long[] samePads(int inH, int inW, int windowH, int windowW, int sh, int sw) {
        long outH = (inH + (long) sh - 1) / sh, outW = (inW + (long) sw - 1) / sw;
        long th = Math.max((outH - 1) * sh + windowH - inH, 0), tw = Math.max((outW - 1) * sw + windowW - inW, 0);
        return new long[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
    }

    /** The Myelin padding that gives ONNX's {@code pads} / {@code auto_pad} here, or a refusal. */
    private Padding padding(NodeProto n, int inH, int inW, int windowH, int windowW, int sh, int sw) throws FileFormatException {
        String auto = stringAttr(n, "auto_pad", "NOTSET");
        long[] same = samePads(inH, inW, windowH, windowW, sh, sw);
        switch (auto) {
            case "VALID" -> {
                return Padding.VALID;
            }
            case "SAME_UPPER" -> {
                return Padding.SAME;
            }
            case "NOTSET" -> {
                long[] pads = intsAttr(n, "pads");
                if (pads == null || Arrays.stream(pads).allMatch(p -> p == 0)) return Padding.VALID;
                if (Arrays.equals(pads, same)) return Padding.SAME;
                throw refuse(n, "pads " + Arrays.toString(pads) + " on a " + inH + "×" + inW + " input are neither none (VALID) nor Keras's SAME "
                        + Arrays.toString(same) + "; Myelin has no ZeroPadding2D layer yet");
            }
            default -> throw refuse(n, "auto_pad " + auto + " is not supported (VALID and SAME_UPPER are)");
        }
    }

    private ImportedValue conv(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        Constant w = constant(n, 1);
        if (w.dims().length == 3) return layerOps.conv1d(n, x, w);
        requireLayout(n, x, Layout.CHANNELS_FIRST);
        if (w.dims().length != 4) throw refuse(n, "a " + w.dims().length + "-D kernel (Conv2D's is 4-D)");
        if (intAttr(n, "group", 1) != 1) throw refuse(n, "grouped convolution (group " + intAttr(n, "group", 1) + ")");
        int co = (int) w.dims()[0], ci = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        long[] strides = orDefault(intsAttr(n, "strides"), 1, 1);
        long[] dilations = orDefault(intsAttr(n, "dilations"), 1, 1);
        int[] in = x.tensor().shape().toArray(); // [h, w, c]
        if (in[2] != ci) throw refuse(n, "a kernel for " + ci + " input channels on " + in[2] + " channels");
        Padding p = padding(n, in[0], in[1], (int) dilations[0] * (kh - 1) + 1, (int) dilations[1] * (kw - 1) + 1, (int) strides[0], (int) strides[1]);
        boolean bias = hasInput(n, 2);
        Conv2D conv = new Conv2D(co, kh, kw).strides((int) strides[0], (int) strides[1]).padding(p).dilation((int) dilations[0], (int) dilations[1]).useBias(bias);
        SymbolicTensor y = conv.apply(x.tensor());
        float[] oihw = w.data();
        float[] hwio = new float[oihw.length];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int h = 0; h < kh; h++)
                    for (int q = 0; q < kw; q++) hwio[((h * kw + q) * ci + i) * co + o] = oihw[((o * ci + i) * kh + h) * kw + q];
        assignLater(conv::kernel, hwio);
        if (bias) assignLater(conv::bias, vector(n, 2, co));
        return new Computed(y, Layout.CHANNELS_FIRST);
    }

    private static long[] orDefault(long[] v, long... fallback) {
        return v == null || v.length == 0 ? fallback : v;
    }

    /** A 1-D constant of {@code size} elements (also accepted: {@code [1, size]}). */
    float[] vector(NodeProto n, int index, int size) throws FileFormatException {
        Constant c = constant(n, index);
        if (c.data().length != size) throw refuse(n, "input " + index + " has " + c.data().length + " elements, expected " + size);
        return c.data();
    }

    private ImportedValue gemm(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        requireLayout(n, x, Layout.PLAIN, Layout.FLAT_CHANNELS_FIRST);
        if (x.tensor().shape().rank() != 1) throw refuse(n, "Gemm of a rank-" + (x.tensor().shape().rank() + 1) + " input");
        if (intAttr(n, "transA", 0) != 0) throw refuse(n, "transA=1 on a computed input");
        Constant b = constant(n, 1);
        if (b.dims().length != 2) throw refuse(n, "a " + b.dims().length + "-D weight, expected 2-D");
        boolean transB = intAttr(n, "transB", 0) != 0;
        int in = (int) (transB ? b.dims()[1] : b.dims()[0]);
        int out = (int) (transB ? b.dims()[0] : b.dims()[1]);
        float alpha = floatAttr(n, "alpha", 1f), beta = floatAttr(n, "beta", 1f);
        float[] kernel = new float[in * out];
        for (int i = 0; i < in; i++)
            for (int o = 0; o < out; o++) kernel[i * out + o] = alpha * (transB ? b.data()[o * in + i] : b.data()[i * out + o]);
        return dense(n, x, kernel, in, out, hasInput(n, 2) ? scaled(vector(n, 2, out), beta) : null, n.outputs().getFirst());
    }

    private static float[] scaled(float[] v, float s) {
        if (s == 1f) return v;
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) out[i] *= s;
        return out;
    }

    /** A Dense layer of {@code kernel [in, out]}; rows permuted to channels-last order after a channels-first Flatten. */
    /**
     * A Dense layer of the weights; {@code result} is the value the ONNX graph's affine map ends at (the Gemm, or the
     * Add of the MatMul's bias): when a Relu is its only reader, the Dense applies it (one fused operation in Myelin)
     * and the Relu passes its value on.
     */
    private Computed dense(NodeProto n, Computed x, float[] kernel, int in, int out, float[] bias, String result) throws FileFormatException {
        int features = x.tensor().shape().dim(x.tensor().shape().rank() - 1);
        if (features != in) throw refuse(n, "a weight for " + in + " inputs on " + features + " features");
        if (x.layout() == Layout.FLAT_CHANNELS_FIRST) kernel = channelsLastRows(x.chw(), kernel, out);
        List<NodeProto> users = readers.getOrDefault(result, List.of());
        boolean relu = users.size() == 1 && users.getFirst().opType().equals("Relu");
        if (relu) fusedRelus.add(users.getFirst());
        Dense d = new Dense(out, relu ? Activation.RELU : Activation.LINEAR).useBias(bias != null);
        SymbolicTensor y = d.apply(x.tensor());
        assignLater(d::kernel, kernel);
        if (bias != null) assignLater(d::bias, bias);
        return new Computed(y, Layout.PLAIN);
    }

    /** Rows of a {@code [C·H·W, out]} kernel in C, H, W order, reordered to H, W, C (Myelin's Flatten of an NHWC image). */
    private static float[] channelsLastRows(int[] chw, float[] kernel, int out) {
        int c = chw[0], h = chw[1], w = chw[2];
        float[] r = new float[kernel.length];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int q = 0; q < w; q++) System.arraycopy(kernel, ((ch * h + y) * w + q) * out, r, ((y * w + q) * c + ch) * out, out);
        return r;
    }

    private ImportedValue matmul(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        requireLayout(n, x, Layout.PLAIN, Layout.FLAT_CHANNELS_FIRST);
        Constant b = constant(n, 1);
        if (b.dims().length != 2) throw refuse(n, "MatMul by a " + b.dims().length + "-D constant (2-D weights are imported)");
        int in = (int) b.dims()[0], out = (int) b.dims()[1];
        List<NodeProto> users = readers.getOrDefault(n.outputs().getFirst(), List.of());
        NodeProto add = users.size() == 1 && users.getFirst().opType().equals("Add") && users.getFirst().inputs().size() == 2 ? users.getFirst() : null;
        String other = add == null ? null : add.inputs().get(add.inputs().get(0).equals(n.outputs().getFirst()) ? 1 : 0); // PyTorch writes b + MatMul
        boolean biasFollows = other != null && values.get(other) instanceof Constant c && c.data().length == out;
        Computed y = dense(n, x, b.data(), in, out, biasFollows ? new float[out] : null, biasFollows ? add.outputs().getFirst() : n.outputs().getFirst()); // the Add fills the bias
        if (biasFollows) openBias.put(n.outputs().getFirst(), (Dense) y.tensor().layer());
        return y;
    }

    private ImportedValue add(NodeProto n) throws FileFormatException {
        for (int i = 0; i < 2 && n.inputs().size() == 2; i++) { // MatMul + b, or b + MatMul as PyTorch writes it
            if (value(n, 1 - i) instanceof Constant c && value(n, i) instanceof Computed x) {
                Dense d = openBias.remove(n.inputs().get(i));
                if (d == null || c.data().length != d.units()) throw refuse(n, "adding a constant other than the bias of a MatMul");
                assignLater(d::bias, c.data());
                return x;
            }
        }
        List<SymbolicTensor> in = new ArrayList<>();
        Layout layout = computed(n, 0).layout();
        for (int i = 0; i < n.inputs().size(); i++) {
            Computed v = computed(n, i);
            if (v.layout() != layout || (layout != Layout.PLAIN && layout != Layout.CHANNELS_FIRST)) {
                throw refuse(n, "adding " + describe(v) + " to " + describe(computed(n, 0)));
            }
            in.add(v.tensor());
        }
        return new Computed(new Add().apply(in), layout);
    }

    private ImportedValue pool(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        requireLayout(n, x, Layout.CHANNELS_FIRST);
        long[] k = intsAttr(n, "kernel_shape");
        if (k == null || k.length != 2) throw refuse(n, "a pooling window of " + Arrays.toString(k) + " (2-D windows are imported)");
        long[] s = orDefault(intsAttr(n, "strides"), 1, 1);
        if (intAttr(n, "ceil_mode", 0) != 0) throw refuse(n, "ceil_mode=1");
        long[] d = intsAttr(n, "dilations");
        if (d != null && Arrays.stream(d).anyMatch(v -> v != 1)) throw refuse(n, "dilated pooling");
        if (intAttr(n, "storage_order", 0) != 0 || n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()) throw refuse(n, "MaxPool's indices output");
        int[] in = x.tensor().shape().toArray();
        Padding p = padding(n, in[0], in[1], (int) k[0], (int) k[1], (int) s[0], (int) s[1]);
        boolean max = n.opType().equals("MaxPool");
        if (!max && p == Padding.SAME && intAttr(n, "count_include_pad", 0) != 0) {
            throw refuse(n, "AveragePool counting the padding (count_include_pad=1); Keras averages over the positions inside the image");
        }
        Layer layer = max ? new MaxPooling2D((int) k[0], (int) k[1]).strides((int) s[0], (int) s[1]).padding(p)
                : new AveragePooling2D((int) k[0], (int) k[1]).strides((int) s[0], (int) s[1]).padding(p);
        return new Computed(layer.apply(x.tensor()), Layout.CHANNELS_FIRST);
    }

    private ImportedValue batchNorm(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        if (intAttr(n, "training_mode", 0) != 0) throw refuse(n, "training_mode=1 (inference graphs are imported)");
        boolean image = x.layout() == Layout.CHANNELS_FIRST;
        if (!image && !(x.layout() == Layout.PLAIN && x.tensor().shape().rank() == 1)) {
            throw refuse(n, "batch normalization of " + describe(x) + " (images and [N, C] features are imported)");
        }
        int c = x.tensor().shape().dim(x.tensor().shape().rank() - 1);
        BatchNormalization bn = new BatchNormalization().epsilon(floatAttr(n, "epsilon", 1e-5f));
        SymbolicTensor y = bn.apply(x.tensor());
        assignLater(bn::gamma, vector(n, 1, c));
        assignLater(bn::beta, vector(n, 2, c));
        assignLater(bn::movingMean, vector(n, 3, c));
        assignLater(bn::movingVariance, vector(n, 4, c));
        return new Computed(y, x.layout());
    }

    private Computed activation(NodeProto n, Activation a) throws FileFormatException {
        return same(n, layer(n, new ActivationLayer(a), 0));
    }

    private Activation hardSigmoid(NodeProto n) throws FileFormatException {
        float alpha = floatAttr(n, "alpha", 0.2f), beta = floatAttr(n, "beta", 0.5f);
        if (beta == 0.5f && alpha == 0.2f) return Activation.LEGACY_HARD_SIGMOID;
        if (beta == 0.5f && Math.abs(alpha - 1f / 6f) < 1e-7f) return Activation.HARD_SIGMOID;
        throw refuse(n, "HardSigmoid with alpha " + alpha + ", beta " + beta + " (Myelin has alpha 0.2 or 1/6 with beta 0.5)");
    }

    private ImportedValue softmax(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        int rank = x.tensor().shape().rank() + 1;
        long axis = intAttr(n, "axis", -1);
        if (axis < 0) axis += rank;
        boolean last = x.layout() == Layout.PLAIN && axis == rank - 1;
        boolean channels = x.layout() == Layout.CHANNELS_FIRST && axis == 1;
        if (!last && !channels) throw refuse(n, "Softmax over axis " + intAttr(n, "axis", -1) + " of " + describe(x) + " (Myelin's softmax is over the last, channels-last axis)");
        return activation(n, Activation.SOFTMAX);
    }

    private ImportedValue flatten(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        if (intAttr(n, "axis", 1) != 1) throw refuse(n, "Flatten at axis " + intAttr(n, "axis", 1) + " (axis 1 is imported)");
        return flattened(n, x);
    }

    private Computed flattened(NodeProto n, Computed x) throws FileFormatException {
        int[] s = x.tensor().shape().toArray();
        return switch (x.layout()) {
            // a 1×1 image flattens to the same order either way
            case CHANNELS_FIRST -> s[0] * s[1] == 1 ? new Computed(new Flatten().apply(x.tensor()), Layout.PLAIN)
                    : new Computed(new Flatten().apply(x.tensor()), Layout.FLAT_CHANNELS_FIRST, new int[] {s[2], s[0], s[1]});
            case PLAIN, FLAT_CHANNELS_FIRST -> s.length == 1 ? x : new Computed(new Flatten().apply(x.tensor()), Layout.PLAIN);
            default -> throw refuse(n, "flattening " + describe(x));
        };
    }

    private ImportedValue reshape(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        Constant shape = constant(n, 1);
        long[] target = new long[shape.data().length];
        for (int i = 0; i < target.length; i++) target[i] = (long) shape.data()[i];
        int size = x.tensor().shape().size();
        boolean toFlat = target.length == 2 && (target[0] == 0 || target[0] == -1) && (target[1] == -1 || target[1] == size)
                || target.length == 2 && target[1] == size;
        if (toFlat) return flattened(n, x);
        if (x.layout() != Layout.PLAIN) throw refuse(n, "Reshape of " + describe(x) + " to " + Arrays.toString(target) + " (only flattening is imported for it)");
        if (target.length < 2 || (target[0] != 0 && target[0] != -1)) throw refuse(n, "Reshape to " + Arrays.toString(target) + " that does not keep the batch dimension first");
        int[] dims = new int[target.length - 1];
        long product = 1;
        boolean inferred = false;
        for (int i = 1; i < target.length; i++) {
            long t = target[i] == 0 && i < x.tensor().shape().rank() + 1 ? x.tensor().shape().dim(i - 1) : target[i];
            if (t < -1 || t == 0 || t > Integer.MAX_VALUE) throw refuse(n, "Reshape to " + Arrays.toString(target));
            dims[i - 1] = (int) t;
            if (t == -1) inferred = true;
            else product *= t;
        }
        if (!inferred && product != size) {
            throw refuse(n, "Reshape of " + describe(x) + " to " + Arrays.toString(target) + ", which moves elements into or out of the batch "
                    + "dimension (as TimeDistributed's folding of time into the batch); a Reshape that keeps each example whole is imported");
        }
        return new Computed(new Reshape(dims).apply(x.tensor()), Layout.PLAIN);
    }

    private ImportedValue transpose(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        long[] perm = intsAttr(n, "perm");
        int rank = x.tensor().shape().rank() + 1;
        if (perm == null) perm = java.util.stream.LongStream.range(0, rank).map(i -> rank - 1 - i).toArray();
        if (Arrays.equals(perm, new long[] {0, 3, 1, 2}) && x.layout() == Layout.PLAIN && rank == 4) return new Computed(x.tensor(), Layout.CHANNELS_FIRST);
        if (Arrays.equals(perm, new long[] {0, 2, 3, 1}) && x.layout() == Layout.CHANNELS_FIRST) return new Computed(x.tensor(), Layout.PLAIN);
        if (Arrays.equals(perm, new long[] {1, 0, 2}) && x.layout() == Layout.PLAIN && rank == 3) return new Computed(x.tensor(), Layout.TIME_MAJOR);
        if (Arrays.equals(perm, new long[] {1, 0, 2}) && x.layout() == Layout.TIME_MAJOR) return new Computed(x.tensor(), Layout.PLAIN);
        if (Arrays.equals(perm, new long[] {0, 2, 1}) && x.layout() == Layout.PLAIN && rank == 3) return new Computed(x.tensor(), Layout.CHANNELS_FIRST_1D);
        if (Arrays.equals(perm, new long[] {0, 2, 1}) && x.layout() == Layout.CHANNELS_FIRST_1D) return new Computed(x.tensor(), Layout.PLAIN);
        throw refuse(n, "Transpose " + Arrays.toString(perm) + " of " + describe(x) + " (only layout changes NHWC<->NCHW, NTC<->NCT and batch<->time are imported)");
    }

    private ImportedValue concat(NodeProto n) throws FileFormatException {
        Computed first = computed(n, 0);
        int rank = first.tensor().shape().rank() + 1;
        long axis = intAttr(n, "axis", 1);
        if (axis < 0) axis += rank;
        int myelinAxis;
        if (first.layout() == Layout.CHANNELS_FIRST && axis == 1) myelinAxis = -1;
        else if (first.layout() == Layout.PLAIN && axis > 0) myelinAxis = (int) axis;
        else throw refuse(n, "Concat on axis " + axis + " of " + describe(first));
        List<SymbolicTensor> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            Computed v = computed(n, i);
            if (v.layout() != first.layout()) throw refuse(n, "concatenating " + describe(v) + " with " + describe(first));
            in.add(v.tensor());
        }
        return new Computed(new Concatenate(myelinAxis).apply(in), first.layout());
    }

    private ImportedValue cast(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        long to = intAttr(n, "to", 0);
        if (x.layout() == Layout.PLAIN && (to == dev.myelin.onnx.proto.TensorProto.INT64 || to == dev.myelin.onnx.proto.TensorProto.INT32)) {
            return new Computed(x.tensor(), Layout.IDS);
        }
        if (to == dev.myelin.onnx.proto.TensorProto.FLOAT) return x;
        throw refuse(n, "Cast to " + dev.myelin.onnx.proto.TensorProto.typeName((int) to) + " of " + describe(x));
    }

    private ImportedValue gather(NodeProto n) throws FileFormatException {
        ImportedValue data = value(n, 0);
        long axis = intAttr(n, "axis", 0);
        if (data instanceof Constant table && value(n, 1) instanceof Computed ids && ids.layout() == Layout.IDS && axis == 0 && table.dims().length == 2) {
            int vocabulary = (int) table.dims()[0], width = (int) table.dims()[1];
            Embedding e = new Embedding(vocabulary, width);
            SymbolicTensor y = e.apply(ids.tensor());
            assignLater(e::embeddings, table.data());
            return new Computed(y, Layout.PLAIN);
        }
        if (data instanceof Computed state && state.layout() == Layout.RNN_STATE && axis == 0 && value(n, 1) instanceof Constant index
                && index.data().length == 1 && (index.data()[0] == 0 || index.data()[0] == -1) && index.dims().length == 0) {
            return new Computed(state.tensor(), Layout.PLAIN); // h[-1] of a one-direction, one-layer state
        }
        throw refuse(n, "Gather of this kind (an embedding lookup and h[-1] of a recurrent state are imported)");
    }

    private ImportedValue squeeze(NodeProto n) throws FileFormatException {
        Computed x = computed(n, 0);
        long[] axes = intsAttr(n, "axes");
        if (axes == null && hasInput(n, 1)) {
            float[] a = constant(n, 1).data();
            axes = new long[a.length];
            for (int i = 0; i < a.length; i++) axes[i] = (long) a[i];
        }
        if (x.layout() == Layout.RNN_Y && Arrays.equals(axes, new long[] {1})) return new Computed(x.tensor(), Layout.TIME_MAJOR);
        if (x.layout() == Layout.RNN_STATE && Arrays.equals(axes, new long[] {0})) return new Computed(x.tensor(), Layout.PLAIN);
        throw refuse(n, "Squeeze " + Arrays.toString(axes) + " of " + describe(x) + " (the direction axis of a recurrent output is imported)");
    }
}
