package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofFloat;
import static dev.myelin.onnx.proto.AttributeProto.ofInt;
import static dev.myelin.onnx.proto.AttributeProto.ofInts;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.GlobalPooling2D;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Pooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.SinePositionEncoding;
import dev.myelin.nn.attention.TransformerDecoder;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.GlobalMaxPooling1D;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.layers.UpSampling2D;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.TimeDistributed;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One Myelin layer call as ONNX nodes. Images travel channels-first between convolutions, pooling, batch
 * normalization and element-wise layers; a layer that reads Myelin's channels-last order (Dense, Flatten,
 * Reshape, a Concatenate off the channel axis) gets a Transpose back first.
 */
final class LayerExport {
    /** The layers {@link OnnxExport} writes, as named in its refusal. */
    static final String SUPPORTED = "Dense, Conv1D, Conv2D, Conv2DTranspose, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, "
            + "GlobalAveragePooling1D, GlobalMaxPooling1D, UpSampling2D, BatchNormalization, LayerNormalization, Activation, LeakyReLU, Flatten, Reshape, "
            + "Dropout, Add, Concatenate, Embedding, LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed, Masking (when no later layer applies its mask), "
            + "MultiHeadAttention, TransformerEncoder, TransformerDecoder, PositionEmbedding, SinePositionEncoding and nested models of these";

    private final GraphBuilder g;
    private final SequenceExport sequences;
    private final UpsamplingExport upsampling;
    private final AttentionExport attention;

    LayerExport(GraphBuilder g) {
        this.g = g;
        this.sequences = new SequenceExport(g);
        this.upsampling = new UpsamplingExport(g);
        this.attention = new AttentionExport(g);
    }

    /** The output, of Myelin shape {@code outShape} (batch excluded), of {@code layer} called on {@code in} (several inputs for a merge layer). */
    Value export(Layer layer, List<Value> in, int[] outShape) {
        return export(layer, in, outShape, Map.of(), Map.of());
    }

    /**
     * As {@link #export(Layer, List, int[])}, for a functional call with keyword {@code options} (MultiHeadAttention's
     * {@code use_causal_mask}) and the values of its tensor-valued keywords ({@code attention_mask}) in {@code keywordValues}.
     */
    Value export(Layer layer, List<Value> in, int[] outShape, Map<String, Object> options, Map<String, Value> keywordValues) {
        String base = layer.name();
        Value x = in.getFirst();
        for (var option : options.entrySet()) {
            boolean translated = layer instanceof MultiHeadAttention && option.getKey().equals(MultiHeadAttention.ATTENTION_MASK)
                    && keywordValues.get(option.getKey()) != null;
            if (option.getValue() instanceof SymbolicTensor && !translated) { // refused rather than exported as if absent
                throw refuse(layer, "its functional call takes the tensor " + option.getKey() + " (a keyword argument), which the ONNX export "
                        + "does not translate for this layer");
            }
        }
        if (appliesMask(layer) && in.stream().anyMatch(Value::masked)) {
            throw refuse(layer, "its input carries a padding mask (from Masking or Embedding mask_zero) that this layer applies, and an ONNX "
                    + "tensor cannot carry a mask: the padded steps would be computed as data; export a model without masking");
        }
        return switch (layer) {
            case Dense d -> dense(d, x, outShape, base);
            case Conv2D c -> conv2d(c, x, outShape, base);
            case Conv1D c -> sequences.conv1d(c, channelsLast(x), outShape, base);
            case Conv2DTranspose c -> upsampling.conv2dTranspose(c, x, outShape, base, this);
            case UpSampling2D u -> upsampling.upSampling2d(u, x, outShape, base, this);
            case Pooling2D p -> pool(p, x, outShape, base);
            case GlobalPooling2D p -> globalPool(p, x, base);
            case GlobalAveragePooling1D p -> sequences.globalPool1d(true, p.keepDims(), x, outShape, base);
            case GlobalMaxPooling1D p -> sequences.globalPool1d(false, p.keepDims(), x, outShape, base);
            case BatchNormalization b -> batchNorm(b, x, base);
            case LayerNormalization l -> attention.layerNorm(l, channelsLast(x), base);
            case ActivationLayer a -> ActivationExport.apply(g, a.activation(), x, base).withMask(x.masked() && a.activation() == Activation.LINEAR);
            case LeakyReLU l -> new Value(g.node("LeakyRelu", base, List.of(x.name()), ofFloat("alpha", (float) l.negativeSlope())), x.shape(), x.channelsFirst());
            case Flatten f -> flatten(x, base);
            case Reshape r -> reshape(x, outShape, base);
            case Dropout d -> x; // identity at inference (the same tensor, so a mask stays on it)
            case Add a -> add(in, base).withMask(mergedMask(in, outShape));
            case Concatenate c -> concatenate(c, in, outShape, base).withMask(mergedMask(in, outShape));
            case Embedding e -> embedding(e, x, outShape, base);
            case Masking m -> sequences.masking(m, channelsLast(x), base);
            case RecurrentLayer<?> r -> new RecurrentExport(g).export(r, channelsLast(x), outShape, base);
            case Bidirectional b -> new WrapperExport(g, this).bidirectional(b, x, outShape, base);
            case TimeDistributed t -> new WrapperExport(g, this).timeDistributed(t, x, outShape, base);
            case MultiHeadAttention m -> attention.multiHeadAttention(m, in.stream().map(this::channelsLast).toList(), outShape, base,
                    MultiHeadAttention.useCausalMask(options), keywordValues.containsKey(MultiHeadAttention.ATTENTION_MASK)
                            ? channelsLast(keywordValues.get(MultiHeadAttention.ATTENTION_MASK)) : null);
            case TransformerEncoder e -> attention.encoder(e, channelsLast(x), base);
            case TransformerDecoder d -> attention.decoder(d, in.stream().map(this::channelsLast).toList(), base);
            case PositionEmbedding p -> attention.positions(p, channelsLast(x), base);
            case SinePositionEncoding p -> attention.positions(p, channelsLast(x), base);
            default -> throw refuse(layer, "");
        };
    }

