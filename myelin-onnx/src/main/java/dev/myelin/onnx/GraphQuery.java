package dev.myelin.onnx;

import dev.myelin.io.FileFormatException;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.proto.AttributeProto;
import dev.myelin.onnx.proto.NodeProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Questions a pattern matcher asks about the graph before any node is imported: which node computes a value,
 * which nodes read it, and whether it is a constant. A constant is an initializer, a {@code Constant} node, or
 * either seen through {@code Identity} nodes (PyTorch's exporter writes one initializer for equal weights, such
 * as two zero biases, and an Identity for each other use).
 */
final class GraphQuery {
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> readers;
    private final Map<String, ImportedValue> values;

    GraphQuery(List<NodeProto> order, Map<String, List<NodeProto>> readers, Map<String, ImportedValue> values) {
        this.readers = readers;
        this.values = values;
        for (NodeProto n : order) for (String out : n.outputs()) producers.put(out, n);
    }

    /** The node computing {@code name}, or null for a graph input or initializer. */
    NodeProto producer(String name) {
        return producers.get(name);
    }

    /** The nodes that read {@code name}. */
    List<NodeProto> readers(String name) {
        return readers.getOrDefault(name, List.of());
    }

    /** What the import knows of {@code name} before any node runs: graph inputs and initializers. */
    ImportedValue value(String name) {
        return values.get(name);
    }

    /** The node of type {@code op} computing {@code name}, when {@code name} is read by one node only. */
    NodeProto onlyProducer(String name, String op) {
        NodeProto p = producers.get(name);
        if (p == null || !p.opType().equals(op) || p.outputs().size() != 1 || readers(name).size() != 1) return null;
        return p;
    }

    /** The one node reading {@code name}, when it is of type {@code op}. */
    NodeProto onlyReader(String name, String op) {
        List<NodeProto> r = readers(name);
        return r.size() == 1 && r.getFirst().opType().equals(op) ? r.getFirst() : null;
    }

    /** {@code name} as a constant (through Identity nodes), or null when it is computed. */
    Constant constant(String name) {
        for (int hops = 0; hops < 16; hops++) {
            if (values.get(name) instanceof Constant c) return c;
            NodeProto p = producers.get(name);
            if (p == null) return null;
            if (p.opType().equals("Constant")) {
                try {
                    return constantNode(p);
                } catch (FileFormatException e) {
                    return null; // a damaged tensor: the node-by-node import refuses it with the reason
                }
            }
            if (!p.opType().equals("Identity") || p.inputs().isEmpty()) return null;
            name = p.inputs().getFirst();
        }
        return null;
    }

    /** The elements of {@code name} when it is a constant, else null. */
    float[] constantData(String name) {
        Constant c = constant(name);
        return c == null ? null : c.data();
    }

    /** The value of a {@code Constant} node (a tensor, float, int or ints attribute), or null for any other form. */
    static Constant constantNode(NodeProto n) throws FileFormatException {
        AttributeProto a = n.attribute("value");
        if (a != null && a.t() != null) return new Constant(a.t().floats(), a.t().dims());
        a = n.attribute("value_float");
        if (a != null) return new Constant(new float[] {a.f()}, new long[0]);
        a = n.attribute("value_int");
        if (a != null) return new Constant(new float[] {a.i()}, new long[0]);
        a = n.attribute("value_ints");
        if (a != null) {
            float[] f = new float[a.ints().length];
            for (int i = 0; i < f.length; i++) f[i] = a.ints()[i];
            return new Constant(f, new long[] {f.length});
        }
        return null;
    }
}
