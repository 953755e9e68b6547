package dev.myelin.onnx;

import dev.myelin.onnx.AttentionImport.Match;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.ImportedValue.Layout;
import dev.myelin.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PyTorch's {@code nn.MultiheadAttention} as {@code torch.onnx.export} writes it (PyTorch 1.13, opsets 14 to 17;
 * {@code TransformerEncoderLayer} and {@code TransformerDecoderLayer} call it), matched at its Softmax:
 *
 * <pre>
 *   xt      = Transpose_[1,0,2](x)                            batch_first: [N, T, D] -> [T, N, D]
 *   P       = MatMul(xt, W) [+ b]                             one packed [D, 3E] projection, or one per input
 *   q, k, v = Slice_[lo, hi) on the last axis (P)             or P itself
 *   heads_z = Reshape_[T or S, N·H, E/H](z), then Transpose_[1,0,2] (q, v) or Transpose_[1,2,0] (k)
 *   scores  = MatMul(Div(heads_q, sqrt(E/H)) | Mul(heads_q, 1/sqrt(E/H)), heads_k)
 *   y       = Transpose_[1,0,2](Reshape_[T, N, Dout](Gemm(Reshape_[T·N, E](Transpose_[1,0,2](MatMul(Softmax(scores), heads_v))), Wo, bo)))
 * </pre>
 *
 * The sizes in the Reshapes and the Slice bounds are computed from the batch and sequence lengths by shape
 * arithmetic ({@code Shape}, {@code Gather}, {@code Div}, {@code Concat} ...): {@link ShapeArithmetic} evaluates
 * it for two different sets of sizes, and the pattern holds only if both give exactly the shapes above. The
 * number of heads is read from the scale ({@code E/H = round(scale²)}). The matched graph is one
 * {@link dev.myelin.nn.attention.MultiHeadAttention} over the inputs {@code xt}, which the node-by-node import holds as
 * time-major views of Myelin's {@code [N, T, D]} tensors ({@link Layout#TIME_MAJOR}); a graph exported with
 * {@code batch_first=False} reads {@code [T, N, D]} inputs that Myelin cannot hold, and is refused with that reason.
 * An attention or key-padding mask (an Add or Where before the Softmax) is not matched: the node-by-node import
 * refuses it, naming the node.
 */
final class TorchAttentionPattern {
    /** Sizes under which the shape arithmetic is evaluated: batch, query length, key length (for a key input other than the query). */
    private static final int[][] PROBES = {{2, 3, 4}, {7, 5, 6}};

    /**
     * One of q, k, v: the projection {@code MatMul(input, W) [+ b]}, possibly sliced. {@code W} and {@code b} are
     * constants, or constants sliced and transposed by computed bounds (PyTorch splits its packed weight that way for
     * cross-attention), read for each set of sizes by {@link #fold}.
     */
    private record Source(String input, String weight, String bias, String projected, NodeProto slice, List<NodeProto> nodes) {}

    /** A source's weight {@code [rows, cols]} and bias (null when none). */
    private record Projection(Constant w, float[] bias) {
        int rows() {
            return (int) w.dims()[0];
        }

        int cols() {
            return (int) w.dims()[1];
        }
    }

    private final GraphQuery graph;

    TorchAttentionPattern(GraphQuery graph) {
        this.graph = graph;
    }

