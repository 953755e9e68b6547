package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofInt;
import static dev.myelin.onnx.proto.AttributeProto.ofInts;
import static dev.myelin.onnx.proto.AttributeProto.ofString;

import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.UpSampling2D;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** The layers that enlarge images, as ONNX nodes on channels-first images: Conv2DTranspose (ConvTranspose) and UpSampling2D (Resize). */
final class UpsamplingExport {
    private final GraphBuilder g;

    UpsamplingExport(GraphBuilder g) {
        this.g = g;
    }

    /**
     * Conv2DTranspose as ConvTranspose. Keras's kernel {@code [kh, kw, filters, in]} is ONNX's
     * {@code [in, filters, kh, kw]}. ONNX's full output is {@code s·(in − 1) + k} per axis; Keras's sizes
     * follow from {@link #transposePads}.
     */
    Value conv2dTranspose(Conv2DTranspose c, Value in, int[] outShape, String base, LayerExport layout) {
        Value x = layout.channelsFirst(in, base);
        Tensor k = c.kernel().value(); // [kh, kw, out, in]
        int kh = k.shape().dim(0), kw = k.shape().dim(1), co = k.shape().dim(2), ci = k.shape().dim(3);
        float[] hwoi = k.toFloatArray();
        float[] iohw = new float[hwoi.length];
        for (int h = 0; h < kh; h++)
            for (int w = 0; w < kw; w++)
                for (int o = 0; o < co; o++)
                    for (int i = 0; i < ci; i++) iohw[((i * co + o) * kh + h) * kw + w] = hwoi[((h * kw + w) * co + o) * ci + i];
        ConvOptions opt = c.options();
        long[] rows = transposePads(opt.padding(), kh, opt.strideH());
        long[] cols = transposePads(opt.padding(), kw, opt.strideW());
        List<String> inputs = new ArrayList<>(List.of(x.name(), g.floats(base + "/kernel", iohw, ci, co, kh, kw)));
        if (c.useBias()) inputs.add(g.floats(base + "/bias", c.bias().value().toFloatArray(), co));
        String y = g.node("ConvTranspose", base + "/conv_transpose", inputs, ofInts("kernel_shape", kh, kw), ofInts("strides", opt.strideH(), opt.strideW()),
                ofInts("pads", rows[0], cols[0], rows[1], cols[1]), ofInts("output_padding", rows[2], cols[2]), ofInt("group", 1));
        return ActivationExport.apply(g, c.activation(), new Value(y, outShape, true), base);
    }

    /**
     * {@code {padBegin, padEnd, outputPadding}} along one axis with a {@code k}-tap kernel and stride
     * {@code s}, giving Keras's sizes from ONNX's full {@code s·(in − 1) + k}: VALID keeps it all
     * ({@code in·s + max(k − s, 0)}); SAME ({@code in·s}) crops {@code k − s} as TensorFlow, the odd one at the
     * end. A kernel shorter than its stride leaves {@code s − k} zero rows at the end: output padding.
     */
    static long[] transposePads(Padding padding, int k, int s) {
        long outputPadding = Math.max(s - k, 0);
        if (padding == Padding.VALID) return new long[] {0, 0, outputPadding};
        long crop = Math.max(k - s, 0);
        return new long[] {crop / 2, crop - crop / 2, outputPadding};
    }

    /** UpSampling2D as Resize (nearest, {@code asymmetric} coordinates, {@code floor}): {@code y[i, j] = x[i / sizeH, j / sizeW]}. */
    Value upSampling2d(UpSampling2D u, Value in, int[] outShape, String base, LayerExport layout) {
        Value x = layout.channelsFirst(in, base);
        int[] size = u.size();
        String scales = g.floats(base + "/scales", new float[] {1, 1, size[0], size[1]}, 4);
        String y = g.node("Resize", base + "/resize", List.of(x.name(), "", scales), ofString("mode", "nearest"),
                ofString("coordinate_transformation_mode", "asymmetric"), ofString("nearest_mode", "floor"));
        return new Value(y, outShape, true);
    }
}
