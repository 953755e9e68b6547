package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofInt;

import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.TimeDistributed;
import java.util.Arrays;
import java.util.List;

/** The layers that wrap another: TimeDistributed (time folded into the batch) and Bidirectional (two recurrent nodes merged). */
final class WrapperExport {
    private final GraphBuilder g;
    private final LayerExport layers;

    WrapperExport(GraphBuilder g, LayerExport layers) {
        this.g = g;
        this.layers = layers;
    }

    /**
     * TimeDistributed: {@code [N, T, ...]} reshaped to {@code [N·T, ...]}, the wrapped layer exported on
     * that, and the result reshaped to {@code [N, T, ...out]}, as Myelin computes it.
     */
    Value timeDistributed(TimeDistributed t, Value in, int[] outShape, String base) {
        Value x = layers.channelsLast(in);
        int steps = x.shape()[0];
        int[] stepShape = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
        String folded = g.node("Reshape", base + "/fold_time", List.of(x.name(), g.longs(base + "/folded_shape", batchFirst(stepShape))));
        int[] stepOut = Arrays.copyOfRange(outShape, 1, outShape.length);
        Value y = layers.channelsLast(layers.export(t.layer(), List.of(new Value(folded, stepShape, false)), stepOut));
        long[] unfolded = new long[outShape.length + 1];
        unfolded[0] = -1;
        unfolded[1] = steps;
        for (int i = 0; i < stepOut.length; i++) unfolded[i + 2] = stepOut[i];
        return new Value(g.node("Reshape", base + "/unfold_time", List.of(y.name(), g.longs(base + "/unfolded_shape", unfolded))), outShape, false);
    }

    private static long[] batchFirst(int[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = -1;
        for (int i = 0; i < shape.length; i++) s[i + 1] = shape[i];
        return s;
    }

    /**
     * Bidirectional: the forward and the backward layer as two ONNX recurrent nodes (the backward one with
     * {@code direction=reverse}, whose sequence output is already in input order, as Bidirectional reverses
     * it back to), merged by Concat on the last axis, Add, Mul, or Add then Mul by 0.5 (Keras's {@code ave}).
     */
    Value bidirectional(Bidirectional b, Value in, int[] outShape, String base) {
        RecurrentLayer<?> f = b.forwardLayer(), r = b.backwardLayer();
        if (f.goBackwards()) throw LayerExport.refuse(b, "a wrapped layer with go_backwards=True (its 'forward' direction runs backwards), which is not exported");
        Value x = layers.channelsLast(in);
        int[] single = outShape.clone();
        single[single.length - 1] = f.units();
        RecurrentExport recurrent = new RecurrentExport(g);
        String fo = recurrent.export(f, x, single, f.name(), false).name();
        String bo = recurrent.export(r, x, single, r.name(), true).name();
        String y = switch (b.config().merge()) {
            case CONCAT -> g.node("Concat", base + "/concat", List.of(fo, bo), ofInt("axis", -1));
            case SUM -> g.node("Add", base + "/sum", List.of(fo, bo));
            case MUL -> g.node("Mul", base + "/mul", List.of(fo, bo));
            case AVE -> g.node("Mul", base + "/ave", List.of(g.node("Add", base + "/sum", List.of(fo, bo)), g.scalar(base + "/half", 0.5f)));
        };
        return new Value(y, outShape, false);
    }
}