    /** The attention that {@code softmax} is the Softmax of, or null when the pattern does not hold. */
    Match match(NodeProto softmax) {
        long axis = NodeImport.intAttr(softmax, "axis", -1);
        if (axis != -1 && axis != 2) return null;
        NodeProto scores = graph.onlyProducer(softmax.inputs().getFirst(), "MatMul");
        if (scores == null) return null;
        NodeProto scale = graph.onlyProducer(scores.inputs().getFirst(), "Div");
        boolean divides = scale != null;
        if (!divides) scale = graph.onlyProducer(scores.inputs().getFirst(), "Mul");
        if (scale == null || scale.inputs().size() != 2) return null;
        float[] c = graph.constantData(scale.inputs().get(1));
        if (c == null || c.length != 1 || !(c[0] > 0)) return null;
        double squared = divides ? (double) c[0] * c[0] : 1.0 / ((double) c[0] * c[0]);
        int headDim = (int) Math.round(squared);
        if (headDim < 1 || Math.abs(squared - headDim) > 1e-3 * headDim) return null;

        NodeProto qHeads = transposeOf(scale.inputs().getFirst(), 1, 0, 2), kHeads = transposeOf(scores.inputs().get(1), 1, 2, 0);
        NodeProto attended = graph.onlyReader(softmax.outputs().getFirst(), "MatMul");
        if (qHeads == null || kHeads == null || attended == null || !attended.inputs().getFirst().equals(softmax.outputs().getFirst())) return null;
        NodeProto vHeads = transposeOf(attended.inputs().get(1), 1, 0, 2);
        NodeProto merged = graph.onlyReader(attended.outputs().getFirst(), "Transpose");
        if (vHeads == null || merged == null || !Arrays.equals(NodeImport.intsAttr(merged, "perm"), new long[] {1, 0, 2})) return null;
        NodeProto qSplit = graph.producer(qHeads.inputs().getFirst()), kSplit = graph.producer(kHeads.inputs().getFirst()),
                vSplit = graph.producer(vHeads.inputs().getFirst());
        NodeProto flat = graph.onlyReader(merged.outputs().getFirst(), "Reshape");
        if (!isReshape(qSplit) || !isReshape(kSplit) || !isReshape(vSplit) || flat == null) return null;

        List<NodeProto> output = new ArrayList<>();
        float[][] out = outputProjection(flat.outputs().getFirst(), output);
        if (out == null) return null;
        NodeProto unflat = readerBesidesShapes(output.getLast().outputs().getFirst(), "Reshape");
        if (unflat == null) return null;
        NodeProto back = graph.onlyReader(unflat.outputs().getFirst(), "Transpose");
        if (back != null && !Arrays.equals(NodeImport.intsAttr(back, "perm"), new long[] {1, 0, 2})) back = null;

        Source q = source(qSplit.inputs().getFirst()), k = source(kSplit.inputs().getFirst()), v = source(vSplit.inputs().getFirst());
        if (q == null || k == null || v == null) return null;
        Set<NodeProto> nodes = new LinkedHashSet<>(List.of(softmax, scores, scale, qHeads, kHeads, vHeads, attended, merged, qSplit, kSplit, vSplit, flat));
        nodes.addAll(output);
        nodes.add(unflat);
        if (back != null) nodes.add(back);
        for (Source src : List.of(q, k, v)) nodes.addAll(src.nodes());
        int dOut = (int) out[2][0], width = out[0].length / dOut; // PyTorch's embed_dim: the query's width and every head's total
        if (width % headDim != 0) return null;
        int heads = width / headDim;
        Projection[] kept = null;
        int[][] keptCols = null;
        for (int[] probe : PROBES) {
            int n = probe[0], t = probe[1], s = k.input().equals(q.input()) ? t : probe[2];
            Source[] sources = {q, k, v};
            int[] lengths = {t, s, s};
            Map<String, long[]> shapes = new HashMap<>();
            for (int i = 2; i >= 0; i--) shapes.put(sources[i].input(), new long[] {lengths[i], n, width(sources[i], width)});
            ShapeArithmetic a = new ShapeArithmetic(graph, shapes);
            Projection[] projections = new Projection[3];
            int[][] cols = new int[3][];
            for (int i = 0; i < 3; i++) {
                Constant w = fold(sources[i].weight(), a, nodes);
                Constant b = sources[i].bias() == null ? null : fold(sources[i].bias(), a, nodes);
                if (w == null || w.dims().length != 2 || w.dims()[0] != shapes.get(sources[i].input())[2]) return null;
                if (sources[i].bias() != null && (b == null || b.data().length != w.dims()[1])) return null;
                projections[i] = new Projection(w, b == null ? null : b.data());
                shapes.put(sources[i].projected(), new long[] {lengths[i], n, projections[i].cols()});
            }
            for (int i = 0; i < 3; i++) {
                cols[i] = columns(sources[i], projections[i], a);
                if (cols[i] == null || cols[i][1] - cols[i][0] != width) return null;
                if (sources[i].slice() != null) shapes.put(sources[i].slice().outputs().getFirst(), new long[] {lengths[i], n, width});
            }
            if (kept != null && !(Arrays.deepEquals(keptCols, cols) && same(kept, projections))) return null;
            kept = projections;
            keptCols = cols;
            shapes.put(output.getLast().outputs().getFirst(), new long[] {(long) t * n, dOut});
            String[] targets = {qSplit.inputs().get(1), kSplit.inputs().get(1), vSplit.inputs().get(1), flat.inputs().get(1), unflat.inputs().get(1)};
            if (!reshapesHold(a, targets, t, n, s, heads, headDim, dOut)) {
                // Exported without dynamic axes, the sizes are constants: read them back and check the rest agrees.
                long[] u = a.eval(targets[4]), kk = a.eval(targets[1]);
                if (u == null || kk == null || u.length != 3 || kk.length != 3 || !reshapesHold(a, targets, u[0], u[1], kk[0], heads, headDim, dOut)) return null;
            }
            nodes.addAll(a.nodes());
        }
        NodeProto last = back != null ? back : unflat;
        for (NodeProto p : List.copyOf(nodes)) {
            if (p == last || !readOutside(p, nodes)) continue;
            if (!p.opType().equals("Constant") && !p.opType().equals("Identity")) return null; // a value the rest of the graph needs
            nodes.remove(p); // a constant also read elsewhere: the node-by-node import defines it
        }
        float[][] kernels = new float[4][], biases = new float[4][];
        for (int i = 0; i < 3; i++) {
            kernels[i] = columns(kept[i], keptCols[i]);
            biases[i] = kept[i].bias() == null ? null : Arrays.copyOfRange(kept[i].bias(), keptCols[i][0], keptCols[i][1]);
        }
        kernels[3] = out[0];
        biases[3] = out[1];
        return new Match(nodes, last, q.input(), k.input(), v.input(), heads, headDim, headDim, kernels, biases, false, null, false,
                back != null ? Layout.TIME_MAJOR : null);
    }

