package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofInt;
import static dev.myelin.onnx.proto.AttributeProto.ofInts;

import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Layers of channels-last sequences ({@code [N, T, F]}) as ONNX nodes: Conv1D (ONNX's 1-D Conv between two
 * Transposes, as ONNX convolves {@code [N, C, T]}), the global 1-D poolings (ReduceMean / ReduceMax over
 * time) and Masking (the zeroing it does; the mask it attaches is marked on the {@link Value}).
 */
final class SequenceExport {
    private final GraphBuilder g;

    SequenceExport(GraphBuilder g) {
        this.g = g;
    }

    /**
     * Conv1D: kernel {@code [k, in, out]} stored as ONNX's {@code [out, in, k]}; pads {@code [begin, end]}:
     * none for VALID, Keras's SAME split (the odd position at the end), {@code dilation·(k − 1)} at the
     * start for CAUSAL. The activation runs channels-last, after the Transpose back.
     */
    Value conv1d(Conv1D c, Value x, int[] outShape, String base) {
        Tensor k = c.kernel().value(); // [k, in, out]
        int taps = k.shape().dim(0), ci = k.shape().dim(1), co = k.shape().dim(2);
        float[] kio = k.toFloatArray();
        float[] oik = new float[kio.length];
        for (int t = 0; t < taps; t++)
            for (int i = 0; i < ci; i++)
                for (int o = 0; o < co; o++) oik[(o * ci + i) * taps + t] = kio[(t * ci + i) * co + o];
        int window = c.dilation() * (taps - 1) + 1;
        long[] pads = switch (c.padding()) {
            case VALID -> new long[] {0, 0};
            case CAUSAL -> new long[] {window - 1, 0};
            case SAME -> {
                long total = Math.max((long) (outShape[0] - 1) * c.strides() + window - x.shape()[0], 0);
                yield new long[] {total / 2, total - total / 2};
            }
        };
        String ncT = g.node("Transpose", base + "/to_nct", List.of(x.name()), ofInts("perm", 0, 2, 1));
        List<String> inputs = new ArrayList<>(List.of(ncT, g.floats(base + "/kernel", oik, co, ci, taps)));
        if (c.useBias()) inputs.add(g.floats(base + "/bias", c.bias().value().toFloatArray(), co));
        String y = g.node("Conv", base + "/conv", inputs, ofInts("kernel_shape", taps), ofInts("strides", c.strides()),
                ofInts("dilations", c.dilation()), ofInts("pads", pads), ofInt("group", 1));
        String ntc = g.node("Transpose", base + "/to_ntc", List.of(y), ofInts("perm", 0, 2, 1));
        return ActivationExport.apply(g, c.activation(), new Value(ntc, outShape, false), base);
    }

    /** GlobalAveragePooling1D / GlobalMaxPooling1D: the mean or maximum over time (axis 1). */
    Value globalPool1d(boolean average, boolean keepDims, Value x, int[] outShape, String base) {
        String y = g.node(average ? "ReduceMean" : "ReduceMax", base + "/pool", List.of(x.name()), ofInts("axes", 1), ofInt("keepdims", keepDims ? 1 : 0));
        return new Value(y, outShape, false);
    }

    /**
     * Masking: {@code x · max_f(x[:, :, f] ≠ maskValue)}, the steps whose features all equal the mask value
     * zeroed. The mask itself cannot travel with an ONNX tensor; the value is marked so that a layer that
     * would apply it is refused.
     */
    Value masking(Masking m, Value x, String base) {
        String value = g.scalar(base + "/mask_value", (float) m.config().maskValue());
        String equal = g.node("Equal", base + "/equal", List.of(x.name(), value));
        String differs = g.node("Not", base + "/differs", List.of(equal));
        String asFloat = g.node("Cast", base + "/as_float", List.of(differs), ofInt("to", TensorProto.FLOAT));
        String keep = g.node("ReduceMax", base + "/keep", List.of(asFloat), ofInts("axes", 2), ofInt("keepdims", 1));
        return new Value(g.node("Mul", base + "/masked", List.of(x.name(), keep)), x.shape(), false, true);
    }
}
