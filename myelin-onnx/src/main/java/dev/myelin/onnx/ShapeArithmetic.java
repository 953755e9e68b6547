package dev.myelin.onnx;

import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates the integer arithmetic on shapes that PyTorch's exporter writes before a {@code Reshape} or a
 * {@code Slice} ({@code Shape}, {@code Gather}, {@code Slice}, {@code Unsqueeze}, {@code Squeeze}, {@code Concat},
 * {@code Add}, {@code Sub}, {@code Mul}, {@code Div}, {@code Cast}, {@code Constant}), for given shapes of the tensors whose
 * {@code Shape} it reads. A pattern evaluates it under two sets of sizes (batch, sequence) to learn what the
 * arithmetic computes for every size, without importing operators that have no Myelin layer. Every node it
 * evaluated is listed, so the pattern can skip them with the rest of its nodes.
 *
 * <p>Values are int64 vectors; a scalar is a vector of one. Anything else (another operator, a shape not
 * given, a division by zero) makes the result null.
 */
final class ShapeArithmetic {
    private final GraphQuery graph;
    private final Map<String, long[]> shapes;
    private final Map<String, long[]> cache = new HashMap<>();
    private final Set<NodeProto> visited = new LinkedHashSet<>();

    /** {@code shapes}: the shape each named tensor has for this evaluation. */
    ShapeArithmetic(GraphQuery graph, Map<String, long[]> shapes) {
        this.graph = graph;
        this.shapes = shapes;
    }

    /** The nodes evaluated so far. */
    Set<NodeProto> nodes() {
        return visited;
    }

    /** The integer value of {@code name}, or null when it is not shape arithmetic over the given shapes. */
    long[] eval(String name) {
        if (cache.containsKey(name)) return cache.get(name);
        long[] v = compute(name);
        cache.put(name, v);
        return v;
    }

    private long[] compute(String name) {
        NodeProto n = graph.producer(name);
        if (n == null || n.opType().equals("Constant") || n.opType().equals("Identity")) {
            Constant c = graph.constant(name);
            if (c == null) return null;
            if (n != null) visited.add(n);
            long[] v = new long[c.data().length];
            for (int i = 0; i < v.length; i++) v[i] = (long) c.data()[i]; // int64 bounds (INT64_MAX) saturate
            return v;
        }
        visited.add(n);
        List<String> in = n.inputs();
        return switch (n.opType()) {
            case "Shape" -> shapes.get(in.getFirst()) == null ? null : shapes.get(in.getFirst()).clone();
            case "Cast" -> eval(in.getFirst());
            case "Unsqueeze", "Squeeze" -> { // scalar <-> vector of one: the same values here
                if (in.size() > 1) eval(in.get(1)); // its axes (opset 13), so that the pattern skips their Constant too
                yield eval(in.getFirst());
            }
            case "Gather" -> gather(n);
            case "Slice" -> slice(in);
            case "Concat" -> concat(in);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n.opType(), eval(in.get(0)), eval(in.get(1)));
            default -> null;
        };
    }

    private long[] gather(NodeProto n) {
        if (NodeImport.intAttr(n, "axis", 0) != 0) return null;
        long[] data = eval(n.inputs().get(0)), index = eval(n.inputs().get(1));
        if (data == null || index == null) return null;
        long[] out = new long[index.length];
        for (int i = 0; i < index.length; i++) {
            long k = index[i] < 0 ? index[i] + data.length : index[i];
            if (k < 0 || k >= data.length) return null;
            out[i] = data[(int) k];
        }
        return out;
    }

    /** {@code Slice} of a vector (axis 0, step 1): PyTorch takes {@code shape[-1:]} that way. */
    private long[] slice(List<String> in) {
        if (in.size() < 3) return null;
        long[] data = eval(in.get(0)), starts = eval(in.get(1)), ends = eval(in.get(2));
        long[] axes = in.size() > 3 && !in.get(3).isEmpty() ? eval(in.get(3)) : new long[] {0};
        long[] steps = in.size() > 4 && !in.get(4).isEmpty() ? eval(in.get(4)) : new long[] {1};
        if (data == null || starts == null || ends == null || axes == null || steps == null) return null;
        if (starts.length != 1 || ends.length != 1 || axes.length != 1 || (axes[0] != 0 && axes[0] != -1) || steps.length != 1 || steps[0] != 1) return null;
        int size = data.length;
        long lo = Math.clamp(starts[0] < 0 ? starts[0] + size : starts[0], 0, size), hi = Math.clamp(ends[0] < 0 ? ends[0] + size : ends[0], 0, size);
        return hi > lo ? java.util.Arrays.copyOfRange(data, (int) lo, (int) hi) : new long[0];
    }

    private long[] concat(List<String> inputs) {
        List<long[]> parts = new ArrayList<>();
        int length = 0;
        for (String s : inputs) {
            long[] p = eval(s);
            if (p == null) return null;
            parts.add(p);
            length += p.length;
        }
        long[] out = new long[length];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static long[] arithmetic(String op, long[] a, long[] b) {
        if (a == null || b == null || (a.length != b.length && a.length != 1 && b.length != 1)) return null;
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < out.length; i++) {
            long x = a[a.length == 1 ? 0 : i], y = b[b.length == 1 ? 0 : i];
            switch (op) {
                case "Add" -> out[i] = x + y;
                case "Sub" -> out[i] = x - y;
                case "Mul" -> out[i] = x * y;
                default -> {
                    if (y == 0) return null;
                    out[i] = x / y; // truncated, as ONNX divides integers
                }
            }
        }
        return out;
    }
}