    /**
     * Whether the Reshape targets (q, k, v heads, flat, unflat) evaluate to {@code [t, n·H, d]}, {@code [s, n·H, d]} twice,
     * {@code [t·n, H·d]} and {@code [t, n, dOut]}.
     */
    private static boolean reshapesHold(ShapeArithmetic a, String[] targets, long t, long n, long s, int heads, int headDim, int dOut) {
        long[][] want = {{t, n * heads, headDim}, {s, n * heads, headDim}, {s, n * heads, headDim}, {t * n, (long) heads * headDim}, {t, n, dOut}};
        for (int i = 0; i < targets.length; i++) if (!Arrays.equals(a.eval(targets[i]), want[i])) return false;
        return true;
    }

    /** The one node of type {@code op} reading {@code name} when the others read only its shape (the arithmetic checks those). */
    private NodeProto readerBesidesShapes(String name, String op) {
        NodeProto found = null;
        for (NodeProto r : graph.readers(name)) {
            if (r.opType().equals("Shape")) continue;
            if (found != null || !r.opType().equals(op)) return null;
            found = r;
        }
        return found;
    }

    private boolean readOutside(NodeProto p, Set<NodeProto> nodes) {
        for (String o : p.outputs()) for (NodeProto r : graph.readers(o)) if (!nodes.contains(r)) return true;
        return false;
    }

    private NodeProto transposeOf(String name, long... perm) {
        NodeProto t = graph.onlyProducer(name, "Transpose");
        return t != null && Arrays.equals(NodeImport.intsAttr(t, "perm"), perm) ? t : null;
    }