    /**
     * Whether a merge's output carries a mask, by the rule of Myelin's {@code Masks.merged}: some input is masked,
     * the output is a sequence, and every masked input has the output's steps (a merge along time keeps none).
     */
    private static boolean mergedMask(List<Value> in, int[] outShape) {
        if (outShape.length < 2) return false;
        boolean any = false;
        for (Value v : in) {
            if (!v.masked()) continue;
            if (v.shape().length < 1 || v.shape()[0] != outShape[0]) return false;
            any = true;
        }
        return any;
    }

    /** The layers whose output depends on an implicit mask of their input (Myelin's {@code Masks}). */
    private static boolean appliesMask(Layer layer) {
        return layer instanceof RecurrentLayer<?> || layer instanceof Bidirectional || layer instanceof MultiHeadAttention
                || layer instanceof TransformerEncoder || layer instanceof TransformerDecoder || layer instanceof GlobalAveragePooling1D;
    }

    static UnsupportedOperationException refuse(Layer layer, String why) {
        return new UnsupportedOperationException("layer '" + layer.name() + "' (" + layer.getClass().getSimpleName() + ") cannot be exported to ONNX"
                + (why.isEmpty() ? "" : ": " + why) + "; supported layers: " + SUPPORTED);
    }

    // ---- layout ----

    /** {@code v} with images channels-first (a Transpose when it is channels-last). */
    Value channelsFirst(Value v, String base) {
        if (v.channelsFirst()) return v;
        if (v.shape().length != 3) throw new IllegalStateException("not an image: " + Arrays.toString(v.shape()));
        return new Value(g.node("Transpose", base + "/to_nchw", List.of(v.name()), ofInts("perm", 0, 3, 1, 2)), v.shape(), true);
    }

    /** {@code v} in Myelin's channels-last order (a Transpose when it is held channels-first). */
    Value channelsLast(Value v) {
        if (!v.channelsFirst()) return v;
        return new Value(g.node("Transpose", v.name() + "/to_nhwc", List.of(v.name()), ofInts("perm", 0, 2, 3, 1)), v.shape(), false);
    }

    // ---- layers ----

