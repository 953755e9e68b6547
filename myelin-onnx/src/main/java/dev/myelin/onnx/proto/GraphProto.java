package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;
import java.util.ArrayList;
import java.util.List;

/** ONNX {@code GraphProto}: nodes (in topological order, as the format requires), constant initializers, inputs and outputs. */
public record GraphProto(String name, List<NodeProto> nodes, List<TensorProto> initializers, List<ValueInfoProto> inputs,
                         List<ValueInfoProto> outputs, List<ValueInfoProto> valueInfo) {
    public GraphProto {
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        valueInfo = List.copyOf(valueInfo);
    }

    static GraphProto decode(WireReader r) throws FileFormatException {
        String name = "";
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> initializers = new ArrayList<>();
        List<ValueInfoProto> inputs = new ArrayList<>();
        List<ValueInfoProto> outputs = new ArrayList<>();
        List<ValueInfoProto> valueInfo = new ArrayList<>();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> nodes.add(NodeProto.decode(r.message()));
                case 2 -> name = r.string();
                case 5 -> initializers.add(TensorProto.decode(r.message()));
                case 11 -> inputs.add(ValueInfoProto.decode(r.message()));
                case 12 -> outputs.add(ValueInfoProto.decode(r.message()));
                case 13 -> valueInfo.add(ValueInfoProto.decode(r.message()));
                default -> r.skip();
            }
        }
        return new GraphProto(name, nodes, initializers, inputs, outputs, valueInfo);
    }

    WireWriter encode() {
        WireWriter w = new WireWriter();
        nodes.forEach(n -> w.message(1, n.encode()));
        w.string(2, name);
        initializers.forEach(t -> w.message(5, t.encode()));
        inputs.forEach(v -> w.message(11, v.encode()));
        outputs.forEach(v -> w.message(12, v.encode()));
        valueInfo.forEach(v -> w.message(13, v.encode()));
        return w;
    }
}
