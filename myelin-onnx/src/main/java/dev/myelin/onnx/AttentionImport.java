package dev.myelin.onnx;

import dev.myelin.io.FileFormatException;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.onnx.ImportedValue.Computed;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.ImportedValue.Layout;
import dev.myelin.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recognises multi-head attention written as {@link OnnxExport} writes it and reads it back as one
 * {@link MultiHeadAttention} layer. Before the nodes are imported, each Softmax is matched against
 *
 * <pre>
 *   P(x, W, b, s, d, perm) = Transpose_perm(Reshape_[-1, s, H, d](MatMul(x, W) [+ b]))
 *   scores  = MatMul(Mul(P(query, Wq, bq, T, kd, [0,2,1,3]), 1/sqrt(kd)), P(key, Wk, bk, S, kd, [0,2,3,1]))
 *   output  = MatMul(Reshape_[-1, T, H·vd](Transpose_[0,2,1,3](MatMul(Softmax(scores), P(value, Wv, bv, S, vd, [0,2,1,3])))), Wo) [+ bo]
 * </pre>
 *
 * with every intermediate value read by the pattern alone and the weights constant; the matched nodes are
 * then skipped and the last one defines the layer's output. A mask between the scores and the Softmax,
 * {@code Where(keep, scores, −1e9)} as the exporter writes it, is read back as the call's masks:
 *
 * <pre>
 *   keep = lower triangle                      use_causal_mask
 *        | explicit                            attention_mask
 *        | And(explicit, lower triangle)       both (either order)
 *   explicit = [Unsqueeze_axis1](Greater(mask, 0.5) | boolMask)
 * </pre>
 *
 * where {@code mask} is a float tensor Myelin computes (a graph input {@code [N, T or 1, S]}, then unsqueezed to
 * one mask for every head, or {@code [N, H or 1, T or 1, S]}) and {@code boolMask} a graph input of type bool
 * (read as 0/1 floats, {@link Layout#MASK}). The mask becomes {@code mha.apply(q, v, k, mask, causal)}: Myelin's
 * masks attend where the value is above 0.5, as the Greater does (another threshold is not matched). A query
 * whose keys are all masked attends uniformly to all of them, as with the −1e9 fill Keras and the exporter write
 * (a −inf fill would give NaN there). PyTorch's {@code nn.MultiheadAttention} (packed projections, shape
 * arithmetic, time-major heads) is matched by {@link TorchAttentionPattern} into the same layer. Anything else
 * (another mask, another scale) is left to the node-by-node import, which refuses what it cannot read, naming
 * the node.
 */
final class AttentionImport {
    /**
     * One matched attention: its nodes, its last node, its inputs and its weights ({@code [rows, cols]} each; biases null
     * when absent); {@code inputs} is the layout its inputs must have once imported (null: a form Myelin cannot hold).
     */
    record Match(Set<NodeProto> nodes, NodeProto last, String query, String key, String value, int heads, int keyDim, int valueDim,
                 float[][] kernels, float[][] biases, boolean causal, String mask, boolean maskPerHead, Layout inputs) {}

    /** The masks of a {@code Where(keep, scores, fill)}: causal or not, and the explicit mask's value (null for none). */
    private record Masks(List<NodeProto> nodes, boolean causal, String mask, boolean perHead) {}

    /** An explicit mask's nodes (Unsqueeze, Greater; none for a bool input), the value they read and whether it is per head (not unsqueezed). */
    private record Explicit(List<NodeProto> nodes, String mask, boolean perHead) {}

    /** A projection {@code Transpose(Reshape(MatMul(x, W) [+ b]))}: its input, weight, bias and head width. */
    private record Projection(String input, float[] kernel, float[] bias, int heads, int dim, List<NodeProto> nodes) {}

    private final GraphQuery graph;
    private final Map<String, ImportedValue> values;
    private final Set<NodeProto> skipped = new HashSet<>();
    private final Map<NodeProto, Match> byLast = new HashMap<>();

    AttentionImport(List<NodeProto> order, Map<String, List<NodeProto>> readers, Map<String, ImportedValue> values) {
        this.graph = new GraphQuery(order, readers, values);
        this.values = values;
        TorchAttentionPattern torch = new TorchAttentionPattern(graph);
        for (NodeProto n : order) {
            if (!n.opType().equals("Softmax")) continue;
            Match m = match(n);
            if (m == null) m = torch.match(n);
            if (m == null) continue;
            byLast.put(m.last(), m);
            for (NodeProto p : m.nodes()) if (p != m.last()) skipped.add(p);
        }
    }

    /** Whether {@code n} is inside a matched attention (its work is done by the layer the last node defines). */
    boolean skips(NodeProto n) {
        return skipped.contains(n);
    }

    /** Whether {@code n} ends a matched attention. */
    boolean ends(NodeProto n) {
        return byLast.containsKey(n);
    }

    /** The MultiHeadAttention layer for the attention that {@code n} ends, applied to its query, value and key. */
    Computed layer(NodeProto n, NodeImport nodes) throws FileFormatException {
        Match m = byLast.get(n);
        Computed q = nodes.computedValue(n, m.query()), k = nodes.computedValue(n, m.key()), v = nodes.computedValue(n, m.value());
        for (Computed c : List.of(q, k, v)) {
            if (m.inputs() == Layout.TIME_MAJOR && c.layout() != Layout.TIME_MAJOR) {
                throw nodes.refuse(n, "PyTorch's MultiheadAttention over " + NodeImport.describe(c) + "; Myelin imports it exported with batch_first=True"
                        + " ([N, T, D] graph inputs, which the exporter transposes to [T, N, D])");
            }
            if (m.inputs() == null) {
                throw nodes.refuse(n, "PyTorch's MultiheadAttention with batch_first=False ([T, N, D] graph inputs and output); Myelin imports it"
                        + " exported with batch_first=True");
            }
            if (c.layout() != m.inputs() || c.tensor().shape().rank() != 2) {
                throw nodes.refuse(n, "attention over " + NodeImport.describe(c) + " (channels-last sequences [N, T, D] are imported)");
            }
        }
        boolean bias = m.biases()[0] != null;
        for (float[] b : m.biases()) if ((b != null) != bias) throw nodes.refuse(n, "attention with biases on some projections only (MultiHeadAttention has all or none)");
        int out = m.kernels()[3].length / (m.heads() * m.valueDim());
        MultiHeadAttention mha = new MultiHeadAttention(m.heads(), m.keyDim()).valueDim(m.valueDim()).outputShape(out).useBias(bias);
        SymbolicTensor mask = m.mask() == null ? null : mask(n, m, nodes);
        SymbolicTensor y = mha.apply(q.tensor(), v.tensor(), m.key().equals(m.value()) ? null : k.tensor(), mask, m.causal());
        String[] names = {"query", "key", "value", "attention_output"};
        for (int i = 0; i < 4; i++) {
            String name = names[i];
            nodes.assignLater(() -> weight(mha, name + "/kernel"), m.kernels()[i]);
            if (bias) nodes.assignLater(() -> weight(mha, name + "/bias"), m.biases()[i]);
        }
        return new Computed(y, Layout.PLAIN);
    }

    /**
     * The explicit mask's Myelin tensor: {@code [T or 1, S]} when the graph unsqueezed it for the heads, else
     * {@code [H or 1, T or 1, S]} (MultiHeadAttention checks the sizes against the query and the keys).
     */
    private SymbolicTensor mask(NodeProto n, Match m, NodeImport nodes) throws FileFormatException {
        if (graph.constant(m.mask()) != null) {
            throw nodes.refuse(n, "an attention mask '" + m.mask() + "' that is a constant (a mask given as a graph input, or computed from one, is imported)");
        }
        Computed c = nodes.computedValue(n, m.mask());
        int rank = m.maskPerHead() ? 3 : 2;
        if ((c.layout() != Layout.PLAIN && c.layout() != Layout.MASK) || c.tensor().shape().rank() != rank) {
            throw nodes.refuse(n, "an attention mask '" + m.mask() + "' of " + NodeImport.describe(c) + (m.maskPerHead()
                    ? "; a mask that reaches the scores without an Unsqueeze must be [N, heads or 1, T or 1, S]"
                    : "; a mask unsqueezed at axis 1 for the heads must be [N, T or 1, S]"));
        }
        return c.tensor();
    }

    private static Parameter weight(MultiHeadAttention mha, String shortName) {
        for (Parameter p : mha.weights()) if (p.shortName().equals(shortName)) return p;
        throw new IllegalStateException("MultiHeadAttention has no weight " + shortName);
    }

    // ---- matching; null when the pattern does not hold ----

    private Match match(NodeProto softmax) {
        if (NodeImport.intAttr(softmax, "axis", -1) != -1 && NodeImport.intAttr(softmax, "axis", -1) != 3) return null;
        List<NodeProto> nodes = new ArrayList<>(List.of(softmax));
        String scoresName = softmax.inputs().getFirst();
        NodeProto where = graph.onlyProducer(scoresName, "Where");
        Masks masks = new Masks(List.of(), false, null, false);
        if (where != null) { // Where(keep, scores, large negative): the causal mask, an explicit one, or both
            masks = masks(where);
            if (masks == null) return null;
            nodes.addAll(masks.nodes());
            scoresName = where.inputs().get(1);
        }
        NodeProto scores = graph.onlyProducer(scoresName, "MatMul");
        if (scores == null) return null;
        nodes.add(scores);
        NodeProto scaled = graph.onlyProducer(scores.inputs().getFirst(), "Mul");
        if (scaled == null) return null;
        nodes.add(scaled);
        float[] scale = graph.constantData(scaled.inputs().get(1));
        Projection q = projection(scaled.inputs().getFirst(), 0, 2, 1, 3);
        Projection k = projection(scores.inputs().get(1), 0, 2, 3, 1);
        if (scale == null || scale.length != 1 || q == null || k == null || q.heads() != k.heads() || q.dim() != k.dim()) return null;
        if (Math.abs(scale[0] * Math.sqrt(q.dim()) - 1) > 1e-6) return null; // Myelin's attention scales by 1/sqrt(key_dim)
        NodeProto attended = graph.onlyReader(softmax.outputs().getFirst(), "MatMul");
        if (attended == null || !attended.inputs().getFirst().equals(softmax.outputs().getFirst())) return null;
        nodes.add(attended);
        Projection v = projection(attended.inputs().get(1), 0, 2, 1, 3);
        if (v == null || v.heads() != q.heads()) return null;
        NodeProto merged = graph.onlyReader(attended.outputs().getFirst(), "Transpose");
        if (merged == null || !Arrays.equals(NodeImport.intsAttr(merged, "perm"), new long[] {0, 2, 1, 3})) return null;
        nodes.add(merged);
        NodeProto flat = graph.onlyReader(merged.outputs().getFirst(), "Reshape");
        if (flat == null) return null;
        float[] flatShape = graph.constantData(flat.inputs().get(1));
        if (flatShape == null || flatShape.length != 3 || flatShape[0] != -1 || flatShape[2] != (float) v.heads() * v.dim()) return null;
        nodes.add(flat);
        Projection o = outputProjection(flat.outputs().getFirst(), v.heads() * v.dim());
        if (o == null) return null;
        nodes.addAll(o.nodes());
        nodes.addAll(q.nodes());
        nodes.addAll(k.nodes());
        nodes.addAll(v.nodes());
        NodeProto last = o.nodes().getLast();
        return new Match(new HashSet<>(nodes), last, q.input(), k.input(), v.input(), q.heads(), q.dim(), v.dim(),
                new float[][] {q.kernel(), k.kernel(), v.kernel(), o.kernel()}, new float[][] {q.bias(), k.bias(), v.bias(), o.bias()}, masks.causal(), masks.mask(), masks.perHead(),
                Layout.PLAIN);
    }

    /**
     * The masks of {@code Where(keep, scores, fill)}, its {@code fill} a constant of −1e4 or less (Keras's −1e9,
     * or −inf), its {@code keep} the causal lower triangle, an explicit mask, or the And of both; null otherwise.
     */
    private Masks masks(NodeProto where) {
        if (where.inputs().size() != 3) return null;
        float[] fill = graph.constantData(where.inputs().get(2));
        if (fill == null || fill.length != 1 || !(fill[0] <= -1e4f)) return null;
        List<NodeProto> nodes = new ArrayList<>(List.of(where));
        String keep = where.inputs().getFirst();
        List<NodeProto> triangle = causalMask(keep);
        if (triangle != null) {
            nodes.addAll(triangle);
            return new Masks(nodes, true, null, false);
        }
        NodeProto and = graph.onlyProducer(keep, "And");
        if (and != null && and.inputs().size() == 2) {
            for (int i = 0; i < 2; i++) {
                triangle = causalMask(and.inputs().get(i));
                Explicit e = triangle == null ? null : explicitMask(and.inputs().get(1 - i));
                if (e == null) continue;
                nodes.add(and);
                nodes.addAll(triangle);
                nodes.addAll(e.nodes());
                return new Masks(nodes, true, e.mask(), e.perHead());
            }
            return null;
        }
        Explicit e = explicitMask(keep);
        if (e == null) return null;
        nodes.addAll(e.nodes());
        return new Masks(nodes, false, e.mask(), e.perHead());
    }

    /**
     * The nodes computing {@code keep} when it is the causal mask: a constant {@code [t, s]} lower triangle
     * (1 where key j ≤ query i), directly or through a Cast; null otherwise.
     */
    private List<NodeProto> causalMask(String keep) {
        List<NodeProto> nodes = new ArrayList<>();
        NodeProto cast = graph.onlyProducer(keep, "Cast");
        if (cast != null) {
            nodes.add(cast);
            keep = cast.inputs().getFirst();
        }
        if (!(graph.constant(keep) instanceof Constant c) || c.dims().length < 2) return null;
        long[] dims = c.dims();
        for (int i = 0; i < dims.length - 2; i++) if (dims[i] != 1) return null;
        int t = (int) dims[dims.length - 2], n = (int) dims[dims.length - 1];
        float[] keepData = c.data();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < n; j++) if ((keepData[i * n + j] != 0) != (j <= i)) return null;
        }
        return nodes;
    }

    /**
     * {@code keep} as an explicit attention mask: {@code Greater(mask, 0.5)} or a bool graph input, optionally
     * {@code Unsqueeze}d at axis 1 (one mask for every head); null otherwise. Whether the mask is a tensor
     * Myelin computes, of a fitting shape, is checked when the layer is made, so that a mismatch is refused
     * with a message rather than left to the node-by-node import.
     */
    private Explicit explicitMask(String keep) {
        List<NodeProto> nodes = new ArrayList<>();
        NodeProto unsqueeze = graph.onlyProducer(keep, "Unsqueeze");
        if (unsqueeze != null) {
            long[] axes = NodeImport.intsAttr(unsqueeze, "axes"); // opset 11's attribute; an input from opset 13
            if (axes == null && unsqueeze.inputs().size() == 2 && graph.constantData(unsqueeze.inputs().get(1)) instanceof float[] a) {
                axes = new long[a.length];
                for (int i = 0; i < a.length; i++) axes[i] = (long) a[i];
            }
            if (axes == null || axes.length != 1 || (axes[0] != 1 && axes[0] != -3)) return null; // [N, T, S] -> [N, 1, T, S]
            nodes.add(unsqueeze);
            keep = unsqueeze.inputs().getFirst();
        }
        NodeProto greater = graph.onlyProducer(keep, "Greater");
        if (greater != null) {
            float[] half = greater.inputs().size() == 2 ? graph.constantData(greater.inputs().get(1)) : null;
            if (half == null || half.length != 1 || half[0] != 0.5f) return null; // Myelin's masks attend above 0.5
            nodes.add(greater);
            return new Explicit(nodes, greater.inputs().getFirst(), unsqueeze == null);
        }
        if (values.get(keep) instanceof Computed c && c.layout() == Layout.MASK) return new Explicit(nodes, keep, unsqueeze == null);
        return null;
    }

    /** {@code Transpose_perm(Reshape_[-1, s, H, d](MatMul(x, W) [+ b]))} ending at {@code name}. */
    private Projection projection(String name, long... perm) {
        NodeProto heads = graph.onlyProducer(name, "Transpose");
        if (heads == null || !Arrays.equals(NodeImport.intsAttr(heads, "perm"), perm)) return null;
        NodeProto split = graph.onlyProducer(heads.inputs().getFirst(), "Reshape");
        if (split == null) return null;
        float[] shape = graph.constantData(split.inputs().get(1));
        if (shape == null || shape.length != 4 || shape[0] != -1 || shape[2] < 1 || shape[3] < 1) return null;
        int h = (int) shape[2], d = (int) shape[3];
        List<NodeProto> nodes = new ArrayList<>(List.of(heads, split));
        String projected = split.inputs().getFirst();
        float[] bias = null;
        NodeProto add = graph.onlyProducer(projected, "Add");
        if (add != null) {
            bias = graph.constantData(add.inputs().get(1));
            if (bias == null || bias.length != h * d) return null;
            nodes.add(add);
            projected = add.inputs().getFirst();
        }
        NodeProto matmul = graph.onlyProducer(projected, "MatMul");
        if (matmul == null || !(graph.constant(matmul.inputs().get(1)) instanceof Constant w) || w.dims().length != 2 || w.dims()[1] != (long) h * d) return null;
        nodes.add(matmul);
        return new Projection(matmul.inputs().getFirst(), w.data(), bias, h, d, nodes);
    }

    /** {@code MatMul(flat, Wo) [+ bo]} reading {@code name}; its nodes end with the last one. */
    private Projection outputProjection(String name, int rows) {
        NodeProto matmul = graph.onlyReader(name, "MatMul");
        if (matmul == null || !matmul.inputs().getFirst().equals(name) || !(graph.constant(matmul.inputs().get(1)) instanceof Constant w)
                || w.dims().length != 2 || w.dims()[0] != rows) {
            return null;
        }
        List<NodeProto> nodes = new ArrayList<>(List.of(matmul));
        float[] bias = null;
        NodeProto add = graph.onlyReader(matmul.outputs().getFirst(), "Add");
        if (add != null && add.inputs().getFirst().equals(matmul.outputs().getFirst())) {
            float[] b = graph.constantData(add.inputs().get(1));
            if (b != null && b.length == w.dims()[1]) {
                bias = b;
                nodes.add(add);
            }
        }
        return new Projection(name, w.data(), bias, 0, 0, nodes);
    }
}