    private Value dense(Dense d, Value in, int[] outShape, String base) {
        Value x = channelsLast(in);
        Tensor k = d.kernel().value();
        int inDim = k.shape().dim(0);
        int units = d.units();
        String w = g.floats(base + "/kernel", k.toFloatArray(), inDim, units);
        String b = d.useBias() ? g.floats(base + "/bias", d.bias().value().toFloatArray(), units) : null;
        String y;
        if (x.shape().length == 1) {
            y = g.node("Gemm", base + "/dense", b == null ? List.of(x.name(), w) : List.of(x.name(), w, b));
        } else { // Gemm is 2-D only; MatMul broadcasts over the leading axes as Keras's Dense does
            y = g.node("MatMul", base + "/matmul", List.of(x.name(), w));
            if (b != null) y = g.node("Add", base + "/dense", List.of(y, b));
        }
        return ActivationExport.apply(g, d.activation(), new Value(y, outShape, false), base);
    }

    private Value conv2d(Conv2D c, Value in, int[] outShape, String base) {
        Value x = channelsFirst(in, base);
        Tensor k = c.kernel().value(); // [kh, kw, in, out]
        int kh = k.shape().dim(0), kw = k.shape().dim(1), ci = k.shape().dim(2), co = k.shape().dim(3);
        float[] hwio = k.toFloatArray();
        float[] oihw = new float[hwio.length];
        for (int h = 0; h < kh; h++)
            for (int w = 0; w < kw; w++)
                for (int i = 0; i < ci; i++)
                    for (int o = 0; o < co; o++) oihw[((o * ci + i) * kh + h) * kw + w] = hwio[((h * kw + w) * ci + i) * co + o];
        ConvOptions opt = c.options();
        long[] pads = pads(opt.padding(), in.shape(), outShape, opt.strideH(), opt.strideW(), opt.dilationH() * (kh - 1) + 1, opt.dilationW() * (kw - 1) + 1);
        List<String> inputs = new ArrayList<>(List.of(x.name(), g.floats(base + "/kernel", oihw, co, ci, kh, kw)));
        if (c.useBias()) inputs.add(g.floats(base + "/bias", c.bias().value().toFloatArray(), co));
        String y = g.node("Conv", base + "/conv", inputs, ofInts("kernel_shape", kh, kw), ofInts("strides", opt.strideH(), opt.strideW()),
                ofInts("dilations", opt.dilationH(), opt.dilationW()), ofInts("pads", pads), ofInt("group", 1));
        return ActivationExport.apply(g, c.activation(), new Value(y, outShape, true), base);
    }