    private static boolean isReshape(NodeProto n) {
        return n != null && n.opType().equals("Reshape") && n.inputs().size() == 2;
    }

    /** {@code [Slice](MatMul(input, W) [+ b])} ending at {@code name}; null otherwise. */
    private Source source(String name) {
        NodeProto slice = graph.producer(name);
        String projected = name;
        if (slice != null && slice.opType().equals("Slice")) {
            if (slice.inputs().size() < 4) return null; // opset 10+: bounds and axes as inputs
            projected = slice.inputs().getFirst();
        } else {
            slice = null;
        }
        NodeProto p = graph.producer(projected);
        if (p == null) return null;
        List<NodeProto> nodes = new ArrayList<>();
        if (slice != null) nodes.add(slice);
        String bias = null;
        NodeProto matmul = p;
        if (p.opType().equals("Add") && p.inputs().size() == 2) {
            for (int i = 0; i < 2 && bias == null; i++) {
                NodeProto m = graph.onlyProducer(p.inputs().get(i), "MatMul");
                if (m != null) {
                    matmul = m;
                    bias = p.inputs().get(1 - i);
                }
            }
            if (bias == null) return null;
            nodes.add(p);
        }
        if (!matmul.opType().equals("MatMul")) return null;
        nodes.add(matmul);
        return new Source(matmul.inputs().getFirst(), matmul.inputs().get(1), bias, projected, slice, nodes);
    }

    /** The width of a source's input: its weight's rows when the weight is a plain constant, else PyTorch's embed_dim. */
    private int width(Source s, int embedDim) {
        Constant w = graph.constant(s.weight());
        return w != null && w.dims().length == 2 ? (int) w.dims()[0] : embedDim;
    }

    /**
     * {@code name} as a constant: one as it is, or a constant's rows sliced ({@code Slice} on axis 0, bounds from the
     * shape arithmetic) and/or a matrix transposed; the nodes folded go into {@code used}. Null otherwise.
     */
    private Constant fold(String name, ShapeArithmetic a, Set<NodeProto> used) {
        Constant c = graph.constant(name);
        if (c != null) return c;
        NodeProto p = graph.producer(name);
        if (p == null || p.inputs().isEmpty()) return null;
        Constant in = fold(p.inputs().getFirst(), a, used);
        if (in == null) return null;
        Constant result = switch (p.opType()) {
            case "Transpose" -> {
                long[] perm = NodeImport.intsAttr(p, "perm");
                if (in.dims().length != 2 || (perm != null && !Arrays.equals(perm, new long[] {1, 0}))) yield null;
                int rows = (int) in.dims()[0], cols = (int) in.dims()[1];
                yield new Constant(transposed(in.data(), rows, cols), new long[] {cols, rows});
            }
            case "Slice" -> {
                int[] range = p.inputs().size() < 4 || in.dims().length < 1 ? null : range(p, a, (int) in.dims()[0], 0, in.dims().length);
                if (range == null) yield null;
                long[] dims = in.dims().clone();
                int row = in.data().length / (int) dims[0];
                dims[0] = range[1] - range[0];
                yield new Constant(Arrays.copyOfRange(in.data(), range[0] * row, range[1] * row), dims);
            }
            default -> null;
        };
        if (result != null) used.add(p);
        return result;
    }

    /** The columns {@code [lo, hi)} of the projection that {@code s} reads, or null when its Slice is not one on the last axis. */
    private static int[] columns(Source s, Projection p, ShapeArithmetic a) {
        return s.slice() == null ? new int[] {0, p.cols()} : range(s.slice(), a, p.cols(), 2, 3);
    }

