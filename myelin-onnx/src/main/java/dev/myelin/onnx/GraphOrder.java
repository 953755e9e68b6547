package dev.myelin.onnx;

import dev.myelin.io.FileFormatException;
import dev.myelin.onnx.proto.GraphProto;
import dev.myelin.onnx.proto.NodeProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes of an imported graph in an order that computes every value before its use (Kahn's algorithm;
 * ONNX requires files to be sorted, but a damaged file need not be), restricted to the nodes the outputs
 * need. A value defined twice, a value used but never defined, and a cycle are refused by name.
 *
 * <p>The inputs of {@code ConstantOfShape} are not followed: the importer only needs to know that such a
 * node makes zeros (PyTorch computes the zero initial states of its recurrent layers from the batch size
 * through {@code Shape}, {@code Gather}, {@code Unsqueeze} and {@code Concat}, operators with no Myelin
 * layer), so that shape arithmetic is never imported.
 */
final class GraphOrder {
    private GraphOrder() {}

    static List<NodeProto> neededInOrder(GraphProto graph, Set<String> defined, String source) throws FileFormatException {
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : graph.nodes()) {
            for (String out : n.outputs()) {
                if (out.isEmpty()) continue;
                if (defined.contains(out) || producer.putIfAbsent(out, n) != null) {
                    throw new FileFormatException(source + ": value '" + out + "' is defined twice (node " + describe(n) + ")");
                }
            }
        }
        // the nodes the graph outputs depend on
        Set<NodeProto> needed = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        graph.outputs().forEach(o -> todo.add(o.name()));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (v.isEmpty() || defined.contains(v)) continue;
            NodeProto n = producer.get(v);
            if (n == null) throw new FileFormatException(source + ": value '" + v + "' is used but no node, input or initializer defines it");
            if (!needed.add(n)) continue;
            if (!n.opType().equals("ConstantOfShape")) todo.addAll(n.inputs());
        }
        // Kahn's algorithm over the needed nodes, in file order where free
        Map<NodeProto, Integer> waiting = new HashMap<>();
        Map<String, List<NodeProto>> users = new HashMap<>();
        List<NodeProto> ready = new ArrayList<>();
        for (NodeProto n : graph.nodes()) {
            if (!needed.contains(n)) continue;
            int count = 0;
            if (!n.opType().equals("ConstantOfShape")) {
                for (String in : n.inputs()) {
                    if (in.isEmpty() || defined.contains(in)) continue;
                    count++;
                    users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            waiting.put(n, count);
            if (count == 0) ready.add(n);
        }
        List<NodeProto> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            NodeProto n = ready.removeFirst();
            order.add(n);
            for (String out : n.outputs()) {
                for (NodeProto user : users.getOrDefault(out, List.of())) {
                    int left = waiting.merge(user, -1, Integer::sum);
                    if (left == 0) ready.add(user);
                }
            }
        }
        if (order.size() < needed.size()) {
            List<String> stuck = graph.nodes().stream().filter(n -> needed.contains(n) && !order.contains(n)).limit(5).map(GraphOrder::describe).toList();
            throw new FileFormatException(source + ": the graph has a cycle; nodes that wait on each other: " + stuck);
        }
        return order;
    }

    static String describe(NodeProto n) {
        String name = n.name().isEmpty() ? String.join(",", n.outputs().stream().filter(o -> !o.isEmpty()).toList()) : n.name();
        return "'" + name + "' (" + n.opType() + ")";
    }
}
