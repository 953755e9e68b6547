package dev.myelin.onnx;

import dev.myelin.io.FileFormatException;
import dev.myelin.nn.Layer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.SinePositionEncoding;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.GlobalMaxPooling1D;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.layers.UpSampling2D;
import dev.myelin.onnx.ImportedValue.Computed;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.ImportedValue.Layout;
import dev.myelin.onnx.proto.NodeProto;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/**
 * The ONNX operators {@link OnnxExport} writes for Conv1D, Conv2DTranspose, UpSampling2D, LayerNormalization
 * and the global 1-D poolings, read back as those layers: a 1-D Conv over a channels-first sequence
 * ({@code [N, C, T]}, {@link Layout#CHANNELS_FIRST_1D}), ConvTranspose, Resize (nearest, integer scales),
 * LayerNormalization over the last axis, ReduceMean / ReduceMax over the time axis. Settings Myelin's layers
 * do not have are refused naming them.
 */
final class LayerOpImport {
    private final NodeImport nodes;

    LayerOpImport(NodeImport nodes) {
        this.nodes = nodes;
    }

    /** A Conv with a 3-D kernel {@code [out, in, k]} on a channels-first sequence, as Conv1D (VALID, SAME or CAUSAL padding). */
    Computed conv1d(NodeProto n, Computed x, Constant w) throws FileFormatException {
        if (x.layout() != Layout.CHANNELS_FIRST_1D) throw nodes.refuse(n, "a 1-D convolution of " + NodeImport.describe(x) + ", expected a channels-first sequence");
        if (NodeImport.intAttr(n, "group", 1) != 1) throw nodes.refuse(n, "grouped convolution (group " + NodeImport.intAttr(n, "group", 1) + ")");
        int co = (int) w.dims()[0], ci = (int) w.dims()[1], taps = (int) w.dims()[2];
        int steps = x.tensor().shape().dim(0), channels = x.tensor().shape().dim(1);
        if (channels != ci) throw nodes.refuse(n, "a kernel for " + ci + " input channels on " + channels + " channels");
        int stride = (int) single(n, "strides"), dilation = (int) single(n, "dilations");
        if (stride > 1 && dilation > 1) throw nodes.refuse(n, "strides > 1 with dilations > 1 (Conv1D has one or the other)");
        if (!NodeImport.stringAttr(n, "auto_pad", "NOTSET").equals("NOTSET")) throw nodes.refuse(n, "auto_pad " + NodeImport.stringAttr(n, "auto_pad", ""));
        long[] pads = NodeImport.intsAttr(n, "pads");
        if (pads == null) pads = new long[] {0, 0};
        int window = dilation * (taps - 1) + 1;
        long out = (steps + (long) stride - 1) / stride;
        long total = Math.max((out - 1) * stride + window - steps, 0);
        Conv1D.Padding1D padding;
        if (pads[0] == 0 && pads[1] == 0) padding = Conv1D.Padding1D.VALID;
        else if (pads[0] == total / 2 && pads[1] == total - total / 2) padding = Conv1D.Padding1D.SAME;
        else if (pads[0] == window - 1 && pads[1] == 0) padding = Conv1D.Padding1D.CAUSAL;
        else throw nodes.refuse(n, "pads " + Arrays.toString(pads) + " (Conv1D pads none, Keras's SAME " + Arrays.toString(new long[] {total / 2, total - total / 2})
                + " or CAUSAL [" + (window - 1) + ", 0])");
        boolean bias = nodes.hasInput(n, 2);
        Conv1D conv = new Conv1D(co, taps).strides(stride).dilation(dilation).padding(padding).useBias(bias);
        SymbolicTensor y = conv.apply(x.tensor());
        float[] oik = w.data();
        float[] kio = new float[oik.length];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int t = 0; t < taps; t++) kio[(t * ci + i) * co + o] = oik[(o * ci + i) * taps + t];
        nodes.assignLater(conv::kernel, kio);
        if (bias) nodes.assignLater(conv::bias, nodes.vector(n, 2, co));
        return new Computed(y, Layout.CHANNELS_FIRST_1D);
    }

    private long single(NodeProto n, String attribute) throws FileFormatException {
        long[] v = NodeImport.intsAttr(n, attribute);
        if (v == null) return 1;
        if (v.length != 1 || v[0] < 1) throw nodes.refuse(n, attribute + " " + Arrays.toString(v) + " for a 1-D convolution");
        return v[0];
    }

    /** ConvTranspose as Conv2DTranspose: kernel {@code [in, out, kh, kw]} to Keras's {@code [kh, kw, out, in]}; pads and output padding as Keras's VALID or SAME. */
    Computed convTranspose(NodeProto n) throws FileFormatException {
        Computed x = nodes.computed(n, 0);
        if (x.layout() != Layout.CHANNELS_FIRST) throw nodes.refuse(n, "its input is " + NodeImport.describe(x) + ", expected a channels-first image");
        Constant w = nodes.constant(n, 1);
        if (w.dims().length != 4) throw nodes.refuse(n, "a " + w.dims().length + "-D kernel (Conv2DTranspose's is 4-D)");
        if (NodeImport.intAttr(n, "group", 1) != 1) throw nodes.refuse(n, "grouped transposed convolution");
        long[] dilations = NodeImport.intsAttr(n, "dilations");
        if (dilations != null && Arrays.stream(dilations).anyMatch(d -> d != 1)) throw nodes.refuse(n, "dilations " + Arrays.toString(dilations) + " (Conv2DTranspose has none)");
        if (NodeImport.intsAttr(n, "output_shape") != null || !NodeImport.stringAttr(n, "auto_pad", "NOTSET").equals("NOTSET")) {
            throw nodes.refuse(n, "output_shape or auto_pad (explicit pads are imported)");
        }
        int ci = (int) w.dims()[0], co = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        if (x.tensor().shape().dim(2) != ci) throw nodes.refuse(n, "a kernel for " + ci + " input channels on " + x.tensor().shape().dim(2) + " channels");
        long[] strides = NodeImport.intsAttr(n, "strides");
        int sh = strides == null ? 1 : (int) strides[0], sw = strides == null ? 1 : (int) strides[1];
        long[] pads = orZeros(NodeImport.intsAttr(n, "pads"), 4);
        long[] outputPadding = orZeros(NodeImport.intsAttr(n, "output_padding"), 2);
        Padding padding = null;
        for (Padding p : Padding.values()) {
            long[] rows = UpsamplingExport.transposePads(p, kh, sh), cols = UpsamplingExport.transposePads(p, kw, sw);
            if (Arrays.equals(pads, new long[] {rows[0], cols[0], rows[1], cols[1]}) && Arrays.equals(outputPadding, new long[] {rows[2], cols[2]})) padding = p;
        }
        if (padding == null) {
            throw nodes.refuse(n, "pads " + Arrays.toString(pads) + " with output_padding " + Arrays.toString(outputPadding)
                    + " give neither of Conv2DTranspose's VALID and SAME sizes");
        }
        boolean bias = nodes.hasInput(n, 2);
        Conv2DTranspose conv = new Conv2DTranspose(co, kh, kw, dev.myelin.nn.Activation.LINEAR).strides(sh, sw).padding(padding).useBias(bias);
        SymbolicTensor y = conv.apply(x.tensor());
        float[] iohw = w.data();
        float[] hwoi = new float[iohw.length];
        for (int i = 0; i < ci; i++)
            for (int o = 0; o < co; o++)
                for (int h = 0; h < kh; h++)
                    for (int q = 0; q < kw; q++) hwoi[((h * kw + q) * co + o) * ci + i] = iohw[((i * co + o) * kh + h) * kw + q];
        nodes.assignLater(conv::kernel, hwoi);
        if (bias) nodes.assignLater(conv::bias, nodes.vector(n, 2, co));
        return new Computed(y, Layout.CHANNELS_FIRST);
    }

    private static long[] orZeros(long[] v, int length) {
        return v == null ? new long[length] : v;
    }

    /** Resize of a channels-first image by integer scales {@code [1, 1, sh, sw]}, nearest, as UpSampling2D ({@code y[i] = x[floor(i / s)]}). */
    Computed resize(NodeProto n) throws FileFormatException {
        Computed x = nodes.computed(n, 0);
        if (x.layout() != Layout.CHANNELS_FIRST) throw nodes.refuse(n, "Resize of " + NodeImport.describe(x) + " (channels-first images are imported)");
        String mode = NodeImport.stringAttr(n, "mode", "nearest"), coordinates = NodeImport.stringAttr(n, "coordinate_transformation_mode", "half_pixel");
        String rounding = NodeImport.stringAttr(n, "nearest_mode", "round_prefer_floor");
        if (!mode.equals("nearest")) throw nodes.refuse(n, "Resize mode " + mode + " (UpSampling2D is nearest)");
        if (nodes.hasInput(n, 3)) throw nodes.refuse(n, "Resize to sizes (integer scales are imported)");
        float[] scales = nodes.vector(n, 2, 4);
        int sh = (int) scales[2], sw = (int) scales[3];
        if (scales[0] != 1 || scales[1] != 1 || sh != scales[2] || sw != scales[3] || sh < 1 || sw < 1) {
            throw nodes.refuse(n, "Resize scales " + Arrays.toString(scales) + " (UpSampling2D repeats pixels: [1, 1, integer, integer])");
        }
        // asymmetric coordinates with floor rounding are exactly x[i / s]; other settings pick neighbours differently
        if (!coordinates.equals("asymmetric") || !rounding.equals("floor")) {
            throw nodes.refuse(n, "Resize with coordinate_transformation_mode " + coordinates + " and nearest_mode " + rounding
                    + " (UpSampling2D's pixel repetition is asymmetric with floor)");
        }
        return new Computed(new UpSampling2D(sh, sw).apply(x.tensor()), Layout.CHANNELS_FIRST);
    }

    /** LayerNormalization over the last axis of a channels-last tensor: Scale is gamma, B (when present) beta. */
    Computed layerNorm(NodeProto n) throws FileFormatException {
        Computed x = nodes.computed(n, 0);
        int rank = x.tensor().shape().rank() + 1;
        long axis = NodeImport.intAttr(n, "axis", -1);
        if (x.layout() != Layout.PLAIN || (axis != -1 && axis != rank - 1)) {
            throw nodes.refuse(n, "LayerNormalization over axis " + axis + " of " + NodeImport.describe(x) + " (the last axis of a channels-last tensor is imported)");
        }
        if (n.outputs().size() > 1 && n.outputs().subList(1, n.outputs().size()).stream().anyMatch(o -> !o.isEmpty())) {
            throw nodes.refuse(n, "LayerNormalization's Mean or InvStdDev output");
        }
        int features = x.tensor().shape().dim(rank - 2);
        boolean center = nodes.hasInput(n, 2);
        LayerNormalization l = new LayerNormalization().epsilon(NodeImport.floatAttr(n, "epsilon", 1e-5f)).center(center);
        SymbolicTensor y = l.apply(x.tensor());
        nodes.assignLater(l::gamma, nodes.vector(n, 1, features));
        if (center) nodes.assignLater(l::beta, nodes.vector(n, 2, features));
        return new Computed(y, Layout.PLAIN);
    }

    /** ReduceMean / ReduceMax over axis 1 of a {@code [N, T, F]} sequence, as the global 1-D poolings. */
    Computed reduceOverTime(NodeProto n) throws FileFormatException {
        Computed x = nodes.computed(n, 0);
        long[] axes = NodeImport.intsAttr(n, "axes");
        if (x.layout() != Layout.PLAIN || x.tensor().shape().rank() != 2 || axes == null || !(Arrays.equals(axes, new long[] {1}) || Arrays.equals(axes, new long[] {-2}))) {
            throw nodes.refuse(n, n.opType() + " over axes " + Arrays.toString(axes) + " of " + NodeImport.describe(x) + " (the time axis 1 of [N, T, F] is imported)");
        }
        boolean keep = NodeImport.intAttr(n, "keepdims", 1) != 0;
        Layer layer = n.opType().equals("ReduceMean") ? new GlobalAveragePooling1D().keepDims(keep) : new GlobalMaxPooling1D().keepDims(keep);
        return new Computed(layer.apply(x.tensor()), Layout.PLAIN);
    }

    /** {@code Slice(table, [0], [rows], [0])} of a constant: the first rows of a position table. */
    ImportedValue firstRows(NodeProto n) throws FileFormatException {
        Constant table = nodes.constant(n, 0);
        float[] starts = nodes.constant(n, 1).data(), ends = nodes.constant(n, 2).data();
        float[] axes = nodes.hasInput(n, 3) ? nodes.constant(n, 3).data() : new float[] {0};
        boolean rows = starts.length == 1 && starts[0] == 0 && axes.length == 1 && axes[0] == 0 && ends.length == 1 && table.dims().length == 2
                && ends[0] >= 1 && ends[0] <= table.dims()[0] && !nodes.hasInput(n, 4);
        if (!rows) throw nodes.refuse(n, "Slice other than the first rows of a 2-D constant (a position table)");
        return new ImportedValue.FirstRows(table, (int) ends[0]);
    }

    /**
     * {@code Expand(table, Shape(x))} of a sequence {@code x [N, T, D]}, the table {@code [T, D]} or the first
     * {@code T} rows of a {@code [L, D]} one: the position layers. SinePositionEncoding when the table is
     * exactly its encoding (as OnnxExport writes it), else a PositionEmbedding of {@code L} (or {@code T})
     * positions holding the table.
     */
    Computed positions(NodeProto n) throws FileFormatException {
        ImportedValue source = nodes.value(n, 0);
        Constant table = source instanceof ImportedValue.FirstRows f ? f.table() : nodes.constant(n, 0);
        if (!(nodes.value(n, 1) instanceof ImportedValue.ShapeOf shape)) throw nodes.refuse(n, "Expand to a shape other than that of a computed tensor");
        Computed x = shape.of();
        if (x.layout() != Layout.PLAIN || x.tensor().shape().rank() != 2) throw nodes.refuse(n, "Expand to the shape of " + NodeImport.describe(x));
        int t = x.tensor().shape().dim(0), width = x.tensor().shape().dim(1);
        int rows = source instanceof ImportedValue.FirstRows f ? f.rows() : (int) table.dims()[0];
        if (table.dims().length != 2 || rows != t || table.dims()[1] != width) {
            throw nodes.refuse(n, "Expand of a " + Arrays.toString(table.dims()) + " constant to a [N, " + t + ", " + width + "] sequence (a [T, D] position table is imported)");
        }
        if (!(source instanceof ImportedValue.FirstRows)) {
            SinePositionEncoding sine = new SinePositionEncoding();
            sine.build(dev.myelin.tensor.Shape.of(t, width), null);
            if (Arrays.equals(table.data(), sine.call(Tensor.zeros(1, t, width), false).toFloatArray())) {
                return new Computed(new SinePositionEncoding().apply(x.tensor()), Layout.PLAIN);
            }
        }
        PositionEmbedding p = new PositionEmbedding((int) table.dims()[0]);
        SymbolicTensor y = p.apply(x.tensor());
        nodes.assignLater(p::embeddings, table.data());
        return new Computed(y, Layout.PLAIN);
    }
}