    /**
     * The range {@code [lo, hi)} a {@code Slice} node takes of an axis of {@code size} elements of a tensor of
     * {@code rank} axes, when it slices that one axis ({@code axis}, or its negative form) with step 1; null otherwise.
     */
    private static int[] range(NodeProto slice, ShapeArithmetic a, int size, int axis, int rank) {
        List<String> in = slice.inputs();
        long[] starts = a.eval(in.get(1)), ends = a.eval(in.get(2)), axes = a.eval(in.get(3));
        long[] steps = in.size() > 4 && !in.get(4).isEmpty() ? a.eval(in.get(4)) : new long[] {1};
        if (starts == null || ends == null || axes == null || steps == null) return null;
        if (starts.length != 1 || ends.length != 1 || axes.length != 1 || steps.length != 1 || steps[0] != 1) return null;
        if (axes[0] != axis && axes[0] != axis - rank) return null;
        long lo = starts[0] < 0 ? starts[0] + size : starts[0], hi = ends[0] < 0 ? ends[0] + size : ends[0];
        lo = Math.clamp(lo, 0, size);
        hi = Math.clamp(hi, 0, size);
        return hi > lo ? new int[] {(int) lo, (int) hi} : null;
    }

    /** Columns {@code [lo, hi)} of the projection's {@code [rows, cols]} weight, row-major. */
    private static float[] columns(Projection p, int[] range) {
        int rows = p.rows(), cols = p.cols(), e = range[1] - range[0];
        float[] out = new float[rows * e];
        for (int r = 0; r < rows; r++) System.arraycopy(p.w().data(), r * cols + range[0], out, r * e, e);
        return out;
    }

    private static boolean same(Projection[] a, Projection[] b) {
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i].w().data(), b[i].w().data()) || !Arrays.equals(a[i].bias(), b[i].bias())) return false;
        }
        return true;
    }

    /**
     * The output projection reading {@code name}: {@code Gemm(x, Wo [, bo])} (transB 0 or 1, alpha = beta = 1) or
     * {@code MatMul(x, Wo) [+ bo]}; its nodes go into {@code nodes}, last one last. Returns {kernel [E, Dout], bias or
     * null, {Dout}}, or null.
     */
    private float[][] outputProjection(String name, List<NodeProto> nodes) {
        List<NodeProto> readers = graph.readers(name);
        if (readers.size() != 1 || !readers.getFirst().inputs().getFirst().equals(name)) return null;
        NodeProto r = readers.getFirst();
        if (r.opType().equals("Gemm")) {
            if (NodeImport.intAttr(r, "transA", 0) != 0 || NodeImport.floatAttr(r, "alpha", 1f) != 1f || NodeImport.floatAttr(r, "beta", 1f) != 1f) return null;
            if (!(graph.constant(r.inputs().get(1)) instanceof Constant w) || w.dims().length != 2) return null;
            boolean transB = NodeImport.intAttr(r, "transB", 0) != 0;
            int rows = (int) w.dims()[transB ? 1 : 0], cols = (int) w.dims()[transB ? 0 : 1];
            float[] kernel = transB ? transposed(w.data(), cols, rows) : w.data();
            float[] bias = null;
            if (r.inputs().size() > 2 && !r.inputs().get(2).isEmpty()) {
                bias = graph.constantData(r.inputs().get(2));
                if (bias == null || bias.length != cols) return null;
            }
            nodes.add(r);
            return new float[][] {kernel, bias, {cols}};
        }
        if (!r.opType().equals("MatMul") || !(graph.constant(r.inputs().get(1)) instanceof Constant w) || w.dims().length != 2) return null;
        nodes.add(r);
        int cols = (int) w.dims()[1];
        NodeProto add = graph.onlyReader(r.outputs().getFirst(), "Add");
        if (add != null && add.inputs().size() == 2) {
            String other = add.inputs().get(add.inputs().get(0).equals(r.outputs().getFirst()) ? 1 : 0);
            float[] b = graph.constantData(other);
            if (b != null && b.length == cols) {
                nodes.add(add);
                return new float[][] {w.data(), b, {cols}};
            }
        }
        return new float[][] {w.data(), null, {cols}};
    }

    /** The transpose of a row-major {@code [rows, cols]} matrix. */
    private static float[] transposed(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
        return t;
    }
}