    /** ONNX pads {@code [top, left, bottom, right]}: none for VALID; for SAME, Keras's split (the odd pixel at the bottom/right). */
    private static long[] pads(Padding padding, int[] inShape, int[] outShape, int sh, int sw, int windowH, int windowW) {
        if (padding == Padding.VALID) return new long[] {0, 0, 0, 0};
        long th = Math.max((long) (outShape[0] - 1) * sh + windowH - inShape[0], 0);
        long tw = Math.max((long) (outShape[1] - 1) * sw + windowW - inShape[1], 0);
        return new long[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
    }

    private Value pool(Pooling2D p, Value in, int[] outShape, String base) {
        Value x = channelsFirst(in, base);
        PoolOptions o = p.options();
        long[] pads = pads(o.padding(), in.shape(), outShape, o.strideH(), o.strideW(), o.poolH(), o.poolW());
        String op = p instanceof MaxPooling2D ? "MaxPool" : "AveragePool";
        List<dev.myelin.onnx.proto.AttributeProto> attrs = new ArrayList<>(List.of(ofInts("kernel_shape", o.poolH(), o.poolW()),
                ofInts("strides", o.strideH(), o.strideW()), ofInts("pads", pads)));
        if (p instanceof AveragePooling2D) attrs.add(ofInt("count_include_pad", 0)); // Keras averages over the positions inside the image
        String y = g.node(op, base + "/pool", List.of(x.name()), attrs.toArray(dev.myelin.onnx.proto.AttributeProto[]::new));
        return new Value(y, outShape, true);
    }

    private Value globalPool(GlobalPooling2D p, Value in, String base) {
        Value x = channelsFirst(in, base);
        String op = p instanceof GlobalAveragePooling2D ? "GlobalAveragePool" : "GlobalMaxPool";
        assert p instanceof GlobalAveragePooling2D || p instanceof GlobalMaxPooling2D;
        String y = g.node(op, base + "/pool", List.of(x.name()));
        int c = in.shape()[2];
        if (p.keepDims()) return new Value(y, new int[] {1, 1, c}, true);
        return new Value(g.node("Flatten", base + "/flatten", List.of(y), ofInt("axis", 1)), new int[] {c}, false);
    }

    private Value batchNorm(BatchNormalization b, Value in, String base) {
        int rank = in.shape().length + 1;
        int axis = b.axis() < 0 ? b.axis() + rank : b.axis();
        if (axis != rank - 1 || (rank != 2 && rank != 4)) {
            throw refuse(b, "only the last axis of a [batch, features] or [batch, h, w, c] input is exported, got axis " + b.axis() + " of a rank-" + rank + " input");
        }
        Value x = rank == 4 ? channelsFirst(in, base) : in;
        int c = in.shape()[in.shape().length - 1];
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        String gamma = g.floats(base + "/gamma", b.gamma() == null ? ones : b.gamma().value().toFloatArray(), c);
        String beta = g.floats(base + "/beta", b.beta() == null ? new float[c] : b.beta().value().toFloatArray(), c);
        String mean = g.floats(base + "/moving_mean", b.movingMean().value().toFloatArray(), c);
        String var = g.floats(base + "/moving_variance", b.movingVariance().value().toFloatArray(), c);
        // epsilon written explicitly: Keras's default is 1e-3, ONNX's 1e-5
        String y = g.node("BatchNormalization", base + "/batchnorm", List.of(x.name(), gamma, beta, mean, var), ofFloat("epsilon", (float) b.epsilon()));
        return new Value(y, in.shape(), x.channelsFirst());
    }

    private Value flatten(Value in, String base) {
        Value x = channelsLast(in); // Myelin flattens in channels-last order
        int n = Arrays.stream(in.shape()).reduce(1, Math::multiplyExact);
        return new Value(g.node("Flatten", base + "/flatten", List.of(x.name()), ofInt("axis", 1)), new int[] {n}, false);
    }

    private Value reshape(Value in, int[] target, String base) {
        Value x = channelsLast(in);
        long[] shape = new long[target.length + 1];
        shape[0] = -1; // the batch; the other sizes are all known
        for (int i = 0; i < target.length; i++) shape[i + 1] = target[i];
        return new Value(g.node("Reshape", base + "/reshape", List.of(x.name(), g.longs(base + "/shape", shape))), target, false);
    }

    private Value add(List<Value> in, String base) {
        boolean allFirst = in.stream().allMatch(Value::channelsFirst);
        List<String> names = in.stream().map(v -> allFirst ? v : channelsLast(v)).map(Value::name).toList();
        String y = names.size() == 2 ? g.node("Add", base + "/add", names) : g.node("Sum", base + "/sum", names);
        return new Value(y, in.getFirst().shape(), allFirst);
    }

    private Value concatenate(Concatenate c, List<Value> in, int[] outShape, String base) {
        int rank = in.getFirst().shape().length + 1;
        int axis = c.config().axis() < 0 ? c.config().axis() + rank : c.config().axis();
        if (axis == rank - 1 && in.stream().allMatch(Value::channelsFirst)) { // channels: axis 1 of NCHW
            return new Value(g.node("Concat", base + "/concat", in.stream().map(Value::name).toList(), ofInt("axis", 1)), outShape, true);
        }
        List<String> names = in.stream().map(this::channelsLast).map(Value::name).toList();
        return new Value(g.node("Concat", base + "/concat", names, ofInt("axis", axis)), outShape, false);
    }

    /** Embedding as Gather; with {@code mask_zero} the output is marked as masked (a later layer that applies the mask is refused). */
    private Value embedding(Embedding e, Value in, int[] outShape, String base) {
        Tensor table = e.embeddings().value();
        String w = g.floats(base + "/embeddings", table.toFloatArray(), table.shape().dim(0), table.shape().dim(1));
        // Myelin feeds ids as floats; Gather needs integer indices
        String ids = g.node("Cast", base + "/ids", List.of(channelsLast(in).name()), ofInt("to", dev.myelin.onnx.proto.TensorProto.INT64));
        String y = g.node("Gather", base + "/gather", List.of(w, ids), ofInt("axis", 0));
        return new Value(y, outShape, false, e.config().maskZero());
    }

    /** Used by {@link RecurrentExport} and the model walk: an activation on a value. */
    Value activation(Activation a, Value v, String base) {
        return ActivationExport.apply(g, a, v, base);
    }
}
