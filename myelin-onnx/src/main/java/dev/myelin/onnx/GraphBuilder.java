package dev.myelin.onnx;

import dev.myelin.onnx.proto.AttributeProto;
import dev.myelin.onnx.proto.NodeProto;
import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.onnx.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects the nodes, initializers, inputs and outputs of the ONNX graph being exported, with unique value names. */
final class GraphBuilder {
    final List<NodeProto> nodes = new ArrayList<>();
    final List<TensorProto> initializers = new ArrayList<>();
    final List<ValueInfoProto> inputs = new ArrayList<>();
    final List<ValueInfoProto> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** A name not used yet, {@code base} or {@code base_1}, {@code base_2}, ... */
    String fresh(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) name = base + "_" + i;
        return name;
    }

    /** Adds a node with one output, named after {@code base}; returns the output's name. */
    String node(String opType, String base, List<String> in, AttributeProto... attributes) {
        String out = fresh(base);
        nodes.add(new NodeProto(fresh(base + "/" + opType), opType, "", in, List.of(out), Arrays.asList(attributes)));
        return out;
    }

    /** Adds a node with several outputs (names given, already fresh). */
    void node(String opType, String base, List<String> in, List<String> out, AttributeProto... attributes) {
        nodes.add(new NodeProto(fresh(base + "/" + opType), opType, "", in, out, Arrays.asList(attributes)));
    }

    /** A float32 initializer; returns its name. */
    String floats(String base, float[] values, long... dims) {
        String name = fresh(base);
        initializers.add(TensorProto.ofFloats(name, dims, values));
        return name;
    }

    /** An int64 initializer (shapes, axes); returns its name. */
    String longs(String base, long... values) {
        String name = fresh(base);
        initializers.add(TensorProto.ofLongs(name, new long[] {values.length}, values));
        return name;
    }

    /** A float32 scalar initializer. */
    String scalar(String base, float value) {
        String name = fresh(base);
        initializers.add(TensorProto.ofFloats(name, new long[0], new float[] {value}));
        return name;
    }
}
